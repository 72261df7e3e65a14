//! Socket Mode faults, each a row of the fault table: connections dropped while events flow,
//! Slack's `disconnect` (refresh requested, then a warning), a connection gone half-open, and the
//! standby delivering while the active connection is killed and cannot be replaced. The bot keeps
//! two connections; the fake deals envelopes to them in turn and delivers again, on another
//! connection, those left unacknowledged for 3 s (those count as events too). Every paste is
//! answered once in its thread, and every acknowledgement comes on its envelope's connection.

use crate::fake_slack::FakeSlack;
use crate::support::faults::{record, Row};
use crate::support::slack::*;
use crate::support::temp_dir;
use std::time::{Duration, Instant};

/// The fake and the bot in Socket Mode, once both connections are open.
fn start(name: &str) -> (FakeSlack, Bot) {
    let fake = FakeSlack::start();
    let bot = start_slack(&fake, true, &temp_dir(name), &[]);
    assert!(
        until(Duration::from_secs(20), || fake.live_connections().len()
            == 2),
        "the bot opens two connections: {:?}",
        fake.open_connections()
    );
    (fake, bot)
}

/// Paste `i` of case `case`: its envelope id and its thread (the message's ts).
fn paste(case: u32, i: usize) -> (String, String) {
    (
        format!("env-{case}-{i}"),
        format!("17{case:02}000{i:03}.000100"),
    )
}

/// Delivers paste `i` on some open connection (`on` one when given), waiting for one to be open.
fn send(fake: &FakeSlack, case: u32, i: usize, on: Option<usize>) -> String {
    let (id, ts) = paste(case, i);
    let frame = envelope(&id, message_event(&format!("EvSock{case}x{i}"), &ts, PASTE));
    let sent = until(Duration::from_secs(30), || match on {
        Some(c) => fake.push_on(c, &frame),
        None => fake.push(&frame),
    });
    assert!(sent, "no connection open to deliver {id}");
    ts
}

/// Waits until every paste of `threads` is answered and no envelope waits for its
/// acknowledgement, then a little more (a late double would show), and records the row.
fn tally(fake: &FakeSlack, case: u32, what: &str, threads: &[String]) {
    let answered = |f: &FakeSlack| {
        let per = f.replies_per_thread();
        threads.iter().all(|t| per.contains_key(t)) && f.unacked().0 == 0
    };
    until(Duration::from_secs(60), || answered(fake));
    std::thread::sleep(Duration::from_millis(1_500));
    let per = fake.replies_per_thread();
    let count = |t: &String| per.get(t).copied().unwrap_or(0);
    let prefix = format!("env-{case}-");
    let events = fake
        .deliveries()
        .iter()
        .filter(|d| d.envelope_id.starts_with(&prefix))
        .count();
    assert!(
        fake.misplaced_acks().is_empty(),
        "acknowledged on another connection: {:?}",
        fake.misplaced_acks()
    );
    record(Row {
        case: what.into(),
        events,
        expected: threads.len(),
        seen: threads.iter().map(count).sum(),
        doubled: threads.iter().filter(|t| count(t) > 1).count(),
        lost: threads.iter().filter(|t| count(t) == 0).count(),
    });
}

fn pace() {
    std::thread::sleep(Duration::from_millis(100));
}

#[test]
fn socket_connections_dropped_while_events_flow_lose_and_double_nothing() {
    const N: usize = 30;
    let (fake, _bot) = start("socket-drops");
    let mut threads = Vec::new();
    for i in 0..N {
        if i % 10 == 5 {
            // The oldest connection ends without a word, envelopes possibly on their way.
            let first = fake.open_connections()[0];
            assert!(fake.drop_connection(first));
        }
        threads.push(send(&fake, 1, i, None));
        pace();
    }
    tally(
        &fake,
        1,
        "Socket Mode: 3 connections dropped while 30 pastes flow",
        &threads,
    );
    assert!(
        until(Duration::from_secs(20), || fake.live_connections().len()
            == 2),
        "each dropped connection is replaced: {:?}",
        fake.open_connections()
    );
    assert!(fake.connections() >= 5, "{} opened", fake.connections());
}

#[test]
fn socket_disconnect_messages_are_followed_without_losing_or_doubling() {
    const N: usize = 30;
    let (fake, _bot) = start("socket-disconnect");
    let mut threads = Vec::new();
    for i in 0..N {
        if i == 5 || i == 15 {
            let reason = if i == 5 {
                "refresh_requested"
            } else {
                "warning"
            };
            let old = fake.live_connections()[0];
            assert!(fake.disconnect(old, reason));
            // The bot closes the old connection itself, before Slack would (10 s), and opens a
            // new one.
            let opened = fake.connections();
            assert!(
                until(Duration::from_secs(8), || {
                    !fake.open_connections().contains(&old) && fake.connections() > opened
                }),
                "after `disconnect` ({reason}) the bot closes {old} and connects again: {:?}",
                fake.open_connections()
            );
        }
        threads.push(send(&fake, 2, i, None));
        pace();
    }
    tally(
        &fake,
        2,
        "Socket Mode: `disconnect` (refresh_requested, then warning) while 30 pastes flow",
        &threads,
    );
}

#[test]
fn a_half_open_socket_is_replaced_and_its_envelopes_come_again() {
    const N: usize = 30;
    let (fake, bot) = start("socket-half-open");
    let silent = fake.live_connections()[0];
    let began = Instant::now();
    assert!(fake.silence(silent));
    // Pastes keep coming: those dealt to the silent connection are lost on the way, never
    // acknowledged, and delivered again on the other one.
    let mut threads = Vec::new();
    let mut replaced = None;
    for i in 0..N {
        threads.push(send(&fake, 3, i, None));
        std::thread::sleep(Duration::from_millis(500));
        if replaced.is_none() && fake.live_connections().len() == 2 {
            replaced = Some(began.elapsed());
        }
    }
    if replaced.is_none()
        && until(Duration::from_secs(30), || {
            fake.live_connections().len() == 2
        })
    {
        replaced = Some(began.elapsed());
    }
    let replaced = replaced.expect("the half-open connection is replaced");
    println!(
        "half-open connection replaced after {:.1} s",
        replaced.as_secs_f64()
    );
    // Pinged every 5 s, dead after 10 s without a pong: well within half a minute (it took 88 s).
    assert!(replaced < Duration::from_secs(30), "{replaced:?}");
    tally(
        &fake,
        3,
        "Socket Mode: one connection half-open while 30 pastes flow",
        &threads,
    );
    let redelivered = fake.deliveries().iter().filter(|d| d.attempt > 0).count();
    assert!(
        redelivered > 0,
        "some envelopes were lost on the silent connection"
    );
    fake.drop_connection(silent);
    let logs = bot.logs();
    assert!(!logs.contains("erp-app02"), "no paste text in the log");
}

#[test]
fn the_standby_delivers_while_the_active_connection_is_killed_and_cannot_be_replaced() {
    const N: usize = 20;
    let (fake, bot) = start("socket-standby");
    let live = fake.live_connections();
    let (active, standby) = (live[0], live[1]);
    let mut threads = Vec::new();
    for i in 0..N / 2 {
        threads.push(send(&fake, 4, i, Some(active)));
        pace();
    }
    // Slack's edge refuses new connections, and the active one dies: only the standby is left.
    fake.refuse_socket();
    assert!(fake.drop_connection(active));
    assert!(until(Duration::from_secs(5), || !fake
        .open_connections()
        .contains(&active)));
    let mut ready = Vec::new();
    for i in N / 2..N {
        threads.push(send(&fake, 4, i, None));
        ready.push(request(&bot.addr, "GET", "/readyz", &[], "").0);
        pace();
    }
    for i in N / 2..N {
        let (id, _) = paste(4, i);
        let first = fake
            .deliveries()
            .into_iter()
            .find(|d| d.envelope_id == id)
            .unwrap();
        assert_eq!(first.connection, standby, "{id} goes to the standby");
    }
    tally(
        &fake,
        4,
        "Socket Mode: the active connection killed, the standby delivers",
        &threads,
    );
    // Connected all along: the standby is a connection.
    assert!(ready.iter().all(|&s| s == 200), "/readyz: {ready:?}");
    fake.accept_socket();
    assert!(
        until(Duration::from_secs(40), || fake.live_connections().len()
            == 2),
        "the killed connection is replaced once Slack lets it: {:?}",
        fake.open_connections()
    );
    let logs = bot.logs();
    assert!(
        !logs.contains("connection lost") && !logs.contains("down;"),
        "the link never went: {logs}"
    );
}
