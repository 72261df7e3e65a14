//! HTTP mode: `POST /slack/events`, `/slack/commands`, `/slack/interactions`. Every request's
//! signature is verified first (a bad one gets 401 and nothing else happens); events are
//! acknowledged at once and worked on in a task.

use crate::run::SlackBot;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;
use std::sync::Arc;

#[derive(Clone)]
struct Http {
    bot: Arc<SlackBot>,
    verifier: Arc<SlackEventSignatureVerifier>,
}

/// The Slack routes, to merge into the server's router.
pub fn routes(bot: Arc<SlackBot>, signing_secret: &str) -> Router {
    let verifier = Arc::new(SlackEventSignatureVerifier::new(&SlackSigningSecret::new(
        signing_secret.to_string(),
    )));
    Router::new()
        .route("/slack/events", post(events))
        .route("/slack/commands", post(commands))
        .route("/slack/interactions", post(interactions))
        .with_state(Http { bot, verifier })
}

/// Checks `X-Slack-Signature` against the body and `X-Slack-Request-Timestamp` (at most five
/// minutes away), in constant time.
fn verified(http: &Http, headers: &HeaderMap, body: &[u8]) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(sig), Some(ts)) = (
        get(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER),
        get(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP),
    ) else {
        return false;
    };
    let Ok(body) = std::str::from_utf8(body) else {
        return false;
    };
    http.verifier.verify(sig, body, ts).is_ok()
}

fn refused() -> Response {
    tracing::warn!("a request with a bad or missing Slack signature was refused");
    (StatusCode::UNAUTHORIZED, "bad signature").into_response()
}

async fn events(State(http): State<Http>, headers: HeaderMap, body: Bytes) -> Response {
    if !verified(&http, &headers, &body) {
        return refused();
    }
    let raw: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return (StatusCode::BAD_REQUEST, "not JSON").into_response(),
    };
    if raw.get("type").and_then(|t| t.as_str()) == Some("url_verification") {
        let challenge = raw.get("challenge").cloned().unwrap_or_default();
        return Json(serde_json::json!({ "challenge": challenge })).into_response();
    }
    match serde_json::from_value::<SlackPushEvent>(raw.clone()) {
        Ok(SlackPushEvent::EventCallback(cb)) => {
            let raw_event = raw.get("event").cloned().unwrap_or_default();
            // Acknowledge first (Slack waits 3 seconds at most), then work.
            tokio::spawn(http.bot.clone().on_event(cb, raw_event));
            StatusCode::OK.into_response()
        }
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "an event the adapter cannot read");
            StatusCode::OK.into_response()
        }
    }
}

async fn commands(State(http): State<Http>, headers: HeaderMap, body: Bytes) -> Response {
    if !verified(&http, &headers, &body) {
        return refused();
    }
    let ev: SlackCommandEvent = match serde_urlencoded::from_bytes(&body) {
        Ok(ev) => ev,
        Err(e) => {
            tracing::warn!(error = %e, "a command the adapter cannot read");
            return (StatusCode::BAD_REQUEST, "bad command").into_response();
        }
    };
    Json(http.bot.on_command(&ev).await).into_response()
}

#[derive(serde::Deserialize)]
struct InteractionForm {
    payload: String,
}

async fn interactions(State(http): State<Http>, headers: HeaderMap, body: Bytes) -> Response {
    if !verified(&http, &headers, &body) {
        return refused();
    }
    let form: InteractionForm = match serde_urlencoded::from_bytes(&body) {
        Ok(f) => f,
        Err(_) => return (StatusCode::BAD_REQUEST, "no payload").into_response(),
    };
    match serde_json::from_str::<SlackInteractionEvent>(&form.payload) {
        Ok(SlackInteractionEvent::BlockActions(ba)) => {
            tokio::spawn(http.bot.clone().on_actions(ba));
        }
        // An empty 200 closes the modal; the work goes on in a task.
        Ok(SlackInteractionEvent::ViewSubmission(vs)) => {
            tokio::spawn(http.bot.clone().on_submission(vs));
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "an interaction the adapter cannot read"),
    }
    StatusCode::OK.into_response()
}
