//! `GET /metrics`: Prometheus text, read with a Prometheus text parser; every label value from
//! a fixed set, never a channel, a user or paste text.

use crate::fake_slack::FakeSlack;
use crate::support::slack::{message_event, request, send_event, settle, start_slack, PASTE};
use crate::support::temp_dir;
use prometheus_parse::{Sample, Scrape, Value};
use std::time::Duration;

fn scrape(addr: &str) -> (String, Vec<Sample>) {
    let (status, body) = request(addr, "GET", "/metrics", &[], "");
    assert_eq!(status, 200, "{body}");
    let lines = body.lines().map(|l| Ok(l.to_string()));
    let scrape = Scrape::parse(lines).expect("Prometheus text");
    (body, scrape.samples)
}

/// The value of the sample named `name` whose labels include `labels`.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .and_then(|s| match &s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => Some(*v),
            _ => None,
        })
}

#[test]
fn metrics_count_what_happened_in_prometheus_text() {
    let fake = FakeSlack::start();
    // The first post is rate limited, the second accepted.
    fake.fail("chat.postMessage", &[(429, Some(1))]);
    let dir = temp_dir("metrics");
    let bot = start_slack(&fake, false, &dir, &[]);
    let (_, before) = scrape(&bot.addr);
    let entries = value(&before, "backup_bot_content_entries_loaded", &[]).unwrap();
    assert!(entries > 10.0, "{entries}");
    assert_eq!(
        value(&before, "backup_bot_escalations_open", &[]),
        Some(0.0)
    );
    assert_eq!(
        value(&before, "backup_bot_reload_failures_total", &[]),
        Some(0.0)
    );

    let ev = message_event("Ev-metrics", "1700000200.000100", PASTE);
    assert_eq!(send_event(&bot, &ev, &[]), 200);
    let posts = fake.wait_for("chat.postMessage", 2, Duration::from_secs(20));
    assert_eq!(posts.len(), 2);
    settle();
    let (text, after) = scrape(&bot.addr);
    let slack = [("platform", "slack")];
    assert_eq!(
        value(&after, "backup_bot_messages_heard_total", &slack),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(&after, "backup_bot_replies_sent_total", &slack),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(&after, "backup_bot_matches_total", &[("reason", "code")]),
        Some(1.0),
        "{text}"
    );
    let send = [("platform", "slack"), ("method", "send")];
    assert_eq!(
        value(&after, "backup_bot_platform_rate_limited_total", &send),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(&after, "backup_bot_platform_api_errors_total", &send),
        Some(1.0),
        "{text}"
    );
    // The latency histogram saw the one reply (after the 1 s Retry-After).
    let count = after
        .iter()
        .find(|s| s.metric.starts_with("backup_bot_reply_latency_seconds"))
        .map(|s| match &s.value {
            Value::Histogram(h) => h.last().map_or(0.0, |b| b.count),
            Value::Untyped(v) | Value::Counter(v) => *v,
            _ => 0.0,
        });
    assert!(count.is_some(), "{text}");
    assert!(
        value(&after, "backup_bot_reply_latency_seconds_count", &slack) == Some(1.0)
            || count == Some(1.0),
        "{text}"
    );
    // Label values come from fixed sets only.
    let allowed = [
        "slack",
        "discord",
        "console",
        "send",
        "update",
        "delete",
        "respond",
        "code",
        "corrected",
        "numeric",
        "message",
        "symptom",
        "title",
        "question",
    ];
    for s in &after {
        for (k, v) in s.labels.iter() {
            assert!(
                k == "le" || allowed.contains(&v.as_str()),
                "{k}={v} in {}",
                s.metric
            );
        }
    }
    assert!(!text.contains("C024BE91L") && !text.contains("U2147483697"));
    assert!(!text.contains("FsFreeze") && !text.contains("erp-app02"));
}
