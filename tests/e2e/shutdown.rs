//! Graceful shutdown: on SIGTERM or SIGINT `serve` stops taking events, finishes the replies in
//! flight (at most 10 s), closes the connections and exits 0.

use crate::fake_discord::FakeDiscord;
use crate::fake_slack::FakeSlack;
use crate::support::slack::{message_event, send_event, start_slack, Bot, PASTE};
use crate::support::temp_dir;
use std::process::Command;
use std::time::{Duration, Instant};

fn signal(pid: u32, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name}");
}

/// Waits for the bot to exit: its exit code and its log.
fn exit_of(mut bot: Bot, within: Duration) -> (Option<i32>, String) {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if let Some(status) = bot.child.try_wait().unwrap() {
            return (status.code(), bot.logs());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("still running after {within:?}:\n{}", bot.logs());
}

#[test]
fn sigterm_with_a_reply_in_flight_delivers_it_and_exits_0() {
    let fake = FakeSlack::start();
    fake.delay("chat.postMessage", Duration::from_secs(2));
    let dir = temp_dir("shutdown-term");
    let bot = start_slack(&fake, false, &dir, &[]);
    let ev = message_event("Ev-shutdown", "1700000100.000100", PASTE);
    assert_eq!(send_event(&bot, &ev, &[]), 200);
    // The reply is on its way (Slack holds its answer back): now the signal.
    let posts = fake.wait_for("chat.postMessage", 1, Duration::from_secs(15));
    assert_eq!(posts.len(), 1);
    signal(bot.child.id(), "TERM");
    let (code, log) = exit_of(bot, Duration::from_secs(15));
    assert_eq!(code, Some(0), "{log}");
    // The runtime logs "replied" once Slack accepted the post: the reply was delivered.
    assert!(log.contains("replied"), "{log}");
    assert!(log.contains("finishing the replies in flight"), "{log}");
    assert!(log.contains("stopped"), "{log}");
    assert_eq!(fake.calls("chat.postMessage").len(), 1);
}

#[test]
fn sigint_in_socket_mode_closes_and_exits_0() {
    let fake = FakeSlack::start();
    let dir = temp_dir("shutdown-int");
    let bot = start_slack(&fake, true, &dir, &[]);
    let until = Instant::now() + Duration::from_secs(15);
    while !fake.socket_connected() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(fake.socket_connected());
    signal(bot.child.id(), "INT");
    let (code, log) = exit_of(bot, Duration::from_secs(15));
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("stopped"), "{log}");
}

#[test]
fn sigterm_closes_the_discord_gateway_and_exits_0() {
    let fake = FakeDiscord::start();
    let mut cmd = crate::support::bin();
    let port = crate::support::free_port();
    let mut child = cmd
        .arg("serve")
        .current_dir(temp_dir(&format!("shutdown-d-{port}")))
        .env_remove("BACKUP_BOT_CONFIG")
        .env("BACKUP_BOT__DISCORD__TOKEN", "fake-discord-token")
        .env("BACKUP_BOT__DISCORD__API_URL", fake.origin())
        .env(
            "BACKUP_BOT__DISCORD__APPLICATION_ID",
            crate::fake_discord::APP_ID,
        )
        .env("BACKUP_BOT__HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(fake.wait_connected(Duration::from_secs(20)));
    signal(child.id(), "TERM");
    let until = Instant::now() + Duration::from_secs(15);
    let mut code = None;
    while Instant::now() < until {
        if let Some(s) = child.try_wait().unwrap() {
            code = Some(s.code());
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if code.is_none() {
        let _ = child.kill();
    }
    let _ = child.wait();
    assert_eq!(code, Some(Some(0)));
}
