//! HTTP mode: `POST /slack/events`, `/slack/commands`, `/slack/interactions`. Every request is
//! checked before its body is read: Slack's signature and timestamp headers present, the
//! timestamp within five minutes, a declared length within [`MAX_BODY`] (else 401 or 413, and
//! the body is never read). The body is then read within [`BODY_DEADLINE`] and at most
//! [`MAX_BODY`] bytes, and its signature verified (a bad one gets 401 and nothing else
//! happens); events are acknowledged at once and worked on in a task.

use crate::run::SlackBot;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use http_body_util::BodyExt;
use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;
use std::sync::Arc;
use std::time::Duration;

/// The largest body taken: Slack's events, commands and interactions are far below it.
pub const MAX_BODY: usize = 512 * 1024;
/// A body must arrive within this long of its headers.
pub const BODY_DEADLINE: Duration = Duration::from_secs(10);
/// How far a request's timestamp may be from now (Slack's own advice: five minutes).
pub const TIMESTAMP_WINDOW: u64 = 5 * 60;

#[derive(Clone)]
struct Http {
    bot: Arc<SlackBot>,
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
        .route_layer(middleware::from_fn_with_state(verifier, signed))
        .with_state(Http { bot })
}

/// Whether the headers are Slack's, before anything else: the signature present, the timestamp
/// a number within [`TIMESTAMP_WINDOW`] of now. Returns the two headers' values.
fn slack_headers(headers: &HeaderMap, now: u64) -> Option<(String, String)> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let sig = get(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER)?;
    let ts = get(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP)?;
    let at: u64 = ts.trim().parse().ok()?;
    if !sig.starts_with("v0=") || at.abs_diff(now) > TIMESTAMP_WINDOW {
        return None;
    }
    Some((sig.to_string(), ts.to_string()))
}

/// The checks every Slack request passes, headers first: a request that fails them costs no
/// more than its headers. The body goes on to the handler only when its signature is right.
async fn signed(
    State(verifier): State<Arc<SlackEventSignatureVerifier>>,
    req: Request,
    next: Next,
) -> Response {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let Some((sig, ts)) = slack_headers(req.headers(), now) else {
        return refused();
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    let limited = http_body_util::Limited::new(body, MAX_BODY);
    let body = match tokio::time::timeout(BODY_DEADLINE, limited.collect()).await {
        Err(_) => return (StatusCode::REQUEST_TIMEOUT, "body too slow").into_response(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return too_large(),
        Ok(Err(_)) => return (StatusCode::BAD_REQUEST, "body cut short").into_response(),
        Ok(Ok(b)) => b.to_bytes(),
    };
    let verified =
        std::str::from_utf8(&body).is_ok_and(|text| verifier.verify(&sig, text, &ts).is_ok());
    if !verified {
        return refused();
    }
    next.run(Request::from_parts(parts, Body::from(body))).await
}

fn too_large() -> Response {
    tracing::warn!(
        limit = MAX_BODY,
        "a Slack request over the body limit was refused"
    );
    (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response()
}

fn refused() -> Response {
    tracing::warn!("a request with a bad or missing Slack signature was refused");
    (StatusCode::UNAUTHORIZED, "bad signature").into_response()
}

async fn events(State(http): State<Http>, body: Bytes) -> Response {
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
            // Taken in (claimed, the reply in the outbox) before Slack is told, then worked on
            // (Slack waits 3 seconds at most; taking in is matching and two writes).
            if let Some(t) = http.bot.take(cb, raw_event).await {
                tokio::spawn(http.bot.clone().finish(t));
            }
            StatusCode::OK.into_response()
        }
        Ok(_) => StatusCode::OK.into_response(),
        Err(_) => {
            crate::unreadable::log("an event", &raw);
            StatusCode::OK.into_response()
        }
    }
}

async fn commands(State(http): State<Http>, body: Bytes) -> Response {
    let ev: SlackCommandEvent = match serde_urlencoded::from_bytes(&body) {
        Ok(ev) => ev,
        Err(_) => {
            // The parser's message may quote the command's text: not logged.
            tracing::warn!("a command the adapter cannot read (its content is not logged)");
            return (StatusCode::BAD_REQUEST, "bad command").into_response();
        }
    };
    Json(http.bot.on_command(&ev).await).into_response()
}

#[derive(serde::Deserialize)]
struct InteractionForm {
    payload: String,
}

async fn interactions(State(http): State<Http>, body: Bytes) -> Response {
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
        Err(_) => crate::unreadable::log(
            "an interaction",
            &serde_json::from_str(&form.payload).unwrap_or_default(),
        ),
    }
    StatusCode::OK.into_response()
}
