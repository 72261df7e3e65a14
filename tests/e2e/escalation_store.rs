//! Escalations across a crash, across replicas and across a PagerDuty outage, through the real
//! `serve` in Slack HTTP mode against the fake Slack and the fake PagerDuty: a reminder claimed
//! in the store comes once after a SIGKILL; two replicas on one PostgreSQL post one card and
//! send each reminder and the PagerDuty trigger once; a PagerDuty that fails, then recovers, is
//! said so in the thread and still gets the trigger and the acknowledgement.

use crate::fake_pagerduty::{Fail, FakePagerDuty};
use crate::fake_slack::{Call, FakeSlack};
use crate::support::postgres::{admin_url, sql, Scratch};
use crate::support::slack::*;
use crate::support::temp_dir;
use std::time::{Duration, Instant};

const THREAD: &str = "1700000500.000100";
const OPEN: &str = "escalation.open:user-error-fs-freeze-failed";
const KEY: &str = "0123456789abcdef0123456789abcdef";

fn text(c: &Call) -> String {
    c.body["text"].as_str().unwrap_or_default().to_string()
}

/// The ts the fake gave the n-th message posted (1-based).
fn ts_of(n: usize) -> String {
    format!("{}.000100", 1_700_000_000 + n)
}

fn oncall(ack_timeout: &str) -> Vec<(&'static str, String)> {
    vec![
        ("BACKUP_BOT__ESCALATION__SLACK_ONCALL", "S0ONCALL".into()),
        (
            "BACKUP_BOT__ESCALATION__SLACK_ONCALL_SECONDARY",
            "U0SECOND".into(),
        ),
        ("BACKUP_BOT__ESCALATION__ACK_TIMEOUT", ack_timeout.into()),
    ]
}

fn posts_saying(fake: &FakeSlack, what: &str) -> Vec<Call> {
    fake.calls("chat.postMessage")
        .into_iter()
        .filter(|c| text(c).contains(what))
        .collect()
}

/// Waits until `n` posts say `what`.
fn wait_saying(fake: &FakeSlack, what: &str, n: usize, within: Duration) -> Vec<Call> {
    let until = Instant::now() + within;
    loop {
        let found = posts_saying(fake, what);
        if found.len() >= n || Instant::now() > until {
            assert!(
                found.len() >= n,
                "{n} posts saying {what:?}: {:#?}",
                fake.calls("chat.postMessage")
            );
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A paste answered (post 1), then escalated with the button (the card: post 2).
fn paste_and_escalate(bot: &Bot, fake: &FakeSlack) -> Call {
    let paste = message_event("EvEsc1", THREAD, PASTE);
    assert_eq!(send_event(bot, &paste, &[]), 200);
    fake.wait_for("chat.postMessage", 1, Duration::from_secs(15));
    settle();
    assert_eq!(press(bot, fake, &ts_of(1), THREAD, OPEN), 200);
    wait_saying(fake, "Escalated", 1, Duration::from_secs(15)).remove(0)
}

#[test]
fn a_reminder_claimed_in_the_store_comes_once_after_a_sigkill() {
    let fake = FakeSlack::start();
    let dir = temp_dir("esc-sigkill");
    let env = oncall("3s");
    let bot = start_slack(&fake, false, &dir, &env);
    let card = paste_and_escalate(&bot, &fake);
    assert_eq!(
        card.body["thread_ts"], THREAD,
        "the card is in the paste's thread"
    );
    // Killed between the card and its reminder.
    drop(bot);
    let bot = start_slack(&fake, false, &dir, &env);
    let reminders = wait_saying(&fake, "still not acknowledged", 1, Duration::from_secs(20));
    assert_eq!(reminders[0].body["thread_ts"], THREAD);
    // Once: the next is due a whole ack_timeout later.
    std::thread::sleep(Duration::from_millis(1_500));
    assert_eq!(posts_saying(&fake, "still not acknowledged").len(), 1);
    // The new process counts the escalation opened before the kill.
    let (_, metrics) = request(&bot.addr, "GET", "/metrics", &[], "");
    assert!(
        metrics
            .lines()
            .any(|l| l.trim() == "backup_bot_escalations_open 1"),
        "{metrics}"
    );
    // Acknowledged: no more reminders, the card updated in place.
    let card_ts = ts_of(2);
    assert_eq!(
        press(&bot, &fake, &card_ts, THREAD, "escalation.ack:1"),
        200
    );
    let updates = fake.wait_for("chat.update", 1, Duration::from_secs(15));
    assert!(updates
        .iter()
        .any(|u| u.body["ts"] == card_ts.as_str() && text(u).contains("Escalated")));
    let seen = posts_saying(&fake, "still not acknowledged").len();
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(posts_saying(&fake, "still not acknowledged").len(), seen);
    drop(bot);
}

#[test]
fn two_replicas_on_one_postgres_post_one_card_and_page_once() {
    let Some(admin) = admin_url("esc_replicas") else {
        return;
    };
    let db = Scratch::new(&admin, "escreplicas");
    let fake = FakeSlack::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pd = rt.block_on(FakePagerDuty::start());
    let mut env = oncall("2s");
    env.push(("BACKUP_BOT__STORAGE__URL", db.url.clone()));
    env.push(("BACKUP_BOT__PAGERDUTY__ROUTING_KEY", KEY.into()));
    env.push(("BACKUP_BOT__PAGERDUTY__EVENTS_URL", pd.url.clone()));
    let a = start_slack(&fake, false, &temp_dir("esc-replica-a"), &env);
    let b = start_slack(&fake, false, &temp_dir("esc-replica-b"), &env);
    let paste = message_event("EvEscR", THREAD, PASTE);
    std::thread::scope(|s| {
        s.spawn(|| assert_eq!(send_event(&a, &paste, &[]), 200));
        s.spawn(|| assert_eq!(send_event(&b, &paste, &[]), 200));
    });
    fake.wait_for("chat.postMessage", 1, Duration::from_secs(15));
    settle();
    // Two people press "Escalate" at once, each reaching another replica.
    std::thread::scope(|s| {
        s.spawn(|| assert_eq!(press(&a, &fake, &ts_of(1), THREAD, OPEN), 200));
        s.spawn(|| assert_eq!(press(&b, &fake, &ts_of(1), THREAD, OPEN), 200));
    });
    wait_saying(&fake, "Escalated", 1, Duration::from_secs(15));
    // Reminders for a while: each due time once, whichever replica claims it.
    wait_saying(&fake, "still not acknowledged", 2, Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(500));
    let cards = posts_saying(&fake, "🚨 Escalated");
    assert_eq!(cards.len(), 1, "one card: {cards:#?}");
    let sent = posts_saying(&fake, "still not acknowledged").len();
    let claimed = sql(&db.url, &["SELECT reminders::text FROM escalations"]);
    assert_eq!(claimed.len(), 1, "one escalation");
    let claimed: usize = claimed[0].parse().unwrap();
    assert!(
        sent == claimed || sent + 1 == claimed,
        "each claimed reminder sent once (one may be in flight): sent {sent}, claimed {claimed}"
    );
    let triggers: Vec<String> = pd
        .actions()
        .into_iter()
        .filter(|(a, _)| a == "trigger")
        .map(|(_, k)| k)
        .collect();
    assert_eq!(triggers.len(), 1, "{triggers:?}");
    // Acknowledged on one replica: PagerDuty told with the same key; reminders stop on both.
    assert_eq!(press(&b, &fake, &ts_of(2), THREAD, "escalation.ack:1"), 200);
    let until = Instant::now() + Duration::from_secs(15);
    while !pd.actions().iter().any(|(a, _)| a == "acknowledge") && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        pd.actions()
            .contains(&("acknowledge".to_string(), triggers[0].clone())),
        "{:?}",
        pd.actions()
    );
    settle();
    let seen = posts_saying(&fake, "still not acknowledged").len();
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(posts_saying(&fake, "still not acknowledged").len(), seen);
    drop((a, b));
}

#[test]
fn pagerduty_failing_is_said_in_the_thread_and_told_again_when_it_recovers() {
    let fake = FakeSlack::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pd = rt.block_on(FakePagerDuty::start());
    // More failures than the bounded retries of one event.
    pd.fail_next(&[Fail::Status(503); 6]);
    let mut env = oncall("15m");
    env.push(("BACKUP_BOT__PAGERDUTY__ROUTING_KEY", KEY.into()));
    env.push(("BACKUP_BOT__PAGERDUTY__EVENTS_URL", pd.url.clone()));
    let bot = start_slack(&fake, false, &temp_dir("esc-pd"), &env);
    paste_and_escalate(&bot, &fake);
    let said = wait_saying(
        &fake,
        "PagerDuty could not be reached",
        1,
        Duration::from_secs(30),
    );
    assert_eq!(said[0].body["thread_ts"], THREAD);
    assert!(pd.actions().is_empty());
    // The card's timeline says so too.
    let updates = fake.wait_for("chat.update", 1, Duration::from_secs(15));
    assert!(
        text(updates.last().unwrap()).contains("could not reach PagerDuty")
            || updates
                .iter()
                .any(|u| u.body.to_string().contains("could not reach PagerDuty"))
    );
    // PagerDuty is back: acknowledging triggers first, then acknowledges, with one key.
    let card_ts = ts_of(2);
    assert_eq!(
        press(&bot, &fake, &card_ts, THREAD, "escalation.ack:1"),
        200
    );
    let until = Instant::now() + Duration::from_secs(15);
    while pd.actions().len() < 2 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    let actions = pd.actions();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert_eq!(actions[0].0, "trigger");
    assert_eq!(actions[1].0, "acknowledge");
    assert_eq!(actions[0].1, actions[1].1);
    // The routing key never reaches the log.
    let logs = bot.logs();
    assert!(!logs.contains(KEY));
}

#[test]
fn with_escalation_channel_the_card_goes_there_linked_both_ways() {
    let fake = FakeSlack::start();
    let mut env = oncall("15m");
    env.push(("BACKUP_BOT__ESCALATION__CHANNEL", "C0ESCALATE".into()));
    let bot = start_slack(&fake, false, &temp_dir("esc-channel"), &env);
    let card = paste_and_escalate(&bot, &fake);
    // The card: top level in the escalation channel, with a link to the paste's thread.
    assert_eq!(card.body["channel"], "C0ESCALATE");
    assert!(card.body["thread_ts"].is_null(), "{:#?}", card.body);
    let permalink_of_thread = format!(
        "https://example.slack.com/archives/C024BE91L/p{}",
        THREAD.replace('.', "")
    );
    assert!(
        card.body.to_string().contains(&permalink_of_thread),
        "{:#?}",
        card.body
    );
    // The paste's thread: a link to the card.
    let back = wait_saying(
        &fake,
        "Escalated to on-call as #1",
        1,
        Duration::from_secs(15),
    );
    let note = back
        .iter()
        .find(|c| c.body["thread_ts"] == THREAD)
        .expect("a note in the paste's thread");
    let card_link = format!(
        "https://example.slack.com/archives/C0ESCALATE/p{}",
        ts_of(2).replace('.', "")
    );
    assert!(
        note.body.to_string().contains(&card_link),
        "{:#?}",
        note.body
    );
    drop(bot);
}
