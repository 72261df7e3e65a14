//! Failing loudly and readiness: a token the platform refuses ends `serve` with one line that
//! names the platform, the key and what to do (non-zero, within 10 s); `/readyz` tells whether
//! the connections are up.

use crate::fake_discord::{self as fd, FakeDiscord};
use crate::fake_slack::FakeSlack;
use crate::support::slack::{request, start_slack, TOKEN};
use crate::support::{bin, free_port, temp_dir};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `cmd` to its end, killing it after `within`: (exit code, stderr).
fn ends_within(mut cmd: Command, within: Duration) -> (Option<i32>, String) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let until = Instant::now() + within;
    while Instant::now() < until {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            return (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    panic!(
        "still running after {within:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn slack_serve(fake: &FakeSlack, socket: bool) -> Command {
    let port = free_port();
    let mut cmd = bin();
    cmd.arg("serve")
        .current_dir(temp_dir(&format!("health-{port}")))
        .env_remove("BACKUP_BOT_CONFIG")
        .env("BACKUP_BOT__SLACK__BOT_TOKEN", TOKEN)
        .env("BACKUP_BOT__SLACK__API_URL", fake.api_url())
        .env("BACKUP_BOT__HTTP__LISTEN", format!("127.0.0.1:{port}"));
    if socket {
        cmd.env("BACKUP_BOT__SLACK__MODE", "socket")
            .env("BACKUP_BOT__SLACK__APP_TOKEN", "xapp-test-token");
    } else {
        cmd.env("BACKUP_BOT__SLACK__MODE", "http")
            .env("BACKUP_BOT__SLACK__SIGNING_SECRET", "test-signing-secret");
    }
    cmd
}

fn discord_serve(fake: &FakeDiscord) -> Command {
    let port = free_port();
    let mut cmd = bin();
    cmd.arg("serve")
        .current_dir(temp_dir(&format!("health-d-{port}")))
        .env_remove("BACKUP_BOT_CONFIG")
        .env("BACKUP_BOT__DISCORD__TOKEN", "fake-discord-token")
        .env("BACKUP_BOT__DISCORD__API_URL", fake.origin())
        .env("BACKUP_BOT__DISCORD__APPLICATION_ID", fd::APP_ID)
        .env("BACKUP_BOT__HTTP__LISTEN", format!("127.0.0.1:{port}"));
    cmd
}

/// The one line that says it, with the platform, the key and what to do.
fn one_line<'a>(err: &'a str, key: &str, code: &str) -> &'a str {
    let lines: Vec<&str> = err.lines().filter(|l| l.contains(key)).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains(code), "{err}");
    assert!(!err.contains("xoxb-test-token") && !err.contains("xapp-test-token"));
    assert!(!err.contains("fake-discord-token"));
    lines[0]
}

#[test]
fn a_bot_token_slack_refuses_ends_serve() {
    for code in [
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
    ] {
        let fake = FakeSlack::start();
        fake.refuse("auth.test", code);
        let (exit, err) = ends_within(slack_serve(&fake, false), Duration::from_secs(10));
        assert!(exit.is_some_and(|c| c != 0), "{exit:?} {err}");
        let line = one_line(&err, "slack.bot_token", code);
        assert!(line.contains("Slack") && line.contains("OAuth"), "{line}");
    }
}

#[test]
fn an_app_token_slack_refuses_ends_serve() {
    let fake = FakeSlack::start();
    fake.refuse("apps.connections.open", "invalid_auth");
    let (exit, err) = ends_within(slack_serve(&fake, true), Duration::from_secs(10));
    assert!(exit.is_some_and(|c| c != 0), "{exit:?} {err}");
    let line = one_line(&err, "slack.app_token", "invalid_auth");
    assert!(line.contains("connections:write"), "{line}");
    assert_eq!(fake.calls("apps.connections.open").len(), 1, "no retries");
}

#[test]
fn a_discord_token_refused_with_401_ends_serve() {
    let fake = FakeDiscord::start();
    fake.fail("GET /api/v10/gateway", &[401]);
    let (exit, err) = ends_within(discord_serve(&fake), Duration::from_secs(10));
    assert!(exit.is_some_and(|c| c != 0), "{exit:?} {err}");
    let line = one_line(&err, "discord.token", "401");
    assert!(line.contains("developer portal"), "{line}");
    assert_eq!(fake.connections(), 0, "no gateway connection tried");
}

#[test]
fn a_discord_token_closed_with_4004_ends_serve() {
    let fake = FakeDiscord::start();
    fake.close_after_identify(4004);
    let (exit, err) = ends_within(discord_serve(&fake), Duration::from_secs(10));
    assert!(exit.is_some_and(|c| c != 0), "{exit:?} {err}");
    one_line(&err, "discord.token", "4004");
}

fn readyz(addr: &str) -> (u16, Value) {
    let (status, body) = request(addr, "GET", "/readyz", &[], "");
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[test]
fn readyz_is_503_until_the_socket_is_connected() {
    let fake = FakeSlack::start();
    // Refused (a server error, not the token) for a while: the bot keeps trying.
    fake.fail("apps.connections.open", &[(500, None); 3]);
    let dir = temp_dir("health-ready");
    let bot = start_slack(&fake, true, &dir, &[]);
    let (status, body) = readyz(&bot.addr);
    assert_eq!(status, 503, "{body}");
    // A server error is Slack out of reach: down, retried with backoff.
    assert_eq!(body["slack"]["state"], "down", "{body}");
    assert_eq!(body["index"]["state"], "loaded", "{body}");
    assert_eq!(body["store"]["state"], "up", "{body}");
    assert_eq!(request(&bot.addr, "GET", "/healthz", &[], "").0, 200);
    let until = Instant::now() + Duration::from_secs(30);
    let mut last = (0, Value::Null);
    while Instant::now() < until {
        last = readyz(&bot.addr);
        if last.0 == 200 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(last.0, 200, "{}", last.1);
    assert_eq!(last.1["slack"]["state"], "connected");
    assert_eq!(last.1["ready"], true);
    assert!(fake.socket_connected());
    assert!(fake.calls("apps.connections.open").len() >= 4);
}

#[test]
fn readyz_names_the_discord_gateway() {
    let fake = FakeDiscord::start();
    let port = free_port();
    let mut cmd = discord_serve(&fake);
    cmd.env("BACKUP_BOT__HTTP__LISTEN", format!("127.0.0.1:{port}"));
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = format!("127.0.0.1:{port}");
    let until = Instant::now() + Duration::from_secs(30);
    let mut last = (0, Value::Null);
    while Instant::now() < until {
        last = readyz(&addr);
        if last.0 == 200 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(last.0, 200, "{}", last.1);
    assert_eq!(last.1["discord"]["state"], "connected");
}
