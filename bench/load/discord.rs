//! Discord's way in: MESSAGE_CREATE and INTERACTION_CREATE dispatched on the fake gateway (a
//! replay of a message stands for the retries). Replies are what the fake Discord received:
//! messages referencing the paste, and the command's follow-up on its interaction token.

use crate::fake_discord::{self as fd, FakeDiscord, CHANNEL_ID};
use crate::measure::{percentile, Proc, Row, Tally};
use crate::mix::{plan, Fixtures, Item, Kind, Rng};
use crate::slack::settle_on;
use serde_json::json;
use std::time::{Duration, Instant};

const POSTS: &str = "POST /api/v10/channels/2001/messages";
const FOLLOW_UPS: &str = "POST /api/v10/webhooks/";

fn message_id(n: u64) -> String {
    (1_000_000_000 + n).to_string()
}

/// Runs the rising rates until latency bends; one row per rate. No presses here: the mix's
/// presses are Slack's.
pub fn rates(fake: &FakeDiscord, proc: Proc, fx: &Fixtures, rates: &[u32], secs: f64) -> Vec<Row> {
    let mut rng = Rng::new(11);
    let mut next = 1;
    let mut rows = Vec::new();
    for &rate in rates {
        let items = plan(fx, &mut rng, rate, secs, &mut next, &mut Vec::new());
        let row = phase(fake, &proc, &items, rate);
        println!("{}", row.line());
        let bent = row.bent();
        rows.push(row);
        if bent {
            break;
        }
    }
    rows
}

fn phase(fake: &FakeDiscord, proc: &Proc, items: &[Item], rate: u32) -> Row {
    let (posts0, follow0) = (fake.count(POSTS), fake.count(FOLLOW_UPS));
    let mut tally = Tally::default();
    let t0 = Instant::now() + Duration::from_millis(20);
    let cpu0 = proc.cpu();
    let mut delivered = 0;
    for item in items {
        let at = t0 + item.at;
        if let Some(wait) = at.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let ok = match &item.kind {
            Kind::Chatter | Kind::Paste => {
                let id = message_id(item.n);
                if !item.retry && matches!(item.kind, Kind::Paste) {
                    tally.owe(id.clone(), at, true);
                }
                let author = fd::user("4001", "alice", false);
                fake.dispatch(
                    "MESSAGE_CREATE",
                    fd::message(&id, CHANNEL_ID, author, &item.text),
                )
            }
            Kind::Command(code) => {
                let token = format!("tok{}", item.n);
                tally.owe(token.clone(), at, true);
                let options = json!([{"name": "code", "type": 3, "value": code}]);
                fake.dispatch(
                    "INTERACTION_CREATE",
                    fd::command(&message_id(item.n), &token, options),
                )
            }
            Kind::Press { .. } => false,
        };
        delivered += usize::from(ok);
    }
    let sent_for = t0.elapsed();
    let cpu = (proc.cpu() - cpu0).as_secs_f64() / sent_for.as_secs_f64() * 100.0;
    let owed = tally.owed();
    settle_on(
        || fake.count(POSTS) + fake.count(FOLLOW_UPS),
        posts0 + follow0 + owed,
    );
    for c in fake.calls(POSTS).into_iter().skip(posts0) {
        let id = c.body["message_reference"]["message_id"]
            .as_str()
            .map(str::to_string)
            .or_else(|| {
                c.body["message_reference"]["message_id"]
                    .as_u64()
                    .map(|v| v.to_string())
            })
            .unwrap_or_default();
        tally.saw(&id, c.at);
    }
    for c in fake.calls(FOLLOW_UPS).into_iter().skip(follow0) {
        let token = c.path.rsplit('/').next().unwrap_or_default().to_string();
        tally.saw(&token, c.at);
    }
    let (expected, seen, doubled, lost, mut lat) = tally.counts();
    let (rss, hwm) = proc.memory();
    Row {
        run: "Discord gateway".into(),
        offered: rate,
        events: items.len(),
        sent: items.len() as f64 / items.last().map_or(1.0, |i| i.at.as_secs_f64().max(1e-3)),
        held: delivered as f64 / sent_for.as_secs_f64(),
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
