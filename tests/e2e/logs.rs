//! Logs as a collector or a log file gets them: `log.format = "json"` is one JSON object per
//! line; the human format has no colour codes when standard error is not a terminal.

use crate::fake_slack::FakeSlack;
use crate::support::free_port;
use crate::support::slack::{fixture, now, request, sign};
use crate::support::{bin, temp_dir};
use serde_json::Value;
use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

const SECRET: &str = "test-signing-secret";
const PASTE: &str = "backup of erp-app02 failed: UserErrorFsFreezeFailed";

/// Runs `serve` (Slack, HTTP mode, against the fake) until it answers /healthz, sends it one
/// signed paste and waits for the reply, then stops it and returns what it wrote on standard
/// error.
fn serve_logs(fake: &FakeSlack, format: Option<&str>) -> String {
    let port = free_port();
    let dir = temp_dir(&format!("logs-{port}"));
    let addr = format!("127.0.0.1:{port}");
    let mut cmd = bin();
    cmd.arg("serve")
        .current_dir(&dir)
        .env_remove("BACKUP_BOT_CONFIG")
        .env_remove("NO_COLOR")
        .env("BACKUP_BOT__SLACK__BOT_TOKEN", "xoxb-test-token")
        .env("BACKUP_BOT__SLACK__MODE", "http")
        .env("BACKUP_BOT__SLACK__SIGNING_SECRET", SECRET)
        .env("BACKUP_BOT__SLACK__API_URL", fake.api_url())
        .env("BACKUP_BOT__HTTP__LISTEN", &addr)
        .env("BACKUP_BOT_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(f) = format {
        cmd.env("BACKUP_BOT__LOG__FORMAT", f);
    }
    let mut child = cmd.spawn().unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until && request(&addr, "GET", "/healthz", &[], "").0 != 200 {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut event: Value = serde_json::from_str(&fixture("message.json")).unwrap();
    event["event_id"] = serde_json::json!(format!("Ev{port}"));
    event["event"]["ts"] = serde_json::json!(format!("{port}.000100"));
    event["event"]["text"] = serde_json::json!(PASTE);
    let body = event.to_string();
    let before = fake.calls("chat.postMessage").len();
    let ts = now();
    let headers = [
        ("Content-Type", "application/json".to_string()),
        ("X-Slack-Request-Timestamp", ts.to_string()),
        ("X-Slack-Signature", sign(SECRET, ts, &body)),
    ];
    assert_eq!(
        request(&addr, "POST", "/slack/events", &headers, &body).0,
        200
    );
    let replies = fake.wait_for("chat.postMessage", before + 1, Duration::from_secs(15));
    assert_eq!(replies.len(), before + 1, "the paste was answered");
    std::thread::sleep(Duration::from_millis(200));
    let _ = child.kill();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let _ = child.wait();
    err
}

#[test]
fn json_logs_are_one_object_per_line() {
    let fake = FakeSlack::start();
    let err = serve_logs(&fake, Some("json"));
    let lines: Vec<Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(lines.len() >= 2, "{err}");
    for l in &lines {
        for key in ["timestamp", "level", "target", "message"] {
            assert!(l[key].is_string(), "{key} in {l}");
        }
    }
    let listener = lines
        .iter()
        .find(|l| l["message"] == "HTTP listener")
        .unwrap_or_else(|| panic!("{err}"));
    assert_eq!(listener["level"], "INFO");
    assert!(
        listener["listen"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:"),
        "the event's fields are keys of their own: {listener}"
    );
    let loaded = lines
        .iter()
        .find(|l| l["message"] == "content loaded")
        .unwrap();
    assert!(loaded["entries"].as_u64().unwrap() > 50, "{loaded}");
    // The event's ids are fields of their own; the paste's text is not logged.
    let heard = lines
        .iter()
        .find(|l| l["message"] == "message")
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        heard["event"].as_str().unwrap().starts_with("Ev"),
        "{heard}"
    );
    assert!(
        heard["channel"].is_string() && heard["ts"].is_string(),
        "{heard}"
    );
    let replied = lines.iter().find(|l| l["message"] == "replied").unwrap();
    assert!(
        replied["channel"].is_string() && replied["ts"].is_string(),
        "{replied}"
    );
    assert!(!err.contains("erp-app02"), "{err}");
    assert!(!err.contains("xoxb-test-token") && !err.contains(SECRET));
}

#[test]
fn human_logs_have_no_colour_codes_off_a_terminal() {
    let fake = FakeSlack::start();
    for format in [None, Some("human")] {
        let err = serve_logs(&fake, format);
        assert!(err.contains("HTTP listener"), "{err}");
        assert!(err.contains(" INFO "), "{err}");
        assert!(!err.contains('\u{1b}'), "escape codes: {err:?}");
    }
    // A wrong format is a configuration error that names the key.
    let out = bin()
        .args(["config", "check"])
        .env("BACKUP_BOT__LOG__FORMAT", "xml")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("log.format `xml` must be `human` or `json`")
    );
}

/// Waits (bounded) until `cond` holds.
fn wait_until(mut cond: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(15);
    while !cond() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A paste marker that no log line may carry.
const MARKER: &str = "PasteTextNeverLoggedQ7";

#[test]
fn a_socket_mode_message_the_adapter_cannot_read_is_logged_by_its_type_and_ids_only() {
    use crate::support::slack::{message_event, start_slack};
    // An envelope slack-morphism cannot read (an event id that is not a string).
    let fake = FakeSlack::start();
    let bot = start_slack(&fake, true, &temp_dir("logs-unreadable-socket"), &[]);
    wait_until(|| fake.socket_connected());
    let mut event = message_event("EvBad1", "1700000800.000100", MARKER);
    event["event_id"] = serde_json::json!(12345);
    event["event"]["channel"] = serde_json::json!({ "name": MARKER });
    let envelope = serde_json::json!({"type": "events_api", "envelope_id": "env-bad-1", "accepts_response_payload": false, "payload": event});
    assert!(fake.push(&envelope));
    wait_until(|| fake.acks().iter().any(|a| a["envelope_id"] == "env-bad-1"));
    // Still connected, still answering.
    let good = serde_json::json!({"type": "events_api", "envelope_id": "env-good", "accepts_response_payload": false,
        "payload": message_event("EvGood1", "1700000800.000200", PASTE)});
    assert!(fake.push(&good));
    assert_eq!(
        fake.wait_for("chat.postMessage", 1, Duration::from_secs(15))
            .len(),
        1
    );
    let err = bot.logs();
    let line = err
        .lines()
        .find(|l| l.contains("cannot read"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("env-bad-1") && line.contains("events_api"),
        "{line}"
    );
    assert!(!err.contains(MARKER), "{err}");
}

#[test]
fn an_http_event_the_adapter_cannot_read_is_logged_by_its_ids_only() {
    use crate::support::slack::{message_event, send_event, signed, start_slack};
    // Signed, but its fields do not read: the parser's message would quote them.
    let fake = FakeSlack::start();
    let bot = start_slack(&fake, false, &temp_dir("logs-unreadable-http"), &[]);
    let mut event = message_event("EvBad2", "1700000800.000300", MARKER);
    event["event_time"] = serde_json::json!(MARKER);
    event["event"]["ts"] = serde_json::json!({ "quoted": MARKER });
    assert_eq!(send_event(&bot, &event, &[]), 200);
    let form =
        format!("payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%22{MARKER}%22%7D");
    let (status, _) = signed(
        &bot,
        "/slack/interactions",
        "application/x-www-form-urlencoded",
        &form,
        &[],
    );
    assert_eq!(status, 200);
    std::thread::sleep(Duration::from_millis(300));
    let err = bot.logs();
    assert!(
        err.lines()
            .any(|l| l.contains("cannot read") && l.contains("EvBad2")),
        "{err}"
    );
    assert!(!err.contains(MARKER), "{err}");
}

#[test]
fn a_failed_socket_connection_never_logs_its_ticket() {
    use crate::support::slack::start_slack;
    let fake = FakeSlack::start();
    fake.refuse_socket();
    let bot = start_slack(&fake, true, &temp_dir("logs-ticket"), &[]);
    // The token's check, then each of the two connections tries twice (a ticket each time):
    // down once both have failed again.
    wait_until(|| fake.tickets().len() >= 5);
    std::thread::sleep(Duration::from_millis(500));
    let tickets = fake.tickets();
    assert!(tickets.len() >= 2, "{tickets:?}");
    let err = bot.logs();
    // The failure is said (once, by the link), and no line carries a socket URL's query.
    assert!(err.contains("Slack: down"), "the failure is logged: {err}");
    assert!(
        !err.contains("/socket?") || err.contains("/socket?[redacted]"),
        "{err}"
    );
    for t in &tickets {
        assert!(!err.contains(t.as_str()), "{t}: {err}");
    }
}
