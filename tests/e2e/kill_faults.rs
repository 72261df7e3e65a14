//! kill -9 at random points with replies and escalations pending, as a row of the fault suite:
//! the real `serve` (Slack over HTTP, on-call set up, reminders every 2 s) on one SQLite file is
//! killed again and again while Slack refuses some posts, pastes wait in the outbox, cards are
//! being posted and reminders come; the next process on the same store delivers every reply
//! and every card once, and sends no reminder twice. The kill points come from a seeded
//! generator: the seed is printed, and `FAULT_SEED` replays it.

use crate::fake_slack::FakeSlack;
use crate::support::faults::{record, Row};
use crate::support::slack::*;
use crate::support::temp_dir;
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const OPEN: &str = "escalation.open:user-error-fs-freeze-failed";
const ROUNDS: usize = 4;

/// SplitMix64: a small generator, the same kill points for the same seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

fn seed() -> u64 {
    std::env::var("FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
}

fn text(body: &Value) -> String {
    body["text"].as_str().unwrap_or_default().to_string()
}

/// What the bot posted, by kind: (thread, ts) of replies to pastes, of cards, of reminders.
struct Seen {
    replies: Vec<(String, String)>,
    cards: Vec<String>,
    reminders: Vec<String>,
}

fn seen(fake: &FakeSlack) -> Seen {
    let mut s = Seen {
        replies: Vec::new(),
        cards: Vec::new(),
        reminders: Vec::new(),
    };
    for (ts, body) in fake.posted() {
        let thread = body["thread_ts"].as_str().unwrap_or_default().to_string();
        let t = text(&body);
        if t.contains("still not acknowledged") {
            s.reminders.push(thread);
        } else if t.contains("Escalated") {
            s.cards.push(thread);
        } else if action_ids(&body).iter().any(|a| a == "feedback.fixed") {
            s.replies.push((thread, ts));
        }
    }
    s
}

fn per_thread(threads: impl Iterator<Item = String>) -> HashMap<String, usize> {
    let mut n = HashMap::new();
    for t in threads {
        *n.entry(t).or_insert(0) += 1;
    }
    n
}

/// Reminders claimed in the store, per thread.
fn claimed_reminders(dir: &std::path::Path) -> HashMap<String, usize> {
    use sqlx::{Connection, Row};
    let url = format!("sqlite://{}", dir.join("backup-bot.db").display());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query("SELECT thread, reminders FROM escalations")
                .fetch_all(&mut c)
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1) as usize))
                .collect()
        })
}

/// Waits until a card for each of `threads` was tried (a call, answered or refused): each
/// press's escalation is in the store by then.
fn cards_tried(fake: &FakeSlack, threads: &[String]) {
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        let tried = fake
            .calls("chat.postMessage")
            .iter()
            .filter(|c| text(&c.body).contains("Escalated"))
            .map(|c| c.body["thread_ts"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>();
        if threads.iter().all(|t| tried.contains(t)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("no card tried for some of {threads:?}");
}

#[test]
fn kill_9_at_random_points_with_replies_and_escalations_pending_loses_and_doubles_nothing() {
    let seed = seed();
    println!("kill points from seed {seed} (FAULT_SEED={seed} replays them)");
    let mut rng = Rng(seed);
    let dir = temp_dir("kill-random");
    let fake = FakeSlack::start();
    let env = [
        (
            "BACKUP_BOT__ESCALATION__SLACK_ONCALL",
            "S0ONCALL".to_string(),
        ),
        ("BACKUP_BOT__ESCALATION__ACK_TIMEOUT", "2s".to_string()),
        ("BACKUP_BOT__DEFAULTS__COOLDOWN", "0".to_string()),
    ];
    let mut pastes: Vec<String> = Vec::new();
    let mut escalated: Vec<String> = Vec::new();
    let mut events = 0;
    for round in 0..ROUNDS {
        let bot = start_slack(&fake, false, &dir, &env);
        // Slack refuses some of the next posts: replies wait in the outbox, cards retry.
        let last = round + 1 == ROUNDS;
        // The last time, long enough that the card pressed then is still being tried when the
        // process dies.
        let refused = if last { 40 } else { rng.below(8) as usize };
        fake.fail("chat.postMessage", &vec![(503, None); refused]);
        for _ in 0..2 + rng.below(3) {
            let i = pastes.len();
            let ts = format!("1700004{i:03}.000100");
            let ev = message_event(&format!("EvKill{i}"), &ts, PASTE);
            assert_eq!(send_event(&bot, &ev, &[]), 200);
            events += 1;
            pastes.push(ts);
        }
        // "Escalate" pressed on replies posted already.
        let mut pressed = Vec::new();
        for _ in 0..rng.below(3).max(u64::from(last)) {
            let open: Vec<(String, String)> = seen(&fake)
                .replies
                .into_iter()
                .filter(|(t, _)| !escalated.contains(t) && !pressed.contains(t))
                .collect();
            if open.is_empty() {
                break;
            }
            let (thread, reply) = open[rng.below(open.len() as u64) as usize].clone();
            assert_eq!(press(&bot, &fake, &reply, &thread, OPEN), 200);
            events += 1;
            pressed.push(thread);
        }
        cards_tried(&fake, &pressed);
        escalated.extend(pressed);
        let after = rng.below(3_000);
        println!(
            "round {round}: {refused} posts refused, {} pastes, {} escalated, kill -9 after {after} ms",
            pastes.len(),
            escalated.len()
        );
        std::thread::sleep(Duration::from_millis(after));
        drop(bot);
    }
    // The next process on the same store, Slack answering: it sends what the killed ones left
    // (a reply a killed process was sending waits out its lease, 90 s at most; a card, 60 s).
    let bot = start_slack(&fake, false, &dir, &env);
    let until = Instant::now() + Duration::from_secs(150);
    while Instant::now() < until {
        let s = seen(&fake);
        let replied = per_thread(s.replies.into_iter().map(|(t, _)| t));
        let carded = per_thread(s.cards.into_iter());
        if pastes.iter().all(|p| replied.contains_key(p))
            && escalated.iter().all(|t| carded.contains_key(t))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(1_500));
    let s = seen(&fake);
    let replied = per_thread(s.replies.iter().map(|(t, _)| t.clone()));
    let carded = per_thread(s.cards.iter().cloned());
    let doubled = replied
        .values()
        .chain(carded.values())
        .filter(|&&n| n > 1)
        .count();
    let lost = pastes.iter().filter(|p| !replied.contains_key(*p)).count()
        + escalated
            .iter()
            .filter(|t| !carded.contains_key(*t))
            .count();
    let logs = bot.logs();
    if lost > 0 || doubled > 0 {
        println!("{logs}");
    }
    assert!(
        logs.contains("posted an escalation's card left for later"),
        "the card pressed last was posted later, by the next process:\n{logs}"
    );
    record(Row {
        case: format!("kill -9 at random points ({ROUNDS} times) with replies, cards and reminders pending, then restart"),
        events,
        expected: pastes.len() + escalated.len(),
        seen: s.replies.len() + s.cards.len(),
        doubled,
        lost,
    });
    // Each reminder claimed in the store was sent once at most.
    let claimed = claimed_reminders(&dir);
    for (thread, sent) in per_thread(s.reminders.into_iter()) {
        let c = claimed.get(&thread).copied().unwrap_or(0);
        assert!(sent <= c, "{thread}: {sent} reminders sent, {c} claimed");
    }
}
