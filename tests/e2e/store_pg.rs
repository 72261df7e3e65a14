//! Several replicas on one PostgreSQL, and PostgreSQL going away for one of them (through a
//! TCP proxy the test cuts, never the machine's server). Skipped, with the reason printed, when
//! `TEST_POSTGRES_URL` is not set.

use crate::fake_slack::FakeSlack;
use crate::support::postgres::{admin_url, server_addr, sql, Proxy, Scratch};
use crate::support::slack::*;
use crate::support::temp_dir;
use std::collections::HashMap;
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
    println!(
        "replies expected: {N}, seen: {} (pastes answered: {}, answered twice: {})",
        posts.len(),
        per_paste.len(),
        per_paste.values().filter(|&&n| n > 1).count()
    );
    if per_paste.len() != N {
        for bot in [a, b] {
            let logs = bot.logs();
            let worst: Vec<&str> = logs
                .lines()
                .filter(|l| l.contains("WARN") || l.contains("ERROR"))
                .take(20)
                .collect();
            println!(
                "messages heard: {}",
                logs.matches(" message ").count() + logs.matches("\"message\"").count()
            );
            println!("{}", worst.join("\n"));
        }
        let missing: Vec<usize> = (0..N)
            .filter(|i| !per_paste.contains_key(&format!("1700001{i:03}.000100")))
            .collect();
        panic!(
            "{} of {N} pastes answered; not: {missing:?}",
            per_paste.len()
        );
    }
    assert!(per_paste.values().all(|&n| n == 1));
    assert_eq!(posts.len(), N);
    // The claims are in the database, one per paste.
    let n = sql(&db.url, &["SELECT COUNT(*)::text FROM message_claims"]);
    assert_eq!(n, vec![N.to_string()]);
    // An edit handled by either replica updates the one reply in place.
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
    assert_eq!(send_event(&bot, &paste(0), &[]), 200);
    fake.wait_for("chat.postMessage", 1, Duration::from_secs(15));
    until("the first claim", Duration::from_secs(10), || {
        claims().len() == 1
    });

    // PostgreSQL goes away for this replica: answers go on.
    proxy.cut();
    for i in 1..=3 {
        assert_eq!(send_event(&bot, &paste(i), &[]), 200);
        fake.wait_for("chat.postMessage", i + 1, Duration::from_secs(20));
    }
    assert_eq!(fake.calls("chat.postMessage").len(), 4);
    // A retry during the outage is still answered once (the claim held in memory).
    let retry = [("X-Slack-Retry-Num", "1".to_string())];
    assert_eq!(send_event(&bot, &paste(2), &retry), 200);
    quiet_for(&fake, "chat.postMessage", 4, Duration::from_millis(500));
    assert_eq!(
        claims().len(),
        1,
        "nothing reached the database while it was away"
    );

    // It returns: the claims taken meanwhile are written to it.
    proxy.restore();
    until(
        "the claims taken meanwhile",
        Duration::from_secs(20),
        || claims().len() == 4,
    );
    assert_eq!(send_event(&bot, &paste(4), &[]), 200);
    fake.wait_for("chat.postMessage", 5, Duration::from_secs(15));
    until(
        "the claim after the return",
        Duration::from_secs(10),
        || claims().len() == 5,
    );
    // A retry of a paste answered during the outage finds its claim in the database.
    assert_eq!(send_event(&bot, &paste(3), &retry), 200);
    quiet_for(&fake, "chat.postMessage", 5, Duration::from_millis(500));
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
