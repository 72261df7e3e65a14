//! Slack's two ways in: signed HTTP requests to `/slack/events`, `/slack/commands` and
//! `/slack/interactions` (to backup-bot or to the regex handler), and envelopes on the fake's
//! Socket Mode WebSocket. Replies are what the fake Slack received.

use crate::fake_slack::FakeSlack;
use crate::measure::{percentile, Proc, Row, Tally};
use crate::mix::{plan, Fixtures, Item, Kind, Rng};
use crate::support::slack::{
    action_ids, command_fields, message_event, now, press_payload, sign, url_encode, SECRET,
};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::{Duration, Instant};

pub enum Via {
    /// Signed requests to this address.
    Http(String),
    /// Envelopes on the fake's socket.
    Socket,
}

pub struct Run<'a> {
    pub name: &'a str,
    pub fake: &'a FakeSlack,
    pub via: Via,
    pub proc: Proc,
}

fn event_id(n: u64) -> String {
    format!("EvLoad{n}")
}

/// A message's ts: its thread's too.
fn ts(n: u64) -> String {
    format!("{}.000200", 1_800_000_000 + n)
}

/// The bot's replies with a "walk me through it" button not pressed yet: (reply ts, thread ts).
fn pressable(fake: &FakeSlack, pressed: &mut HashSet<String>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (rts, body) in fake.posted() {
        let Some(thread) = body["thread_ts"].as_str() else {
            continue;
        };
        if action_ids(&body).iter().any(|a| a == "guide.start") && pressed.insert(rts.clone()) {
            out.push((rts, thread.to_string()));
        }
    }
    out
}

/// The HTTP request for one delivery: (path, content type, body, extra headers).
fn request(fake: &FakeSlack, item: &Item) -> (&'static str, &'static str, String, bool) {
    match &item.kind {
        Kind::Chatter | Kind::Paste => (
            "/slack/events",
            "application/json",
            message_event(&event_id(item.n), &ts(item.n), &item.text).to_string(),
            item.retry,
        ),
        Kind::Command(text) => {
            let form = command_fields(fake, text, &format!("cmd{}", item.n))
                .iter()
                .map(|(k, v)| format!("{k}={}", url_encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            (
                "/slack/commands",
                "application/x-www-form-urlencoded",
                form,
                false,
            )
        }
        Kind::Press {
            reply_ts,
            thread_ts,
        } => {
            let v = press_payload(fake, reply_ts, thread_ts, "guide.start");
            (
                "/slack/interactions",
                "application/x-www-form-urlencoded",
                format!("payload={}", url_encode(&v.to_string())),
                false,
            )
        }
    }
}

/// The Socket Mode envelope for one delivery.
fn envelope(fake: &FakeSlack, item: &Item, k: usize) -> Value {
    let id = format!("env-{}-{k}", item.n);
    match &item.kind {
        Kind::Chatter | Kind::Paste => json!({
            "type": "events_api", "envelope_id": id, "accepts_response_payload": false,
            "retry_attempt": u8::from(item.retry), "retry_reason": if item.retry { "timeout" } else { "" },
            "payload": message_event(&event_id(item.n), &ts(item.n), &item.text)
        }),
        Kind::Command(text) => {
            let fields: serde_json::Map<String, Value> =
                command_fields(fake, text, &format!("cmd{}", item.n))
                    .into_iter()
                    .map(|(k, v)| (k, json!(v)))
                    .collect();
            json!({"type": "slash_commands", "envelope_id": format!("cmd{}", item.n), "accepts_response_payload": true, "payload": fields})
        }
        Kind::Press {
            reply_ts,
            thread_ts,
        } => json!({
            "type": "interactive", "envelope_id": id, "accepts_response_payload": false,
            "payload": press_payload(fake, reply_ts, thread_ts, "guide.start")
        }),
    }
}

/// What an owed reply is keyed by: a paste's thread, a press's thread (its step), a command.
fn key(item: &Item) -> Option<(String, bool)> {
    match &item.kind {
        Kind::Chatter => None,
        Kind::Paste => Some((ts(item.n), true)),
        Kind::Press { thread_ts, .. } => Some((format!("step {thread_ts}"), true)),
        Kind::Command(_) => Some((format!("cmd{}", item.n), false)),
    }
}

/// Sends one signed request; (status, body, when the answer came).
async fn send(
    client: reqwest::Client,
    url: String,
    ctype: &'static str,
    body: String,
    retry: bool,
) -> (u16, String, Instant) {
    let t = now();
    let mut req = client
        .post(url)
        .header("Content-Type", ctype)
        .header("X-Slack-Request-Timestamp", t.to_string())
        .header("X-Slack-Signature", sign(SECRET, t, &body));
    if retry {
        req = req
            .header("X-Slack-Retry-Num", "1")
            .header("X-Slack-Retry-Reason", "http_timeout");
    }
    match req.body(body).send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            (status, text, Instant::now())
        }
        Err(_) => (0, String::new(), Instant::now()),
    }
}

/// Runs the rising rates through one path until latency bends; one row per rate.
pub fn rates(
    rt: &tokio::runtime::Runtime,
    run: &Run,
    fx: &Fixtures,
    rates: &[u32],
    secs: f64,
) -> Vec<Row> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let mut rng = Rng::new(11);
    let mut next = 1;
    let mut pressed = HashSet::new();
    let mut rows = Vec::new();
    for &rate in rates {
        let mut presses = pressable(run.fake, &mut pressed);
        let items = plan(fx, &mut rng, rate, secs, &mut next, &mut presses);
        let row = rt.block_on(phase(run, &client, &items, rate));
        println!("{}", row.line());
        let bent = row.bent();
        rows.push(row);
        if bent {
            break;
        }
    }
    rows
}

async fn phase(run: &Run<'_>, client: &reqwest::Client, items: &[Item], rate: u32) -> Row {
    let fake = run.fake;
    let posts0 = fake.count("chat.postMessage");
    let acks0 = fake.ack_count();
    let mut tally = Tally::default();
    let mut handles = Vec::new();
    let t0 = Instant::now() + Duration::from_millis(20);
    let cpu0 = run.proc.cpu();
    for (k, item) in items.iter().enumerate() {
        let at = t0 + item.at;
        tokio::time::sleep_until(at.into()).await;
        if !item.retry {
            if let Some((key, timed)) = key(item) {
                tally.owe(key, at, timed);
            }
        }
        match &run.via {
            Via::Http(addr) => {
                let (path, ctype, body, retry) = request(fake, item);
                let url = format!("http://{addr}{path}");
                let command = matches!(item.kind, Kind::Command(_)).then(|| item.n);
                let h = tokio::spawn(send(client.clone(), url, ctype, body, retry));
                handles.push((command, h));
            }
            Via::Socket => {
                fake.push(&envelope(fake, item, k));
            }
        }
    }
    let sent_for = t0.elapsed();
    let cpu = (run.proc.cpu() - cpu0).as_secs_f64() / sent_for.as_secs_f64() * 100.0;
    // Acknowledged: HTTP 200s (a command's answer is in its response), or Socket Mode acks.
    let (acked, last_ack) = match &run.via {
        Via::Http(_) => {
            let (mut acked, mut last) = (0, t0);
            for (command, h) in handles {
                let (status, body, at) = h.await.unwrap();
                if status == 200 {
                    acked += 1;
                    last = last.max(at);
                    if let Some(n) = command {
                        if body.contains("\"text\"") {
                            tally.saw(&format!("cmd{n}"), at);
                        }
                    }
                }
            }
            (acked, last)
        }
        Via::Socket => wait_acks(fake, acks0, items.len(), t0),
    };
    let owed_posts = items
        .iter()
        .filter(|i| !i.retry && matches!(i.kind, Kind::Paste | Kind::Press { .. }))
        .count();
    wait_posts(fake, posts0 + owed_posts);
    for c in fake.calls("chat.postMessage").into_iter().skip(posts0) {
        let thread = c.body["thread_ts"].as_str().unwrap_or_default();
        // A paste's thread of this phase, or the thread of an earlier reply pressed now.
        let key = if tally.is_owed(thread) {
            thread.to_string()
        } else {
            format!("step {thread}")
        };
        tally.saw(&key, c.at);
    }
    if let Via::Socket = run.via {
        for a in fake.acks().into_iter().skip(acks0) {
            let id = a["envelope_id"].as_str().unwrap_or_default();
            if id.starts_with("cmd") && a["payload"]["text"].is_string() && tally.is_owed(id) {
                tally.saw(id, t0);
            }
        }
    }
    let (expected, seen, doubled, lost, mut lat) = tally.counts();
    let (rss, hwm) = run.proc.memory();
    Row {
        run: run.name.to_string(),
        offered: rate,
        events: items.len(),
        sent: items.len() as f64 / items.last().map_or(1.0, |i| i.at.as_secs_f64().max(1e-3)),
        held: acked as f64
            / last_ack
                .saturating_duration_since(t0)
                .as_secs_f64()
                .max(1e-3),
        p50: percentile(&mut lat, 50.0),
        p99: percentile(&mut lat, 99.0),
        cpu,
        rss,
        hwm,
        expected,
        seen,
        doubled,
        lost,
        unowed: tally.unowed,
    }
}

/// Waits for `want` more socket acknowledgements than `base`: (how many came, when the last did).
fn wait_acks(fake: &FakeSlack, base: usize, want: usize, t0: Instant) -> (usize, Instant) {
    let (mut last_n, mut last_at) = (base, t0);
    let want = base + want;
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let n = fake.ack_count();
        if n != last_n {
            last_n = n;
            last_at = Instant::now();
        }
        if n >= want || Instant::now() > until || last_at.elapsed() > Duration::from_secs(5) {
            return (n - base, last_at);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until `want` replies were posted, or nothing more came for a few seconds.
pub fn wait_posts(fake: &FakeSlack, want: usize) {
    settle_on(|| fake.count("chat.postMessage"), want);
}

/// Polls `count` until it reaches `want` (and stays a moment, for doubles), or stops moving.
pub fn settle_on(count: impl Fn() -> usize, want: usize) {
    let until = Instant::now() + Duration::from_secs(60);
    let (mut last, mut moved) = (count(), Instant::now());
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let n = count();
        if n != last {
            last = n;
            moved = Instant::now();
        }
        let quiet = moved.elapsed();
        if (n >= want && quiet > Duration::from_millis(500))
            || quiet > Duration::from_secs(5)
            || Instant::now() > until
        {
            return;
        }
    }
}
