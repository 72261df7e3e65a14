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
