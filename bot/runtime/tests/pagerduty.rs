//! The PagerDuty client against the fake Events API on 127.0.0.1: trigger, acknowledge and
//! resolve carry one dedup key; failures are retried until PagerDuty answers (or the retries
//! run out); the routing key is never in an error or `Debug`.

#[path = "../../../tests/e2e/fake_pagerduty.rs"]
mod fake_pagerduty;

use backup_bot_runtime::pagerduty::{Alert, PagerDuty, Refused, Severity};
use backup_bot_runtime::RetryPolicy;
use fake_pagerduty::{Fail, FakePagerDuty};
use std::time::Duration;

const KEY: &str = "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12";

fn policy(times: usize) -> RetryPolicy {
    RetryPolicy {
        first: Duration::from_millis(10),
        times,
    }
}

fn alert(key: &str) -> Alert<'_> {
    Alert {
        dedup_key: key,
        summary: "UserErrorFsFreezeFailed — the file system could not be frozen (sap-01)",
        source: "slack C0123 via backup-bot",
        severity: Severity::Error,
        link: Some(("The thread", "https://example.slack.com/archives/C0123/p1")),
    }
}

#[tokio::test]
async fn trigger_acknowledge_and_resolve_reach_pagerduty_with_one_dedup_key() {
    let fake = FakePagerDuty::start().await;
    let pd = PagerDuty::new(&fake.url, KEY, policy(3));
    assert_eq!(pd.trigger(&alert("esc-17")).await.unwrap(), "esc-17");
    assert_eq!(pd.acknowledge("esc-17").await.unwrap(), "esc-17");
    assert_eq!(pd.resolve("esc-17").await.unwrap(), "esc-17");
    let actions: Vec<(String, String)> = fake.actions();
    assert_eq!(
        actions,
        [
            ("trigger".to_string(), "esc-17".to_string()),
            ("acknowledge".into(), "esc-17".into()),
            ("resolve".into(), "esc-17".into()),
        ]
    );
    let trigger = &fake.taken()[0];
    assert_eq!(trigger["routing_key"], KEY);
    assert_eq!(trigger["payload"]["severity"], "error");
    assert_eq!(trigger["payload"]["source"], "slack C0123 via backup-bot");
    assert_eq!(
        trigger["links"][0]["href"],
        "https://example.slack.com/archives/C0123/p1"
    );
    assert!(!format!("{pd:?}").contains(KEY));
}

#[tokio::test]
async fn server_errors_rate_limits_and_timeouts_are_retried_until_pagerduty_answers() {
    let fake = FakePagerDuty::start().await;
    let pd = PagerDuty::new(&fake.url, KEY, policy(4)).with_timeout(Duration::from_millis(300));
    fake.fail_next(&[
        Fail::Status(503),
        Fail::RateLimited { retry_after: 1 },
        Fail::Hang(Duration::from_secs(2)),
        Fail::Status(500),
    ]);
    assert_eq!(pd.trigger(&alert("esc-1")).await.unwrap(), "esc-1");
    assert_eq!(fake.attempts(), 5);
    assert_eq!(fake.actions().len(), 1);
}

#[tokio::test]
async fn pagerduty_down_is_said_without_the_key_and_later_calls_still_reach_it() {
    let fake = FakePagerDuty::start().await;
    let pd = PagerDuty::new(&fake.url, KEY, policy(2));
    fake.fail_next(&[Fail::Status(502); 3]);
    let err = pd.trigger(&alert("esc-2")).await.unwrap_err();
    assert!(matches!(err, Refused::Unreachable(_)), "{err:?}");
    assert!(err.to_string().contains("502"), "{err}");
    assert!(!format!("{err} {err:?}").contains(KEY));
    assert_eq!(fake.attempts(), 3, "bounded: the first try and two retries");
    assert!(fake.taken().is_empty());
    // Recovered: the acknowledgement and the resolution reach it, with the same key.
    pd.acknowledge("esc-2").await.unwrap();
    pd.resolve("esc-2").await.unwrap();
    assert_eq!(
        fake.actions(),
        [
            ("acknowledge".to_string(), "esc-2".to_string()),
            ("resolve".into(), "esc-2".into())
        ]
    );
}

#[tokio::test]
async fn an_invalid_event_is_refused_at_once_and_the_key_is_not_shown() {
    let fake = FakePagerDuty::start().await;
    let wrong = "not-a-real-routing-key";
    let pd = PagerDuty::new(&fake.url, wrong, policy(3));
    let err = pd.trigger(&alert("esc-3")).await.unwrap_err();
    match &err {
        Refused::Invalid(m) => {
            assert!(m.contains("400") && m.contains("routing_key"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    assert!(!format!("{err} {err:?} {pd:?}").contains(wrong));
    assert_eq!(fake.attempts(), 1, "a 400 is not retried");
    // Unreachable altogether (nothing listening): said, not retried for ever.
    let pd = PagerDuty::new("http://127.0.0.1:9/v2/enqueue", KEY, policy(1));
    let err = pd.resolve("esc-3").await.unwrap_err();
    assert!(matches!(err, Refused::Unreachable(_)), "{err:?}");
    assert!(!err.to_string().contains(KEY));
}
