//! A fake PagerDuty Events API v2 on 127.0.0.1: `POST /v2/enqueue` answers as PagerDuty does
//! (202 `{"status":"success","message":"Event processed","dedup_key":…}`, 400 `invalid event`
//! with its errors, 429 with `Retry-After`), records the events it took, and can be told to
//! fail the next requests (a status, a rate limit, or no answer in time).

#![allow(dead_code)]

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the next request fails.
#[derive(Debug, Clone, Copy)]
pub enum Fail {
    /// This status (500, 502, 503…), with PagerDuty's kind of body.
    Status(u16),
    /// 429 with `Retry-After: secs`.
    RateLimited { retry_after: u64 },
    /// No answer for this long.
    Hang(Duration),
}

#[derive(Default)]
struct Inner {
    taken: Vec<Value>,
    attempts: usize,
    failures: VecDeque<Fail>,
}

/// A running fake; its address is `url`.
#[derive(Clone)]
pub struct FakePagerDuty {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakePagerDuty {
    pub async fn start() -> FakePagerDuty {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/v2/enqueue", post(enqueue))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakePagerDuty {
            url: format!("http://{addr}/v2/enqueue"),
            inner,
        }
    }

    /// The next requests fail as listed, in order.
    pub fn fail_next(&self, fails: &[Fail]) {
        self.inner
            .lock()
            .unwrap()
            .failures
            .extend(fails.iter().copied());
    }

    /// The events taken (202), in order.
    pub fn taken(&self) -> Vec<Value> {
        self.inner.lock().unwrap().taken.clone()
    }

    /// (event_action, dedup_key) of the events taken.
    pub fn actions(&self) -> Vec<(String, String)> {
        self.taken()
            .iter()
            .map(|e| {
                (
                    e["event_action"].as_str().unwrap_or("").to_string(),
                    e["dedup_key"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    /// Requests received, failed ones included.
    pub fn attempts(&self) -> usize {
        self.inner.lock().unwrap().attempts
    }
}

/// What the real API finds wrong with an event (its messages).
fn problems(e: &Value) -> Vec<String> {
    let mut p = Vec::new();
    match e["routing_key"].as_str() {
        Some(k) if k.len() == 32 => {}
        Some(_) => p.push("Length of 'routing_key' is incorrect (should be 32 characters)".into()),
        None => p.push("'routing_key' is missing or blank".into()),
    }
    match e["event_action"].as_str() {
        Some("trigger") => {
            for field in ["summary", "source", "severity"] {
                if e["payload"][field].as_str().is_none_or(str::is_empty) {
                    p.push(format!("'payload.{field}' is missing or blank"));
                }
            }
            let sev = e["payload"]["severity"].as_str().unwrap_or("");
            if !sev.is_empty() && !["critical", "error", "warning", "info"].contains(&sev) {
                p.push("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')".into());
            }
        }
        Some("acknowledge" | "resolve") => {
            if e["dedup_key"].as_str().is_none_or(str::is_empty) {
                p.push("'dedup_key' is missing or blank".into());
            }
        }
        _ => p.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')".into()),
    }
    p
}

async fn enqueue(State(inner): State<Arc<Mutex<Inner>>>, body: String) -> Response {
    let fail = {
        let mut i = inner.lock().unwrap();
        i.attempts += 1;
        i.failures.pop_front()
    };
    match fail {
        Some(Fail::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap();
            return (
                status,
                Json(json!({"status": "error", "message": "Internal error"})),
            )
                .into_response();
        }
        Some(Fail::RateLimited { retry_after }) => {
            let mut h = HeaderMap::new();
            h.insert("retry-after", HeaderValue::from(retry_after));
            return (
                StatusCode::TOO_MANY_REQUESTS,
                h,
                Json(json!({"status": "throttle event", "message": "Requests for this service are arriving too quickly. Please retry later."})),
            )
                .into_response();
        }
        Some(Fail::Hang(d)) => {
            tokio::time::sleep(d).await;
            return StatusCode::GATEWAY_TIMEOUT.into_response();
        }
        None => {}
    }
    let Ok(event) = serde_json::from_str::<Value>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"status": "invalid event", "message": "Event object is invalid", "errors": ["Could not parse JSON"]})),
        )
            .into_response();
    };
    let p = problems(&event);
    if !p.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"status": "invalid event", "message": "Event object is invalid", "errors": p})),
        )
            .into_response();
    }
    let key = event["dedup_key"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("generated-{}", inner.lock().unwrap().taken.len()));
    inner.lock().unwrap().taken.push(event);
    (
        StatusCode::ACCEPTED,
        Json(json!({"status": "success", "message": "Event processed", "dedup_key": key})),
    )
        .into_response()
}
