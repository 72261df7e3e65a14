//! A platform out of reach: the real `serve` stays up, tries again with the capped backoff,
//! says once that the platform is down and once that it is back (the tries in between only at
//! debug), and `/readyz` names it down (503) until it is back; then it answers. Slack Socket
//! Mode and Discord's gateway, each with nothing listening on the platform's port at start, then
//! with the platform going away and coming back on the same port.

use crate::fake_discord::{self as fd, FakeDiscord};
use crate::fake_slack::FakeSlack;
use crate::support::slack::{message_event, request, PASTE, TOKEN};
use crate::support::{bin, free_port, temp_dir};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// `serve`, its log written to a file so that it can be read while it runs; killed when dropped.
struct Serve {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    fn start(name: &str, env: &[(&str, String)]) -> Serve {
        let dir = temp_dir(name);
        let log = dir.join("serve.log");
        let port = free_port();
        let mut cmd = bin();
        cmd.arg("serve")
            .current_dir(&dir)
            .env_remove("BACKUP_BOT_CONFIG")
            .env("BACKUP_BOT__HTTP__LISTEN", format!("127.0.0.1:{port}"))
            // Each failed try is said at debug: the test counts them.
            .env("BACKUP_BOT_LOG", "info,backup_bot_runtime::link=debug")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let serve = Serve {
            child: cmd.spawn().unwrap(),
            addr: format!("127.0.0.1:{port}"),
            log,
        };
        assert!(
            serve.until(Duration::from_secs(20), |s| s.readyz().0 != 0),
            "the HTTP listener starts: {}",
            serve.log()
        );
        serve
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Lines of the log that contain `what`.
    fn count(&self, what: &str) -> usize {
        self.log().lines().filter(|l| l.contains(what)).count()
    }

    fn readyz(&self) -> (u16, Value) {
        let (status, body) = request(&self.addr, "GET", "/readyz", &[], "");
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    /// Polls `done` until it holds (true) or `within` has passed (false).
    fn until(&self, within: Duration, done: impl Fn(&Serve) -> bool) -> bool {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if done(self) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        done(self)
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

/// While the platform is out of reach: at least `tries` more failed tries (each at debug),
/// `serve` still up, `/readyz` 503 naming the platform down, and still one warning.
fn down_for_several_tries(
    serve: &mut Serve,
    part: &str,
    name: &str,
    tries: usize,
    warnings: usize,
) {
    let still = format!("{name}: still down");
    let seen = serve.count(&still);
    assert!(
        serve.until(Duration::from_secs(30), |s| s.count(&still) >= seen + tries),
        "{tries} more tries while {name} is down:\n{}",
        serve.log()
    );
    assert!(serve.running(), "serve stays up:\n{}", serve.log());
    let (status, body) = serve.readyz();
    assert_eq!(status, 503, "{body}");
    assert_eq!(body[part]["state"], "down", "{body}");
    assert_eq!(body["ready"], false, "{body}");
    assert_eq!(
        serve.count(&format!("{name}: down;")),
        warnings,
        "one warning per outage, not one per try:\n{}",
        serve.log()
    );
}

/// Back: `/readyz` 200 with the platform connected, and one more line that says so.
fn back(serve: &Serve, part: &str, name: &str, times: usize) {
    assert!(
        serve.until(Duration::from_secs(45), |s| s.readyz().0 == 200),
        "ready again: {}\n{}",
        serve.readyz().1,
        serve.log()
    );
    assert_eq!(serve.readyz().1[part]["state"], "connected");
    assert!(
        serve.until(Duration::from_secs(5), |s| s
            .count(&format!("{name}: back"))
            >= times),
        "{}",
        serve.log()
    );
    assert_eq!(
        serve.count(&format!("{name}: back")),
        times,
        "{}",
        serve.log()
    );
}

fn slack_paste(fake: &FakeSlack, n: usize) {
    let event = message_event(&format!("EvNet{n}"), &format!("1700000900.00010{n}"), PASTE);
    let envelope = json!({"type": "events_api", "envelope_id": format!("env-net-{n}"), "accepts_response_payload": false, "payload": event});
    assert!(fake.push(&envelope), "the socket is connected");
    let posts = fake.wait_for("chat.postMessage", 1, Duration::from_secs(15));
    assert_eq!(posts.len(), 1, "the paste is answered");
}

#[test]
fn slack_socket_mode_out_of_reach_at_start_and_later_is_waited_for() {
    let port = free_port();
    let mut serve = Serve::start(
        &format!("net-slack-{port}"),
        &[
            ("BACKUP_BOT__SLACK__MODE", "socket".into()),
            ("BACKUP_BOT__SLACK__BOT_TOKEN", TOKEN.into()),
            ("BACKUP_BOT__SLACK__APP_TOKEN", "xapp-test-token".into()),
            (
                "BACKUP_BOT__SLACK__API_URL",
                format!("http://127.0.0.1:{port}/api"),
            ),
        ],
    );
    // Nothing listens on Slack's port yet: connection refused, try after try.
    down_for_several_tries(&mut serve, "slack", "Slack", 2, 1);

    let fake = FakeSlack::start_on(port);
    back(&serve, "slack", "Slack", 1);
    slack_paste(&fake, 1);

    // Slack goes away with the socket open, and comes back on the same port.
    drop(fake);
    down_for_several_tries(&mut serve, "slack", "Slack", 2, 2);
    assert_eq!(serve.count("Slack: connection lost"), 1, "{}", serve.log());
    let fake = FakeSlack::start_on(port);
    back(&serve, "slack", "Slack", 2);
    slack_paste(&fake, 2);

    let log = serve.log();
    assert!(!log.contains("xapp-test-token") && !log.contains(TOKEN));
    assert!(!log.contains("erp-app02"), "no paste text");
}

fn discord_paste(fake: &FakeDiscord, id: &str) {
    let paste = fd::message(id, fd::CHANNEL_ID, fd::user("4001", "alice", false), PASTE);
    assert!(
        fake.dispatch("MESSAGE_CREATE", paste),
        "the gateway is connected"
    );
    let posts = fake.wait_for(
        "POST /api/v10/channels/2001/messages",
        1,
        Duration::from_secs(15),
    );
    assert_eq!(posts.len(), 1, "the paste is answered");
}

#[test]
fn discord_gateway_out_of_reach_at_start_and_later_is_waited_for() {
    let port = free_port();
    let mut serve = Serve::start(
        &format!("net-discord-{port}"),
        &[
            ("BACKUP_BOT__DISCORD__TOKEN", "fake-discord-token".into()),
            (
                "BACKUP_BOT__DISCORD__API_URL",
                format!("http://127.0.0.1:{port}"),
            ),
            ("BACKUP_BOT__DISCORD__APPLICATION_ID", fd::APP_ID.into()),
        ],
    );
    down_for_several_tries(&mut serve, "discord", "Discord gateway", 2, 1);

    let fake = FakeDiscord::start_on(port);
    assert!(
        fake.wait_connected(Duration::from_secs(45)),
        "{}",
        serve.log()
    );
    back(&serve, "discord", "Discord gateway", 1);
    discord_paste(&fake, "1001");

    // Discord goes away with the gateway open (serenity's own reconnection fails for the grace,
    // then the backoff takes over), and comes back on the same port.
    drop(fake);
    down_for_several_tries(&mut serve, "discord", "Discord gateway", 2, 2);
    let fake = FakeDiscord::start_on(port);
    assert!(
        fake.wait_connected(Duration::from_secs(45)),
        "{}",
        serve.log()
    );
    back(&serve, "discord", "Discord gateway", 2);
    discord_paste(&fake, "1002");

    let log = serve.log();
    assert!(!log.contains("fake-discord-token"));
    assert!(!log.contains("erp-app02"), "no paste text");
}

/// Waits for `serve` to end by itself: its exit code.
fn ends(serve: &mut Serve, within: Duration) -> Option<i32> {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if let Some(status) = serve.child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("still running after {within:?}:\n{}", serve.log());
}

#[test]
fn a_token_refused_once_the_platform_answers_still_ends_serve() {
    // Slack: out of reach at start (the token could not be checked), then it answers
    // invalid_auth. The next try comes a second or more after a failed one: the fake is told to
    // refuse before then.
    let port = free_port();
    let mut serve = Serve::start(
        &format!("net-refused-{port}"),
        &[
            ("BACKUP_BOT__SLACK__MODE", "socket".into()),
            ("BACKUP_BOT__SLACK__BOT_TOKEN", TOKEN.into()),
            ("BACKUP_BOT__SLACK__APP_TOKEN", "xapp-test-token".into()),
            (
                "BACKUP_BOT__SLACK__API_URL",
                format!("http://127.0.0.1:{port}/api"),
            ),
        ],
    );
    down_for_several_tries(&mut serve, "slack", "Slack", 1, 1);
    let fake = FakeSlack::start_on(port);
    fake.refuse("apps.connections.open", "invalid_auth");
    let exit = ends(&mut serve, Duration::from_secs(30));
    assert!(exit.is_some_and(|c| c != 0), "{exit:?}");
    let log = serve.log();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("slack.app_token"))
        .collect();
    assert_eq!(lines.len(), 1, "{log}");
    assert!(lines[0].contains("invalid_auth") && lines[0].contains("connections:write"));
    assert!(!log.contains("xapp-test-token"));

    // Discord: out of reach at start, then `GET /gateway/bot` answers 401.
    let port = free_port();
    let mut serve = Serve::start(
        &format!("net-refused-d-{port}"),
        &[
            ("BACKUP_BOT__DISCORD__TOKEN", "fake-discord-token".into()),
            (
                "BACKUP_BOT__DISCORD__API_URL",
                format!("http://127.0.0.1:{port}"),
            ),
            ("BACKUP_BOT__DISCORD__APPLICATION_ID", fd::APP_ID.into()),
        ],
    );
    down_for_several_tries(&mut serve, "discord", "Discord gateway", 1, 1);
    let fake = FakeDiscord::start_on(port);
    fake.fail("GET /api/v10/gateway", &[401]);
    let exit = ends(&mut serve, Duration::from_secs(30));
    assert!(exit.is_some_and(|c| c != 0), "{exit:?}");
    let log = serve.log();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("discord.token"))
        .collect();
    assert_eq!(lines.len(), 1, "{log}");
    assert!(lines[0].contains("401") && lines[0].contains("developer portal"));
    assert_eq!(fake.connections(), 0, "no gateway connection tried");
    assert!(!log.contains("fake-discord-token"));
}
