//! PagerDuty's Events API v2: an escalation `trigger`s an alert whose `dedup_key` is the
//! escalation's id; `acknowledge` and `resolve` follow it with the same key. Server errors,
//! timeouts and rate limits (429, its `Retry-After` honoured) are retried a bounded number of
//! times with backoff; an invalid event (400) is not. The routing key is a secret: it is in the
//! request body only, never in a log line, an error or `Debug`.

use crate::retry::{retry, Failure, RetryPolicy, Wait};
use serde_json::{json, Value};
use std::time::Duration;

/// PagerDuty's own enqueue URL.
pub const EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

/// How long one request may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Events are retried 4 times from half a second (a 429 waits its `Retry-After`): bounded, so
/// the chat escalation is never held up for long by PagerDuty.
pub const RETRIES: RetryPolicy = RetryPolicy {
    first: Duration::from_millis(500),
    times: 4,
};

/// An Events API v2 client for one routing key.
#[derive(Clone)]
pub struct PagerDuty {
    http: reqwest::Client,
    url: String,
    routing_key: String,
    policy: RetryPolicy,
}

impl std::fmt::Debug for PagerDuty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PagerDuty")
            .field("url", &self.url)
            .field("routing_key", &"[redacted]")
            .finish()
    }
}

/// An alert's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Critical,
    Error,
    Warning,
    Info,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// What a `trigger` says.
#[derive(Debug, Clone)]
pub struct Alert<'a> {
    /// The escalation's id.
    pub dedup_key: &'a str,
    /// One line: the code and the title (PagerDuty keeps 1024 characters).
    pub summary: &'a str,
    /// Where: the channel or the workspace.
    pub source: &'a str,
    pub severity: Severity,
    /// (text, url): the thread.
    pub link: Option<(&'a str, &'a str)>,
}

/// An event PagerDuty did not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Refused for good (400: an invalid event, a wrong key): PagerDuty's message.
    Invalid(String),
    /// Not reached after every retry (server errors, timeouts, rate limits).
    Unreachable(String),
}

impl std::error::Error for Refused {}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Invalid(m) => write!(f, "PagerDuty refused the event: {m}"),
            Refused::Unreachable(m) => write!(f, "PagerDuty could not be reached: {m}"),
        }
    }
}

impl PagerDuty {
    /// A client sending to `url` (an enqueue URL) with `routing_key`.
    pub fn new(url: &str, routing_key: &str, policy: RetryPolicy) -> PagerDuty {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .unwrap_or_default();
        PagerDuty {
            http,
            url: url.to_string(),
            routing_key: routing_key.to_string(),
            policy,
        }
    }

    /// The same client with another time limit per request.
    pub fn with_timeout(mut self, timeout: Duration) -> PagerDuty {
        self.http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .unwrap_or_default();
        self
    }

    /// Triggers an alert; returns the dedup key PagerDuty answered with.
    pub async fn trigger(&self, a: &Alert<'_>) -> Result<String, Refused> {
        let mut event = json!({
            "routing_key": self.routing_key,
            "event_action": "trigger",
            "dedup_key": a.dedup_key,
            "client": "backup-bot",
            "payload": {
                "summary": short(a.summary, 1024),
                "source": short(a.source, 255),
                "severity": a.severity.as_str(),
            },
        });
        if let Some((text, href)) = a.link {
            event["links"] = json!([{ "href": href, "text": text }]);
            event["client_url"] = json!(href);
        }
        self.send(event).await
    }

    /// Acknowledges the alert of `dedup_key`.
    pub async fn acknowledge(&self, dedup_key: &str) -> Result<String, Refused> {
        self.follow("acknowledge", dedup_key).await
    }

    /// Resolves the alert of `dedup_key`.
    pub async fn resolve(&self, dedup_key: &str) -> Result<String, Refused> {
        self.follow("resolve", dedup_key).await
    }

    async fn follow(&self, action: &str, dedup_key: &str) -> Result<String, Refused> {
        self.send(json!({
            "routing_key": self.routing_key,
            "event_action": action,
            "dedup_key": dedup_key,
        }))
        .await
    }

    async fn send(&self, event: Value) -> Result<String, Refused> {
        let body = event.to_string();
        let key = event["dedup_key"].as_str().unwrap_or_default().to_string();
        let result = retry(self.policy, || async {
            let sent = self
                .http
                .post(&self.url)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    // reqwest names the URL; the key is in the body, never in the error.
                    return Err(Failure {
                        wait: Wait::Backoff,
                        error: anyhow::anyhow!(self.scrub(&e.without_url().to_string())),
                    });
                }
            };
            let status = resp.status();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let text = resp.text().await.unwrap_or_default();
            let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let said = |a: &Value| {
                let mut m = a["message"].as_str().unwrap_or("").to_string();
                if let Some(errors) = a["errors"].as_array() {
                    let e: Vec<&str> = errors.iter().filter_map(Value::as_str).collect();
                    if !e.is_empty() {
                        m.push_str(&format!(" ({})", e.join("; ")));
                    }
                }
                self.scrub(&format!("{status}: {m}"))
            };
            if status.is_success() {
                return Ok(answer["dedup_key"].as_str().unwrap_or(&key).to_string());
            }
            let wait = if status.as_u16() == 429 {
                retry_after.map_or(Wait::Backoff, Wait::After)
            } else if status.is_server_error() || status.as_u16() == 408 {
                Wait::Backoff
            } else {
                Wait::Never
            };
            Err(Failure {
                wait,
                error: anyhow::anyhow!(said(&answer)),
            })
        })
        .await;
        result.map_err(|f| match f.wait {
            Wait::Never => Refused::Invalid(format!("{:#}", f.error)),
            _ => Refused::Unreachable(format!("{:#}", f.error)),
        })
    }

    /// Text without the routing key (should PagerDuty, or anything, echo it).
    fn scrub(&self, text: &str) -> String {
        if self.routing_key.len() >= 4 {
            text.replace(&self.routing_key, "[redacted]")
        } else {
            text.to_string()
        }
    }
}

fn short(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
