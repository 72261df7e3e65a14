//! No reply lost to Slack's errors or to a crash: replies go through the outbox, sent again
//! (honouring `Retry-After`) after the quick retries are spent, and after a SIGKILL by the next
//! process on the same store. Each case counts replies expected, seen, doubled and lost.

use crate::fake_slack::FakeSlack;
use crate::support::faults::{record, Row};
use crate::support::slack::*;
use crate::support::temp_dir;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Replies per paste thread among `posts` (each a successful chat.postMessage).
fn per_thread(posts: &[crate::fake_slack::Call]) -> HashMap<String, usize> {
    let mut n = HashMap::new();
    for p in posts {
        if let Some(t) = p.body["thread_ts"].as_str() {
            *n.entry(t.to_string()).or_insert(0) += 1;
        }
    }
    n
}

/// Every message Slack posted (whatever it answered), as calls.
fn posted_calls(fake: &FakeSlack) -> Vec<crate::fake_slack::Call> {
    fake.posted()
        .into_iter()
        .map(|(_, body)| crate::fake_slack::Call {
            method: "chat.postMessage".into(),
            body,
            auth: None,
            at: std::time::Instant::now(),
        })
        .collect()
}

fn paste(i: usize) -> (serde_json::Value, String) {
    let ts = format!("1700003{i:03}.000100");
    (message_event(&format!("EvD{i}"), &ts, PASTE), ts)
}

/// Waits until `n` calls of `method` were made (failed ones included).
fn calls_reach(fake: &FakeSlack, method: &str, n: usize, within: Duration) {
    let until = Instant::now() + within;
    while fake.calls(method).len() < n {
        assert!(
            Instant::now() < until,
            "{method}: {} of {n} calls",
            fake.calls(method).len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn replies_outlast_server_errors_and_rate_limits() {
    let fake = FakeSlack::start();
    let bot = start_slack(&fake, false, &temp_dir("delivery-errors"), &[]);
    // More 500s than the quick retries: the outbox sends it later.
    fake.fail("chat.postMessage", &[(500, None); 5]);
    let (ev, ts) = paste(1);
    assert_eq!(send_event(&bot, &ev, &[]), 200);
    calls_reach(&fake, "chat.postMessage", 6, Duration::from_secs(30));
    // Then a run of rate limits, each asking for a second.
    fake.fail("chat.postMessage", &[(429, Some(1)); 4]);
    let (ev2, ts2) = paste(2);
    assert_eq!(send_event(&bot, &ev2, &[]), 200);
    calls_reach(&fake, "chat.postMessage", 11, Duration::from_secs(30));
    settle();
    let all = fake.calls("chat.postMessage");
    // The last call of each thread is the one that went through; 9 answered with errors.
    let threads = per_thread(&all);
    let seen = all.len() - 9;
    record(Row {
        case: "500s beyond the quick retries, then 429s (Retry-After 1)".into(),
        events: 2,
        expected: 2,
        seen,
        doubled: seen.saturating_sub(2),
        lost: 2usize.saturating_sub(seen),
    });
    assert!(threads.contains_key(&ts) && threads.contains_key(&ts2));
    quiet_for(&fake, "chat.postMessage", 11, Duration::from_millis(1_500));
    let logs = bot.logs();
    assert!(logs.contains("replied from the outbox"), "{logs}");
}

#[test]
fn replies_waiting_when_the_process_is_killed_are_sent_by_the_next_one() {
    const N: usize = 6;
    let dir = temp_dir("delivery-kill");
    let down = FakeSlack::start();
    let bot = start_slack(&down, false, &dir, &[]);
    // Slack answers every post with 503 while the pastes come in.
    down.fail("chat.postMessage", &[(503, None); 1_000]);
    for i in 0..N {
        assert_eq!(send_event(&bot, &paste(i).0, &[]), 200);
    }
    // Each paste's quick retries are spent: its reply waits in the outbox.
    calls_reach(&down, "chat.postMessage", N * 3, Duration::from_secs(30));
    settle();
    // SIGKILL; then the next process, on the same store, against a Slack that answers.
    drop(bot);
    let up = FakeSlack::start();
    let bot = start_slack(&up, false, &dir, &[]);
    // A reply a sender of the killed process had taken waits out its lease (20 s) first.
    up.wait_for("chat.postMessage", N, Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(1_500));
    let posts = up.calls("chat.postMessage");
    let threads = per_thread(&posts);
    let doubled = threads.values().filter(|&&n| n > 1).count();
    let lost = (0..N)
        .filter(|&i| !threads.contains_key(&paste(i).1))
        .count();
    record(Row {
        case: format!("kill -9 with {N} replies waiting, then restart"),
        events: N,
        expected: N,
        seen: posts.len(),
        doubled,
        lost,
    });
    // Slack retries the events: answered already, nothing more.
    let retry = [("X-Slack-Retry-Num", "1".to_string())];
    for i in 0..N {
        assert_eq!(send_event(&bot, &paste(i).0, &retry), 200);
    }
    quiet_for(&up, "chat.postMessage", N, Duration::from_millis(800));
}

#[test]
fn a_reply_posted_but_answered_with_500_is_not_posted_again() {
    const N: usize = 20;
    let fake = FakeSlack::start();
    let bot = start_slack(&fake, false, &temp_dir("delivery-lost-answers"), &[]);
    // Half the posts go through but Slack's answer is a 500.
    fake.lose_answers(N / 2);
    for i in 0..N {
        assert_eq!(send_event(&bot, &paste(100 + i).0, &[]), 200);
    }
    let until = Instant::now() + Duration::from_secs(30);
    while per_thread(&posted_calls(&fake)).len() < N && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1_500));
    let posted = posted_calls(&fake);
    let threads = per_thread(&posted);
    let doubled = threads.values().filter(|&&n| n > 1).count();
    let lost = (0..N)
        .filter(|&i| !threads.contains_key(&paste(100 + i).1))
        .count();
    record(Row {
        case: "posted, but Slack answered 500 (half the posts)".into(),
        events: N,
        expected: N,
        seen: posted.len(),
        doubled,
        lost,
    });
    // Each lost answer was looked for before anything was sent again.
    assert!(fake.calls("conversations.replies").len() >= N / 2);
}
