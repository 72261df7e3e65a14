//! The traffic of a busy workspace: chatter and pastes from `tests/fixtures/` (only those the
//! matcher answers, and chatter it leaves alone, so every reply owed is known), the codes for
//! `/backup-error`, and the plan of one phase: when each event is sent.

use crate::support::{match_lines, root};
use std::time::Duration;

/// Of the messages, pastes are this share; the rest is chatter.
pub const PASTE_SHARE: f64 = 0.05;
/// Of all events, this share is `/backup-error CODE`, and this share a button press.
pub const COMMAND_SHARE: f64 = 0.01;
pub const PRESS_SHARE: f64 = 0.01;
/// Of the messages, this share is delivered again (Slack's retry, Discord's replay), this long
/// after the first delivery.
pub const RETRY_SHARE: f64 = 0.10;
pub const RETRY_AFTER: Duration = Duration::from_secs(1);

pub struct Fixtures {
    pub chatter: Vec<String>,
    pub pastes: Vec<String>,
    pub codes: Vec<String>,
}

impl Fixtures {
    pub fn load() -> Fixtures {
        let dir = root().join("tests/fixtures");
        let (mut pastes, mut chatter) = (Vec::new(), Vec::new());
        for name in ["public.jsonl", "pastes.jsonl", "real.jsonl"] {
            for line in std::fs::read_to_string(dir.join(name)).unwrap().lines() {
                let c: serde_json::Value = serde_json::from_str(line).unwrap();
                let text = c["text"].as_str().unwrap_or_default().to_string();
                let owed = ["expect", "expect_message", "expect_entry"]
                    .iter()
                    .any(|k| !c[*k].is_null() && c[*k] != serde_json::json!([]));
                if owed {
                    pastes.push(text);
                } else if c["shape"] == "chatter" || c["kind"] == "negative-chat" {
                    chatter.push(text);
                }
            }
        }
        // What the bot will do with each, from the matcher itself: a paste it answers, chatter
        // it leaves alone. The load measures delivery, not accuracy.
        let keep = |texts: Vec<String>, answered: bool| -> Vec<String> {
            let verdicts = match_lines(&texts);
            texts
                .into_iter()
                .zip(verdicts)
                .filter(|(_, v)| v["matched"].as_bool() == Some(answered))
                .map(|(t, _)| t)
                .collect()
        };
        let pastes = keep(pastes, true);
        let chatter = keep(chatter, false);
        assert!(!pastes.is_empty() && !chatter.is_empty(), "fixtures");
        Fixtures {
            chatter,
            pastes,
            codes: codes(),
        }
    }
}

/// The codes the content names (not the bare numbers), as a team would list them for regexes.
pub fn codes() -> Vec<String> {
    let mut codes = Vec::new();
    let dir = root().join("content/entries");
    for e in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let Some(line) = text.lines().find(|l| l.starts_with("codes = [")) else {
            continue;
        };
        for c in line.split('"').skip(1).step_by(2) {
            if !c.chars().all(|ch| ch.is_ascii_digit()) {
                codes.push(c.to_string());
            }
        }
    }
    codes.sort();
    codes.dedup();
    codes
}

#[derive(Clone, Debug)]
pub enum Kind {
    Chatter,
    Paste,
    /// `/backup-error` with this text.
    Command(String),
    /// A "walk me through it" press on the reply `reply_ts` in the thread `thread_ts`.
    Press {
        reply_ts: String,
        thread_ts: String,
    },
}

/// One delivery: what, when (from the phase's start), its number (unique in the run; a retry
/// keeps the number of the event it repeats).
#[derive(Clone, Debug)]
pub struct Item {
    pub at: Duration,
    pub n: u64,
    pub kind: Kind,
    pub text: String,
    pub retry: bool,
}

/// A small deterministic generator (the same plan on every run).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.unit() * v.len() as f64) as usize % v.len()]
    }
}

/// The plan of one phase: `rate` events a second for `secs`, numbered from `*next`; presses go
/// to the replies in `pressable` (taken from it), while there are some.
pub fn plan(
    fx: &Fixtures,
    rng: &mut Rng,
    rate: u32,
    secs: f64,
    next: &mut u64,
    pressable: &mut Vec<(String, String)>,
) -> Vec<Item> {
    let total = (rate as f64 * secs) as u64;
    let mut items = Vec::new();
    for i in 0..total {
        let at = Duration::from_secs_f64(i as f64 / rate as f64);
        let n = *next;
        *next += 1;
        let r = rng.unit();
        let (kind, text) = if r < COMMAND_SHARE {
            let code = rng.pick(&fx.codes).clone();
            (Kind::Command(code.clone()), code)
        } else if r < COMMAND_SHARE + PRESS_SHARE && !pressable.is_empty() {
            let (reply_ts, thread_ts) = pressable.remove(0);
            (
                Kind::Press {
                    reply_ts,
                    thread_ts,
                },
                String::new(),
            )
        } else if rng.unit() < PASTE_SHARE {
            (Kind::Paste, rng.pick(&fx.pastes).clone())
        } else {
            (Kind::Chatter, format!("{} (#{n})", rng.pick(&fx.chatter)))
        };
        let message = matches!(kind, Kind::Chatter | Kind::Paste);
        let item = Item {
            at,
            n,
            kind,
            text,
            retry: false,
        };
        if message && rng.unit() < RETRY_SHARE {
            items.push(Item {
                // Within the phase: a retry of the last second's events comes before it ends.
                at: (at + RETRY_AFTER).min(Duration::from_secs_f64(secs)),
                retry: true,
                ..item.clone()
            });
        }
        items.push(item);
    }
    items.sort_by_key(|i| i.at);
    items
}
