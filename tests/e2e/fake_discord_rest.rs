//! The fake Discord's REST routes, as Discord's documentation describes them: messages made,
//! read, edited and deleted (a repeated `nonce` with `enforce_nonce` answered with the first
//! message), threads made from messages, channels, interaction callbacks (one initial response
//! each), webhook follow-ups, application commands, attachments. Rate limits answer 429 with
//! `retry_after` and the `Retry-After` and `X-RateLimit-*` headers; an answer can be lost after
//! the request was carried out (a 500, or the connection dropped).

use super::{message, user, Call, Lost, Shared, APP_ID, BOT_ID, CHANNEL_ID, GUILD_ID};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How long Discord holds a nonce for `enforce_nonce` ("the past few minutes").
const NONCE_FOR: Duration = Duration::from_secs(5 * 60);

pub(super) async fn rest(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let key = format!("{method} {}", uri.path());
    let answer = carry_out(&shared, method, uri, body).await;
    if answer.status() != StatusCode::OK && answer.status() != StatusCode::NO_CONTENT {
        return answer;
    }
    let lost = {
        let mut g = shared.inner.lock().unwrap();
        g.lost
            .iter_mut()
            .find(|(p, _)| key.starts_with(p.as_str()))
            .and_then(|(_, q)| q.pop_front())
    };
    match lost {
        None => answer,
        Some(Lost::Status500) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500: Internal Server Error",
            0,
        ),
        Some(Lost::Dropped) => Response::new(Body::new(Dropped)),
    }
}

/// A body that fails at once: hyper closes the connection without finishing the answer.
struct Dropped;

impl hyper::body::Body for Dropped {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        std::task::Poll::Ready(Some(Err(std::io::Error::other("connection dropped"))))
    }
}

/// What Discord does with a request (before its answer may be lost).
async fn carry_out(shared: &Shared, method: Method, uri: Uri, body: Bytes) -> Response {
    let path = uri.path().to_string();
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let key = format!("{method} {path}");
    let failure = {
        let mut g = shared.inner.lock().unwrap();
        let now = Instant::now();
        let started: Vec<(String, f64)> = g
            .rate_limits
            .iter()
            .filter(|(p, _)| key.starts_with(p.as_str()))
            .map(|(p, s)| (p.clone(), *s))
            .collect();
        for (p, secs) in started {
            g.rate_limits.remove(&p);
            g.limited_until
                .insert(p, now + Duration::from_secs_f64(secs));
        }
        let left = g
            .limited_until
            .iter()
            .filter(|(p, until)| key.starts_with(p.as_str()) && **until > now)
            .map(|(_, until)| *until - now)
            .max();
        g.calls.push(Call {
            method: method.to_string(),
            path: path.clone(),
            body: parsed.clone(),
            limited: left.is_some(),
            at: now,
        });
        if let Some(left) = left {
            return rate_limited(left);
        }
        let mut hit = None;
        for (prefix, q) in g.failures.iter_mut() {
            if key.starts_with(prefix.as_str()) {
                hit = q.pop_front();
                break;
            }
        }
        hit
    };
    match failure {
        Some(429) => return rate_limited(Duration::from_millis(200)),
        Some(status) => {
            let status = StatusCode::from_u16(status).unwrap();
            return error(status, &status.to_string(), 0);
        }
        None => {}
    }
    let next_id = || {
        let mut g = shared.inner.lock().unwrap();
        g.next_id += 1;
        g.next_id.to_string()
    };
    let seg: Vec<&str> = path
        .trim_start_matches("/api/v10/")
        .trim_start_matches('/')
        .split('/')
        .collect();
    let ok = |v: Value| (StatusCode::OK, Json(v)).into_response();
    let me = user(BOT_ID, "backup-bot", true);
    match (method.as_str(), seg.as_slice()) {
        ("GET", ["gateway"]) | ("GET", ["gateway", "bot"]) => ok(json!({
            "url": format!("ws://{}", shared.addr), "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        })),
        ("GET", ["users", "@me"]) => ok(me),
        ("GET", ["attachments", id, _name]) => {
            let text = shared.inner.lock().unwrap().attachments.get(*id).cloned();
            match text {
                Some(t) => t.into_response(),
                None => StatusCode::NOT_FOUND.into_response(),
            }
        }
        ("POST", ["channels", c, "messages"]) => {
            // Discord: with `enforce_nonce`, a nonce the bot used in this channel within the
            // past few minutes is answered with the message made then, and nothing is made.
            let nonce = match &parsed["nonce"] {
                Value::String(n) => Some(n.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
            .filter(|_| parsed["enforce_nonce"] == true);
            let mut g = shared.inner.lock().unwrap();
            let earlier = nonce
                .as_ref()
                .and_then(|n| g.nonces.get(&(c.to_string(), n.clone())))
                .filter(|(_, at)| at.elapsed() < NONCE_FOR)
                .and_then(|(id, _)| g.messages.get(&(c.to_string(), id.clone())));
            if let Some(m) = earlier {
                return ok(m.clone());
            }
            g.next_id += 1;
            let id = g.next_id.to_string();
            let mut m = message(&id, c, me, parsed["content"].as_str().unwrap_or(""));
            for k in ["embeds", "components"] {
                m[k] = parsed.get(k).cloned().unwrap_or(json!([]));
            }
            for k in ["message_reference", "nonce"] {
                if let Some(v) = parsed.get(k) {
                    m[k] = v.clone();
                }
            }
            g.messages.insert((c.to_string(), id.clone()), m.clone());
            if let Some(n) = nonce {
                g.nonces.insert((c.to_string(), n), (id, Instant::now()));
            }
            drop(g);
            ok(m)
        }
        ("GET", ["channels", c, "messages", m]) => {
            let g = shared.inner.lock().unwrap();
            match g.messages.get(&(c.to_string(), m.to_string())) {
                Some(v) => ok(v.clone()),
                None => error(StatusCode::NOT_FOUND, "Unknown Message", 10008),
            }
        }
        ("PATCH", ["channels", c, "messages", m]) => {
            let mut g = shared.inner.lock().unwrap();
            let key = (c.to_string(), m.to_string());
            let mut v = g
                .messages
                .get(&key)
                .cloned()
                .unwrap_or_else(|| message(m, c, me, ""));
            for k in ["content", "embeds", "components"] {
                if let Some(x) = parsed.get(k) {
                    v[k] = x.clone();
                }
            }
            v["edited_timestamp"] = json!("2024-01-01T00:00:01.000000+00:00");
            g.messages.insert(key, v.clone());
            drop(g);
            ok(v)
        }
        ("DELETE", ["channels", _, "messages", _]) => StatusCode::NO_CONTENT.into_response(),
        ("POST", ["channels", c, "messages", m, "threads"]) => {
            // Discord: the thread has the message's id; a message has one thread at most.
            let mut g = shared.inner.lock().unwrap();
            if g.threads.contains_key(*m) {
                drop(g);
                return error(
                    StatusCode::BAD_REQUEST,
                    "A thread has already been created for this message",
                    160004,
                );
            }
            let t = json!({
                "id": m, "type": 11, "name": parsed["name"], "guild_id": GUILD_ID, "parent_id": c
            });
            g.threads.insert(m.to_string(), t.clone());
            drop(g);
            ok(t)
        }
        ("GET", ["channels", c]) => {
            let g = shared.inner.lock().unwrap();
            match g.threads.get(*c) {
                Some(t) => ok(t.clone()),
                None if *c == CHANNEL_ID => ok(json!({
                    "id": c, "type": 0, "name": "backups", "guild_id": GUILD_ID, "position": 0
                })),
                None => error(StatusCode::NOT_FOUND, "Unknown Channel", 10003),
            }
        }
        ("POST", ["interactions", id, _, "callback"]) => {
            if !shared.inner.lock().unwrap().answered.insert(id.to_string()) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "Interaction has already been acknowledged.",
                    40060,
                );
            }
            StatusCode::NO_CONTENT.into_response()
        }
        ("POST", ["webhooks", _, _]) => ok(message(&next_id(), CHANNEL_ID, me, "")),
        ("PUT", ["applications", _, rest @ ..]) => {
            let guild = (rest.first() == Some(&"guilds"))
                .then(|| rest.get(1).copied())
                .flatten();
            let cmds: Vec<Value> = parsed
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(i, c)| json!({
                    "id": (6000 + i).to_string(), "type": 1, "application_id": APP_ID, "guild_id": guild,
                    "name": c["name"], "description": c["description"], "options": c["options"], "version": "1"
                }))
                .collect();
            ok(Value::Array(cmds))
        }
        _ => (
            StatusCode::NOT_FOUND,
            Json(json!({"message": "404: Not Found", "code": 0})),
        )
            .into_response(),
    }
}

/// Discord's 429 while a bucket is exhausted, as its documentation shows it: the JSON body with
/// `retry_after` in seconds, and the rate-limit headers.
fn rate_limited(left: Duration) -> Response {
    let secs = left.as_secs_f64();
    let body =
        json!({"message": "You are being rate limited.", "retry_after": secs, "global": false});
    let mut r = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    let h = r.headers_mut();
    h.insert(
        "retry-after",
        (secs.ceil() as u64).to_string().parse().unwrap(),
    );
    h.insert("x-ratelimit-limit", "5".parse().unwrap());
    h.insert("x-ratelimit-remaining", "0".parse().unwrap());
    h.insert(
        "x-ratelimit-reset-after",
        format!("{secs:.3}").parse().unwrap(),
    );
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        + left;
    h.insert(
        "x-ratelimit-reset",
        format!("{:.3}", reset.as_secs_f64()).parse().unwrap(),
    );
    h.insert("x-ratelimit-bucket", "fake-bucket".parse().unwrap());
    h.insert("x-ratelimit-scope", "user".parse().unwrap());
    r
}

/// An error as Discord writes it.
fn error(status: StatusCode, message: &str, code: u32) -> Response {
    (status, Json(json!({"message": message, "code": code}))).into_response()
}
