//! Discord's faults as rows of the fault suite, through the real `serve` (serenity inside)
//! against the fake Discord: the gateway dropped and resumed (what was dispatched meanwhile
//! replayed), an invalid session (a new IDENTIFY), runs of 429s longer than the quick retries
//! (sent from the outbox), and messages Discord made whose answers were lost (sent again with
//! the same nonce, which Discord answers with the first message). Each case counts the replies
//! the fake kept per paste.

use crate::fake_discord::{FakeDiscord, Lost, CHANNEL_ID};
use crate::support::discord::*;
use crate::support::faults::{record, Row};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Every paste gets the whole answer (no "answered above" pointer for the same error).
const NO_COOLDOWN: (&str, &str) = ("BACKUP_BOT__DEFAULTS__COOLDOWN", "0");

/// The bot's messages in the channel, per message they reply to.
fn replies_per_paste(fake: &FakeDiscord) -> HashMap<String, usize> {
    let mut n = HashMap::new();
    for m in fake.posted(CHANNEL_ID) {
        if let Some(id) = m["message_reference"]["message_id"].as_str() {
            *n.entry(id.to_string()).or_insert(0) += 1;
        }
    }
    n
}

/// Waits until each of `pastes` has a reply (or the time is up).
fn wait_replies(fake: &FakeDiscord, pastes: &[String], within: Duration) {
    let until = Instant::now() + within;
    while Instant::now() < until {
        let seen = replies_per_paste(fake);
        if pastes.iter().all(|p| seen.contains_key(p)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The row of a case: `pastes` each owed one reply.
fn row(fake: &FakeDiscord, case: &str, events: usize, pastes: &[String]) -> Row {
    let seen = replies_per_paste(fake);
    Row {
        case: case.into(),
        events,
        expected: pastes.len(),
        seen: seen.values().sum(),
        doubled: seen.values().filter(|&&n| n > 1).count(),
        lost: pastes.iter().filter(|p| !seen.contains_key(*p)).count(),
    }
}

fn ids(from: usize, n: usize) -> Vec<String> {
    (from..from + n).map(|i| i.to_string()).collect()
}

/// Waits until `ok` holds; false when the time ran out.
fn until(within: Duration, mut ok: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn the_gateway_resumes_and_what_was_dispatched_meanwhile_is_replayed_and_answered() {
    let fake = FakeDiscord::start();
    let bot = start(&fake, &[NO_COOLDOWN]);
    let pastes = ids(3001, 5);
    assert!(fake.dispatch("MESSAGE_CREATE", paste(&pastes[0], PASTE)));
    wait_replies(&fake, &pastes[..1], Duration::from_secs(15));
    // The connection drops; the pastes of the next moments reach Discord, not the bot.
    fake.hold_reconnects(true);
    fake.drop_connection();
    for p in &pastes[1..] {
        assert!(
            !fake.dispatch("MESSAGE_CREATE", paste(p, PASTE)),
            "dispatched while the bot is away"
        );
    }
    fake.hold_reconnects(false);
    assert!(
        until(Duration::from_secs(20), || !fake.received(6).is_empty()),
        "RESUME after the drop"
    );
    wait_replies(&fake, &pastes, Duration::from_secs(20));
    settle();
    std::thread::sleep(Duration::from_millis(700));
    let resume = fake.received(6);
    assert_eq!(resume.len(), 1, "{resume:#?}");
    assert_eq!(resume[0]["d"]["session_id"], "sess-1");
    assert_eq!(
        fake.replayed(),
        pastes.len() - 1,
        "the missed pastes replayed"
    );
    assert_eq!(fake.sessions(), 1, "resumed, not identified again");
    record(row(
        &fake,
        "Discord gateway dropped, resumed, missed dispatches replayed",
        pastes.len(),
        &pastes,
    ));
    drop(bot);
}

#[test]
fn an_invalid_session_is_followed_by_a_new_identify_and_nothing_is_doubled() {
    let fake = FakeDiscord::start();
    let bot = start(&fake, &[NO_COOLDOWN]);
    let pastes = ids(3101, 3);
    assert!(fake.dispatch("MESSAGE_CREATE", paste(&pastes[0], PASTE)));
    wait_replies(&fake, &pastes[..1], Duration::from_secs(15));
    settle();
    // Dropped; the RESUME is answered with op 9 (d: false): a new session must be identified.
    fake.invalidate_next_resume();
    fake.drop_connection();
    assert!(
        until(Duration::from_secs(30), || fake.sessions() == 2),
        "a new IDENTIFY after the invalid session: {:#?}",
        fake.received(2)
    );
    assert!(fake.wait_connected(Duration::from_secs(20)));
    assert_eq!(fake.received(6).len(), 1, "one RESUME, refused");
    assert_eq!(fake.received(2).len(), 2, "IDENTIFY, then IDENTIFY again");
    // The new session: the first paste seen again is not answered twice; new ones are.
    let mut events = 1;
    for p in [&pastes[0], &pastes[1], &pastes[2]] {
        assert!(fake.dispatch("MESSAGE_CREATE", paste(p, PASTE)));
        events += 1;
    }
    wait_replies(&fake, &pastes, Duration::from_secs(20));
    settle();
    std::thread::sleep(Duration::from_millis(700));
    record(row(
        &fake,
        "Discord invalid session (op 9), identified again",
        events,
        &pastes,
    ));
    drop(bot);
}

#[test]
fn a_run_of_429s_longer_than_the_quick_retries_is_sent_from_the_outbox() {
    let fake = FakeDiscord::start();
    let bot = start(&fake, &[NO_COOLDOWN]);
    // Each answer a 429 with `retry_after` and Discord's rate-limit headers; more of them than
    // the quick retries of all three pastes together.
    const RUN: usize = 60;
    fake.fail(POSTS, &[429; RUN]);
    let pastes = ids(3201, 3);
    for p in &pastes {
        assert!(fake.dispatch("MESSAGE_CREATE", paste(p, PASTE)));
    }
    wait_replies(&fake, &pastes, Duration::from_secs(90));
    settle();
    std::thread::sleep(Duration::from_millis(1_000));
    record(row(
        &fake,
        "Discord 429 run on message creation beyond the quick retries",
        pastes.len(),
        &pastes,
    ));
    let calls = fake.calls(POSTS);
    assert_eq!(calls.len(), RUN + pastes.len(), "every 429 was a try");
    let logs = bot.logs();
    assert!(logs.contains("replied from the outbox"), "{logs}");
}

#[test]
fn a_message_made_but_whose_answer_was_lost_is_not_made_again() {
    let fake = FakeDiscord::start();
    let _bot = start(&fake, &[NO_COOLDOWN]);
    // Discord makes each message, but the answer is lost: a 500, or the connection dropped.
    let lost = [
        Lost::Status500,
        Lost::Dropped,
        Lost::Status500,
        Lost::Dropped,
    ];
    fake.lose_answers(POSTS, &lost);
    let pastes = ids(3301, 6);
    for p in &pastes {
        assert!(fake.dispatch("MESSAGE_CREATE", paste(p, PASTE)));
    }
    wait_replies(&fake, &pastes, Duration::from_secs(30));
    settle();
    std::thread::sleep(Duration::from_millis(1_500));
    record(row(
        &fake,
        "Discord made the message, answer lost (500, dropped)",
        pastes.len(),
        &pastes,
    ));
    // Every try of a reply carries one nonce, with enforce_nonce: what keeps a retry from
    // making a second message.
    let mut tries: HashMap<String, Vec<serde_json::Value>> = HashMap::new();
    let calls = fake.calls(POSTS);
    for c in &calls {
        let to = c.body["message_reference"]["message_id"].as_str().unwrap();
        tries
            .entry(to.to_string())
            .or_default()
            .push(c.body.clone());
    }
    for (to, bodies) in &tries {
        let first = &bodies[0]["nonce"];
        assert!(first.is_string(), "{to}: no nonce");
        for b in bodies {
            assert_eq!(&b["nonce"], first, "{to}: the nonce changed between tries");
            assert_eq!(b["enforce_nonce"], true, "{to}");
        }
    }
    assert_eq!(
        calls.len(),
        pastes.len() + lost.len(),
        "each lost answer tried once more: {tries:#?}"
    );
}
