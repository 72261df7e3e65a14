//! `GET /healthz` (the process is alive) and `GET /readyz`: 200 when the index is loaded and
//! every configured platform's connection is up, else 503, with a JSON body naming each part
//! and its state (a platform: `connected`; `disconnected` while it connects or reconnects;
//! `down` while it cannot be reached and the bot tries again with backoff). The store is named
//! too, but a store that is down only degrades the bot (it still answers, from memory), so it
//! never makes it unready. `GET /metrics`: the runtime's metrics in Prometheus text.

use axum::extract::State as Extract;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use backup_bot_discord::DiscordBot;
use backup_bot_index::LiveMatcher;
use backup_bot_runtime::{LinkState, State};
use backup_bot_slack::SlackBot;
use serde_json::{json, Value};
use std::sync::Arc;

/// How the Slack connection is watched.
#[derive(Clone)]
pub enum SlackLink {
    /// Socket Mode: up between Slack's hello and the socket's loss.
    Socket(Arc<SlackBot>),
    /// HTTP mode: Slack calls the bot; nothing to hold open.
    Http,
}

/// What readiness looks at.
#[derive(Clone)]
pub struct Parts {
    pub matcher: LiveMatcher,
    pub state: Arc<State>,
    pub slack: Option<SlackLink>,
    pub discord: Option<Arc<DiscordBot>>,
}

impl Parts {
    /// Whether the bot is ready, and each part's state.
    pub fn readiness(&self) -> (bool, Value) {
        let entries = self.matcher.current().entries().len();
        let mut ready = entries > 0;
        let mut body = json!({
            "index": { "state": if entries > 0 { "loaded" } else { "empty" }, "entries": entries },
            "store": { "state": if self.state.up() { "up" } else { "degraded" } },
        });
        if let Some(link) = &self.slack {
            let state = match link {
                SlackLink::Socket(bot) => bot.link.state(),
                SlackLink::Http => LinkState::Up,
            };
            ready &= state == LinkState::Up;
            body["slack"] = json!({ "state": state.as_str() });
        }
        if let Some(bot) = &self.discord {
            let state = bot.link.state();
            ready &= state == LinkState::Up;
            body["discord"] = json!({ "state": state.as_str() });
        }
        body["ready"] = json!(ready);
        (ready, body)
    }
}

async fn readyz(Extract(parts): Extract<Parts>) -> (StatusCode, Json<Value>) {
    let (ready, body) = parts.readiness();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

async fn metrics() -> impl axum::response::IntoResponse {
    use backup_bot_runtime::metrics;
    (
        [(axum::http::header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::render(),
    )
}

/// The health routes and `/metrics`.
pub fn routes(parts: Parts) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics))
        .route("/readyz", get(readyz))
        .with_state(parts)
}
