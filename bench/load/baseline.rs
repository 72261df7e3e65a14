//! The simplest thing a team would otherwise run: an HTTP server taking the same signed Slack
//! requests, one case-insensitive `regex` per code the content names, and a reply with the
//! code and the troubleshooting page through chat.postMessage in the paste's thread. No store,
//! no retries told apart, no buttons. It runs as its own process (this program, started with
//! `--baseline`), so its CPU and memory are measured as the bot's are.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use regex::Regex;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PAGE: &str = "https://learn.microsoft.com/azure/backup/backup-azure-vms-troubleshoot";

struct Handler {
    secret: String,
    token: String,
    api_url: String,
    codes: Vec<(String, Regex)>,
    client: reqwest::Client,
}

impl Handler {
    fn code(&self, text: &str) -> Option<&str> {
        self.codes
            .iter()
            .find(|(_, re)| re.is_match(text))
            .map(|(c, _)| c.as_str())
    }

    fn verified(&self, headers: &HeaderMap, body: &[u8]) -> bool {
        let header = |k: &str| headers.get(k).and_then(|v| v.to_str().ok());
        let (Some(ts), Some(sig)) = (
            header("x-slack-request-timestamp"),
            header("x-slack-signature"),
        ) else {
            return false;
        };
        let Some(sig) = sig.strip_prefix("v0=").and_then(|h| hex::decode(h).ok()) else {
            return false;
        };
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(self.secret.as_bytes()).unwrap();
        mac.update(format!("v0:{ts}:").as_bytes());
        mac.update(body);
        mac.verify_slice(&sig).is_ok()
    }
}

/// `--baseline LISTEN API_URL SECRET TOKEN`: serves until killed.
pub fn serve(args: &[String]) {
    let [listen, api_url, secret, token, ..] = args else {
        panic!("--baseline LISTEN API_URL SECRET TOKEN");
    };
    let codes = crate::mix::codes()
        .into_iter()
        .map(|c| {
            let re = Regex::new(&format!(r"(?i)\b{}\b", regex::escape(&c))).unwrap();
            (c, re)
        })
        .collect();
    let h = Arc::new(Handler {
        secret: secret.clone(),
        token: token.clone(),
        api_url: api_url.clone(),
        codes,
        client: reqwest::Client::new(),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let app = Router::new()
            .route("/slack/events", post(events))
            .route("/slack/commands", post(commands))
            .route("/slack/interactions", post(interactions))
            .with_state(h);
        let listener = tokio::net::TcpListener::bind(listen.as_str())
            .await
            .unwrap();
        axum::serve(listener, app).await.unwrap();
    });
}

async fn events(State(h): State<Arc<Handler>>, headers: HeaderMap, body: Bytes) -> Response {
    if !h.verified(&headers, &body) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if v["type"] == "url_verification" {
        return Json(json!({"challenge": v["challenge"]})).into_response();
    }
    let ev = &v["event"];
    let person = ev["type"] == "message" && ev["bot_id"].is_null() && ev["subtype"].is_null();
    if let (true, Some(text)) = (person, ev["text"].as_str()) {
        if let Some(code) = h.code(text) {
            let reply = json!({
                "channel": ev["channel"], "thread_ts": ev["ts"],
                "text": format!("{code}: see {PAGE}")
            });
            let h = h.clone();
            tokio::spawn(async move {
                let _ = h
                    .client
                    .post(format!("{}/chat.postMessage", h.api_url))
                    .bearer_auth(&h.token)
                    .header("content-type", "application/json")
                    .body(reply.to_string())
                    .send()
                    .await;
            });
        }
    }
    StatusCode::OK.into_response()
}

async fn commands(State(h): State<Arc<Handler>>, headers: HeaderMap, body: Bytes) -> Response {
    if !h.verified(&headers, &body) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let text = form.get("text").map(String::as_str).unwrap_or("");
    let answer = match h.code(text) {
        Some(code) => format!("{code}: see {PAGE}"),
        None => "No known error code in that.".to_string(),
    };
    Json(json!({"response_type": "ephemeral", "text": answer})).into_response()
}

async fn interactions(State(h): State<Arc<Handler>>, headers: HeaderMap, body: Bytes) -> Response {
    if !h.verified(&headers, &body) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    StatusCode::OK.into_response()
}

/// The regex handler as its own process, killed when dropped.
pub struct Baseline {
    pub child: Child,
    pub addr: String,
}

impl Drop for Baseline {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts it against the fake Slack's `api_url`; waits until it listens.
pub fn start(api_url: &str, secret: &str, token: &str) -> Baseline {
    let addr = format!("127.0.0.1:{}", crate::support::free_port());
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--baseline", &addr, api_url, secret, token])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let b = Baseline { child, addr };
    let until = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(&b.addr).is_err() {
        assert!(Instant::now() < until, "the regex handler did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    b
}
