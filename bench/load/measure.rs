//! What a phase measures: the process's CPU time and resident memory (from /proc), latencies,
//! replies owed against replies seen, and the tables they make.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A process's CPU time so far (user + system, from /proc/PID/stat) and memory (VmRSS, VmHWM).
pub struct Proc(pub u32);

impl Proc {
    pub fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.0)).unwrap_or_default();
        // Fields after the command name (which may hold spaces): utime and stime are the 12th
        // and 13th after it (14th and 15th of the line).
        let rest = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
        let f: Vec<u64> = rest
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
        // SAFETY: sysconf only reads a system constant.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        Duration::from_secs_f64(ticks as f64 / hz as f64)
    }

    /// (VmRSS, VmHWM) in MiB.
    pub fn memory(&self) -> (f64, f64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.0)).unwrap_or_default();
        let kib = |key: &str| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (kib("VmRSS:") / 1024.0, kib("VmHWM:") / 1024.0)
    }
}

/// The `p`th percentile (nearest rank) of `v`, in milliseconds.
pub fn percentile(v: &mut [Duration], p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort();
    let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize - 1;
    Some(v[rank.min(v.len() - 1)].as_secs_f64() * 1000.0)
}

/// Replies owed and replies seen, by what they answer (a paste's thread, a press, a command).
#[derive(Default)]
pub struct Tally {
    /// Owed: key → when its event was sent, and whether its reply is timed (one posted to the
    /// platform; a slash command's answer in its HTTP response is counted but not timed).
    owed: HashMap<String, (Instant, bool)>,
    /// Seen: key → (how many, the first one's arrival).
    seen: HashMap<String, (usize, Instant)>,
    /// Replies to something owed none (chatter answered).
    pub unowed: usize,
}

impl Tally {
    pub fn owe(&mut self, key: String, sent: Instant, timed: bool) {
        self.owed.insert(key, (sent, timed));
    }

    pub fn is_owed(&self, key: &str) -> bool {
        self.owed.contains_key(key)
    }

    pub fn owed(&self) -> usize {
        self.owed.len()
    }

    /// A reply to `key` arrived at `at`.
    pub fn saw(&mut self, key: &str, at: Instant) {
        if !self.owed.contains_key(key) {
            self.unowed += 1;
            return;
        }
        let e = self.seen.entry(key.to_string()).or_insert((0, at));
        e.0 += 1;
        e.1 = e.1.min(at);
    }

    /// (expected, seen, doubled, lost, latencies of the first timed replies).
    pub fn counts(&self) -> (usize, usize, usize, usize, Vec<Duration>) {
        let doubled = self.seen.values().filter(|(n, _)| *n > 1).count();
        let seen: usize = self.seen.values().map(|(n, _)| *n).sum();
        let lost = self.owed.len() - self.seen.len();
        let lat = self
            .seen
            .iter()
            .filter(|(k, _)| self.owed[*k].1)
            .map(|(k, (_, at))| at.saturating_duration_since(self.owed[k].0))
            .collect();
        (self.owed.len(), seen, doubled, lost, lat)
    }
}

/// One line of a table: one rate through one path.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub run: String,
    pub offered: u32,
    pub events: usize,
    /// Events sent a second (new ones and retries), as scheduled.
    pub sent: f64,
    /// Events acknowledged a second (HTTP 200, a Socket Mode ack; on Discord's gateway, which
    /// has no acknowledgement, events delivered).
    pub held: f64,
    pub p50: Option<f64>,
    pub p99: Option<f64>,
    /// CPU time over the phase's wall time: 100 = one core busy.
    pub cpu: f64,
    pub rss: f64,
    pub hwm: f64,
    pub expected: usize,
    pub seen: usize,
    pub doubled: usize,
    pub lost: usize,
    pub unowed: usize,
}

fn ms(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "–".into())
}

impl Row {
    pub fn header() -> &'static str {
        "| path | offered ev/s | events | held ev/s | p50 ms | p99 ms | CPU % of a core | RSS MiB (peak) | replies expected | seen | doubled | lost | chatter answered |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    }

    pub fn line(&self) -> String {
        format!(
            "| {} | {} | {} | {:.0} | {} | {} | {:.0} | {:.0} ({:.0}) | {} | {} | {} | {} | {} |",
            self.run,
            self.offered,
            self.events,
            self.held,
            ms(self.p50),
            ms(self.p99),
            self.cpu,
            self.rss,
            self.hwm,
            self.expected,
            self.seen,
            self.doubled,
            self.lost,
            self.unowed
        )
    }

    /// Latency bent: the path no longer keeps up at this rate, so higher rates are not tried.
    /// (Replies lost do not end the run: the regex handler's are misses, not delays.)
    pub fn bent(&self) -> bool {
        self.held < 0.9 * self.sent || self.p99.is_none_or(|p| p > 250.0)
    }
}

/// backup-bot's figures over the regex handler's, rate by rate.
pub fn ratios(bot: &[Row], base: &[Row]) -> String {
    let mut out = String::from(
        "| offered ev/s | held | p50 | p99 | CPU | peak RSS |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    let r = |a: f64, b: f64| {
        if b > 0.0 {
            format!("{:.2}×", a / b)
        } else {
            "–".into()
        }
    };
    for b in bot {
        let Some(x) = base.iter().find(|x| x.offered == b.offered) else {
            continue;
        };
        let (p50, p99) = match (b.p50, x.p50, b.p99, x.p99) {
            (Some(a), Some(c), Some(d), Some(e)) => (r(a, c), r(d, e)),
            _ => ("–".into(), "–".into()),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            b.offered,
            r(b.held, x.held),
            p50,
            p99,
            r(b.cpu, x.cpu),
            r(b.hwm, x.hwm)
        ));
    }
    out
}
