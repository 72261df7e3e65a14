//! Several replicas on one PostgreSQL, and PostgreSQL going away for one of them (through a
//! TCP proxy the test cuts, never the machine's server). Skipped, with the reason printed, when
//! `TEST_POSTGRES_URL` is not set.

use crate::fake_slack::FakeSlack;
use crate::support::faults::{record, Row};
use crate::support::postgres::{admin_url, server_addr, sql, Proxy, Scratch};
use crate::support::slack::*;
use crate::support::temp_dir;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn paste(i: usize) -> serde_json::Value {
    let code = if i.is_multiple_of(2) {
        "UserErrorFsFreezeFailed"
    } else {
        "UserErrorSkuNotAvailable"
    };
    message_event(
        &format!("EvP{i}"),
        &format!("1700001{i:03}.000100"),
        &format!("job {i} failed: {code}"),
    )
}

#[test]
fn two_replicas_on_one_postgres_post_one_reply_per_paste() {
    let Some(admin) = admin_url("two_replicas") else {
        return;
    };
    let db = Scratch::new(&admin, "replicas");
    let fake = FakeSlack::start();
    let env = [("BACKUP_BOT__STORAGE__URL", db.url.clone())];
    let a = start_slack(&fake, false, &temp_dir("replica-a"), &env);
    let b = start_slack(&fake, false, &temp_dir("replica-b"), &env);
    const N: usize = 200;
    // Each event reaches both replicas at once; every other one is retried as well.
    std::thread::scope(|s| {
        for i in 0..N {
            let (a, b) = (&a, &b);
            s.spawn(move || {
                let ev = &paste(i);
                std::thread::scope(|t| {
                    t.spawn(move || assert_eq!(send_event(a, ev, &[]), 200));
                    t.spawn(move || assert_eq!(send_event(b, ev, &[]), 200));
                    if i.is_multiple_of(2) {
                        let retry = [("X-Slack-Retry-Num", "1".to_string())];
                        let to = if i.is_multiple_of(4) { a } else { b };
                        t.spawn(move || assert_eq!(send_event(to, ev, &retry), 200));
                    }
                });
            });
            if i % 20 == 19 {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    });
    fake.wait_for("chat.postMessage", N, Duration::from_secs(90));
    std::thread::sleep(Duration::from_secs(2));
    let posts = fake.calls("chat.postMessage");
    let mut per_paste: HashMap<String, usize> = HashMap::new();
    for p in &posts {
        *per_paste
            .entry(p.body["thread_ts"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let answered_twice = per_paste.values().filter(|&&n| n > 1).count();
    // Each paste reached both replicas, and every other one was retried once more.
    let row = Row {
        case: "two replicas on one PostgreSQL, every event at both, half retried".into(),
        events: 2 * N + N / 2,
        expected: N,
        seen: posts.len(),
        doubled: answered_twice,
        lost: N - per_paste.len(),
    };
    if row.lost > 0 || row.doubled > 0 {
        // What the replicas said, before the row fails the test.
        for bot in [a, b] {
            let logs = bot.logs();
            let worst: Vec<&str> = logs
                .lines()
                .filter(|l| l.contains("WARN") || l.contains("ERROR"))
                .take(20)
                .collect();
            println!("{}", worst.join("\n"));
        }
        record(row);
        return;
    }
    record(row);
    // The claims are in the database, one per paste.
    let n = sql(&db.url, &["SELECT COUNT(*)::text FROM message_claims"]);
    assert_eq!(n, vec![N.to_string()]);
    // An edit, handled by one replica and then by the other, updates the one reply in place.
    let edits = [
        (&a, "EvEditA", "now it says UserErrorSkuNotAvailable"),
        (&b, "EvEditB", "now it says UserErrorFsFreezeFailed"),
    ];
    for (n, (bot, id, text)) in edits.into_iter().enumerate() {
        assert_eq!(
            send_event(bot, &edit_event(id, "1700001000.000100", text), &[]),
            200
        );
        fake.wait_for("chat.update", n + 1, Duration::from_secs(15));
        settle();
    }
    let updates = fake.calls("chat.update");
    assert_eq!(updates.len(), 2, "{updates:#?}");
    assert_eq!(updates[0].body["ts"], updates[1].body["ts"]);
    quiet_for(&fake, "chat.postMessage", N, Duration::from_millis(300));
    drop((a, b));
}

/// Waits until `ok` holds (or fails the test after `within`).
fn until(what: &str, within: Duration, mut ok: impl FnMut() -> bool) {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn postgres_going_away_keeps_answers_and_stores_the_claims_when_it_returns() {
    let Some(admin) = admin_url("postgres_outage") else {
        return;
    };
    let db = Scratch::new(&admin, "outage");
    let proxy = Proxy::start(server_addr(&admin));
    let fake = FakeSlack::start();
    let env = [("BACKUP_BOT__STORAGE__URL", db.through(&proxy))];
    let bot = start_slack(&fake, false, &temp_dir("outage"), &env);
    let claims = || {
        sql(
            &db.url,
            &["SELECT message FROM message_claims ORDER BY message"],
        )
    };
    const N: usize = 30;
    const CUT: usize = 8;
    const RESTORE: usize = 20;
    let retry = [("X-Slack-Retry-Num", "1".to_string())];
    // Pastes flow at a steady pace, and Slack retries every third one right after; PostgreSQL
    // goes away for this replica while they flow, and comes back.
    let sent = AtomicUsize::new(0);
    let mut events = 0;
    let mut claims_before_return = Vec::new();
    let mut sent_at_cut = 0;
    std::thread::scope(|s| {
        let flow = s.spawn(|| {
            let mut events = 0;
            for i in 0..N {
                assert_eq!(send_event(&bot, &paste(i), &[]), 200);
                events += 1;
                if i % 3 == 2 {
                    assert_eq!(send_event(&bot, &paste(i), &retry), 200);
                    events += 1;
                }
                sent.store(i + 1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(100));
            }
            events
        });
        until("the pastes before the cut", Duration::from_secs(30), || {
            sent.load(Ordering::SeqCst) >= CUT
        });
        proxy.cut();
        sent_at_cut = sent.load(Ordering::SeqCst);
        until(
            "the pastes during the outage",
            Duration::from_secs(30),
            || sent.load(Ordering::SeqCst) >= RESTORE,
        );
        claims_before_return = claims();
        proxy.restore();
        events = flow.join().unwrap();
    });
    // Nothing taken while it was away reached it then (one paste may have been in flight).
    assert!(
        claims_before_return.len() <= sent_at_cut + 1,
        "{} claims in the database, {sent_at_cut} pastes sent before the cut",
        claims_before_return.len()
    );
    // Every paste answered; the claims taken meanwhile are written to it when it returns.
    fake.wait_for("chat.postMessage", N, Duration::from_secs(30));
    let end = Instant::now() + Duration::from_secs(20);
    while claims().len() < N && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        claims().len(),
        N,
        "every claim in the database: {:?} (sent before the cut: {sent_at_cut}, there before the return: {})",
        claims(),
        claims_before_return.len()
    );
    // Slack retries every paste (those answered during the outage, and those around the cut
    // and the return): each claim is in the database now, none is answered again.
    for i in 0..N {
        assert_eq!(send_event(&bot, &paste(i), &retry), 200);
        events += 1;
    }
    settle();
    std::thread::sleep(Duration::from_millis(500));
    let posts = fake.calls("chat.postMessage");
    let mut per_paste: HashMap<String, usize> = HashMap::new();
    for p in &posts {
        *per_paste
            .entry(p.body["thread_ts"].as_str().unwrap_or_default().to_string())
            .or_default() += 1;
    }
    record(Row {
        case: "PostgreSQL cut and restored under one replica while pastes flow".into(),
        events,
        expected: N,
        seen: posts.len(),
        doubled: per_paste.values().filter(|&&n| n > 1).count(),
        lost: (0..N)
            .filter(|i| !per_paste.contains_key(&format!("1700001{i:03}.000100")))
            .count(),
    });
    let logs = bot.logs();
    assert_eq!(
        logs.matches("the store went away").count(),
        1,
        "one warning, not one per message:\n{logs}"
    );
    assert!(logs.contains("the store is back"), "{logs}");
}

#[test]
fn a_replica_starts_without_postgres_and_uses_it_once_it_answers() {
    let Some(admin) = admin_url("postgres_late") else {
        return;
    };
    let db = Scratch::new(&admin, "late");
    let proxy = Proxy::start(server_addr(&admin));
    proxy.cut();
    let fake = FakeSlack::start();
    let env = [("BACKUP_BOT__STORAGE__URL", db.through(&proxy))];
    let bot = start_slack(&fake, false, &temp_dir("late"), &env);
    // Unreachable at start is not a refusal: the bot answers without it.
    assert_eq!(send_event(&bot, &paste(0), &[]), 200);
    fake.wait_for("chat.postMessage", 1, Duration::from_secs(20));
    proxy.restore();
    // Its tables are made when it answers, and the claim taken meanwhile is written to it.
    let claims = || {
        let made = sql(&db.url, &["SELECT to_regclass('message_claims')::text"]);
        if made.first().is_none_or(|t| t.is_empty()) {
            return 0;
        }
        sql(&db.url, &["SELECT message FROM message_claims"]).len()
    };
    until(
        "the claim taken before the store answered",
        Duration::from_secs(20),
        || claims() == 1,
    );
    let logs = bot.logs();
    assert!(logs.contains("cannot be reached"), "{logs}");
    assert!(logs.contains("the store is back"), "{logs}");
}
