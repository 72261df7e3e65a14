//! The real `serve` against the fake Slack: starting it, signing requests as Slack does, the
//! documented payloads, waiting for what the fake received.

use super::{bin, free_port, root};
use crate::fake_slack::FakeSlack;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

pub const SECRET: &str = "test-signing-secret";
pub const TOKEN: &str = "xoxb-test-token";
pub const PASTE: &str =
    "2026-11-20T03:12:44Z ERROR backup job for erp-app02 failed: UserErrorFsFreezeFailed";

/// The bot, running `serve` against a fake Slack; killed when dropped. Its log is read as it
/// comes (a full pipe would stop the bot).
pub struct Bot {
    pub child: Child,
    pub addr: String,
    log: Option<std::thread::JoinHandle<String>>,
}

impl Bot {
    /// Stops the bot and returns what it logged.
    pub fn logs(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default()
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` from `dir` against the fake Slack (HTTP events, or Socket Mode), with extra
/// environment variables; waits until it answers /healthz.
pub fn start_slack(fake: &FakeSlack, socket: bool, dir: &Path, env: &[(&str, String)]) -> Bot {
    start_slack_with(fake, socket, dir, env, None)
}

/// [`start_slack`], with the open-file limit lowered to `nofile` when given (`ulimit -n`).
pub fn start_slack_with(
    fake: &FakeSlack,
    socket: bool,
    dir: &Path,
    env: &[(&str, String)],
    nofile: Option<u32>,
) -> Bot {
    let port = free_port();
    let mut cmd = match nofile {
        None => bin(),
        Some(n) => {
            let mut sh = std::process::Command::new("sh");
            sh.arg("-c")
                .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                .arg(bin().get_program());
            sh
        }
    };
    cmd.arg("serve")
        .current_dir(dir)
        .env_remove("BACKUP_BOT_CONFIG")
        .env("BACKUP_BOT__SLACK__BOT_TOKEN", TOKEN)
        .env("BACKUP_BOT__SLACK__API_URL", fake.api_url())
        .env("BACKUP_BOT__HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .env("BACKUP_BOT_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if socket {
        cmd.env("BACKUP_BOT__SLACK__MODE", "socket")
            .env("BACKUP_BOT__SLACK__APP_TOKEN", "xapp-test-token");
    } else {
        cmd.env("BACKUP_BOT__SLACK__MODE", "http")
            .env("BACKUP_BOT__SLACK__SIGNING_SECRET", SECRET);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        let mut err = String::new();
        let _ = stderr.read_to_string(&mut err);
        err
    });
    let bot = Bot {
        child,
        addr: format!("127.0.0.1:{port}"),
        log: Some(log),
    };
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        if request(&bot.addr, "GET", "/healthz", &[], "").0 == 200 {
            return bot;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the bot did not start");
}

/// A minimal HTTP/1.1 client: (status, body).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &str,
) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return (0, String::new());
    };
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    if s.write_all(req.as_bytes()).is_err() {
        return (0, String::new());
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|x| x.1.to_string())
        .unwrap_or_default();
    (status, body)
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `v0=` + hex HMAC-SHA256 of `v0:{ts}:{body}`: Slack's documented signature.
pub fn sign(secret: &str, ts: u64, body: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

pub fn signed(
    bot: &Bot,
    path: &str,
    content_type: &str,
    body: &str,
    extra: &[(&str, String)],
) -> (u16, String) {
    let ts = now();
    let mut headers = vec![
        ("Content-Type", content_type.to_string()),
        ("X-Slack-Request-Timestamp", ts.to_string()),
        ("X-Slack-Signature", sign(SECRET, ts, body)),
    ];
    headers.extend(extra.iter().cloned());
    request(&bot.addr, "POST", path, &headers, body)
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/fixtures/slack").join(name)).unwrap()
}

/// The documented message event, with our channel, ts, text and event id.
pub fn message_event(event_id: &str, ts: &str, text: &str) -> Value {
    let mut v: Value = serde_json::from_str(&fixture("message.json")).unwrap();
    v["event_id"] = json!(event_id);
    v["event"]["ts"] = json!(ts);
    v["event"]["text"] = json!(text);
    v
}

/// A Socket Mode envelope of the Events API carrying `event` (an event callback).
pub fn envelope(id: &str, event: Value) -> Value {
    json!({"type": "events_api", "envelope_id": id, "accepts_response_payload": false, "payload": event})
}

/// Waits until `cond` holds, at most `within`; whether it held.
pub fn until(within: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + within;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() > end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

pub fn send_event(bot: &Bot, v: &Value, extra: &[(&str, String)]) -> u16 {
    signed(
        bot,
        "/slack/events",
        "application/json",
        &v.to_string(),
        extra,
    )
    .0
}

/// Lets the bot finish recording what it just posted (it does so right after Slack/Discord answers).
pub fn settle() {
    std::thread::sleep(Duration::from_millis(300));
}

pub fn quiet_for(fake: &FakeSlack, method: &str, n: usize, wait: Duration) {
    std::thread::sleep(wait);
    assert_eq!(
        fake.calls(method).len(),
        n,
        "{method}: {:#?}",
        fake.calls(method)
    );
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Presses a button (block_actions) on our message `message_ts`, in the thread `thread_ts` of
/// the fixture's channel.
pub fn press(bot: &Bot, fake: &FakeSlack, message_ts: &str, thread_ts: &str, action: &str) -> u16 {
    let v = press_payload(fake, message_ts, thread_ts, action);
    let form = format!("payload={}", url_encode(&v.to_string()));
    signed(
        bot,
        "/slack/interactions",
        "application/x-www-form-urlencoded",
        &form,
        &[],
    )
    .0
}

/// The documented block_actions payload of a press on our message `message_ts`, in the thread
/// `thread_ts` of the fixture's channel (its response URL named after the action).
pub fn press_payload(fake: &FakeSlack, message_ts: &str, thread_ts: &str, action: &str) -> Value {
    let mut v: Value = serde_json::from_str(&fixture("block_actions.json")).unwrap();
    v["container"]["message_ts"] = json!(message_ts);
    v["container"]["channel_id"] = json!("C024BE91L");
    v["channel"]["id"] = json!("C024BE91L");
    v["message"]["ts"] = json!(message_ts);
    v["message"]["thread_ts"] = json!(thread_ts);
    v["actions"][0]["action_id"] = json!(action);
    v["response_url"] = json!(fake.response_url(action));
    v
}

/// The documented slash command's fields, as `/backup-error TEXT` with the response URL `id`.
#[allow(dead_code)] // used by the load program (bench/load)
pub fn command_fields(fake: &FakeSlack, text: &str, id: &str) -> Vec<(String, String)> {
    fixture("slash_command.txt")
        .trim()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            let v = match k {
                "command" => "/backup-error".to_string(),
                "text" => text.to_string(),
                "response_url" => fake.response_url(id),
                _ => v.replace("%20", " "),
            };
            (k.to_string(), v)
        })
        .collect()
}

/// An edit of the message `ts` (message_changed), now saying `text`.
pub fn edit_event(event_id: &str, ts: &str, text: &str) -> Value {
    let mut v: Value = serde_json::from_str(&fixture("message_changed.json")).unwrap();
    v["event_id"] = json!(event_id);
    v["event"]["message"]["ts"] = json!(ts);
    v["event"]["message"]["text"] = json!(text);
    v
}

/// The action ids of a posted message's buttons.
pub fn action_ids(body: &Value) -> Vec<String> {
    body["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().unwrap())
        .map(|e| e["action_id"].as_str().unwrap().to_string())
        .collect()
}
