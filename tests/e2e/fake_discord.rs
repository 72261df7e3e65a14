//! A fake Discord on 127.0.0.1: the REST routes the bot calls (gateway, channel messages,
//! threads, interaction callbacks, webhook follow-ups, application commands, attachments) and a
//! gateway WebSocket (HELLO, IDENTIFY → READY, heartbeats and their ACKs, dispatches, a dropped
//! connection and RESUME, close codes). It records what it receives. As Discord does: it keeps
//! the messages posted and dispatched (`GET` a message; `404 Unknown Message` else), a thread
//! made from a message has that message's id (and one such thread only), `GET` a channel gives
//! a thread's `parent_id`, and an interaction takes one initial response (`400`, code 40060,
//! after that). It answers 429 as Discord does while a rate limit runs.

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message as Ws, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

pub const APP_ID: &str = "900";
pub const BOT_ID: &str = "900";
pub const GUILD_ID: &str = "3001";
pub const CHANNEL_ID: &str = "2001";

#[path = "fake_discord_payloads.rs"]
mod payloads;
pub use payloads::*;

/// One REST request the fake received.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub body: Value,
    /// Answered 429 because a rate limit ran.
    pub limited: bool,
    /// When it arrived.
    #[allow(dead_code)] // read by the load program (bench/load)
    pub at: Instant,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    /// "METHOD /path" prefixes → statuses to answer with first.
    failures: HashMap<String, VecDeque<u16>>,
    next_id: u64,
    seq: u64,
    /// Gateway frames received (op codes and payloads), heartbeats left out.
    received: Vec<Value>,
    connections: usize,
    socket: Option<mpsc::UnboundedSender<Cmd>>,
    attachments: HashMap<String, String>,
    /// Close with this code right after IDENTIFY (e.g. 4014).
    close_after_identify: Option<u16>,
    /// "METHOD /path" prefixes → a rate limit of this many seconds, started by the next request.
    rate_limits: HashMap<String, f64>,
    /// Rate limits running: prefix → until when requests are answered 429.
    limited_until: HashMap<String, Instant>,
    /// Messages by (channel, id): posted by the bot, or dispatched as MESSAGE_CREATE.
    messages: HashMap<(String, String), Value>,
    /// Threads made, by id.
    threads: HashMap<String, Value>,
    /// Interactions that had their initial response.
    answered: HashSet<String>,
}

enum Cmd {
    Dispatch(String, Value),
    Drop,
}

#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    addr: SocketAddr,
}

pub struct FakeDiscord {
    pub addr: SocketAddr,
    shared: Shared,
    _rt: tokio::runtime::Runtime,
}

impl FakeDiscord {
    pub fn start() -> FakeDiscord {
        Self::start_on(0)
    }

    /// On this port of 127.0.0.1 (0: any free one), e.g. one a bot was pointed at before
    /// anything listened there. Dropping the fake closes its port and every connection.
    pub fn start_on(port: u16) -> FakeDiscord {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Shared {
            inner: Arc::new(Mutex::new(Inner {
                next_id: 7000,
                ..Inner::default()
            })),
            addr,
        };
        let app = Router::new()
            .route("/", get(gateway))
            .fallback(rest)
            .with_state(shared.clone());
        rt.spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeDiscord {
            addr,
            shared,
            _rt: rt,
        }
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn close_after_identify(&self, code: u16) {
        self.shared.inner.lock().unwrap().close_after_identify = Some(code);
    }

    pub fn add_attachment(&self, id: &str, text: &str) -> String {
        self.shared
            .inner
            .lock()
            .unwrap()
            .attachments
            .insert(id.to_string(), text.to_string());
        format!("http://{}/attachments/{id}/message.txt", self.addr)
    }

    /// REST calls whose "METHOD path" starts with `prefix` (e.g. `POST /api/v10/channels/2001/messages`).
    pub fn calls(&self, prefix: &str) -> Vec<Call> {
        self.shared
            .inner
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|c| format!("{} {}", c.method, c.path).starts_with(prefix))
            .cloned()
            .collect()
    }

    /// How many REST calls start with `prefix` so far (without copying them).
    #[allow(dead_code)] // read by the load program (bench/load)
    pub fn count(&self, prefix: &str) -> usize {
        let g = self.shared.inner.lock().unwrap();
        g.calls
            .iter()
            .filter(|c| format!("{} {}", c.method, c.path).starts_with(prefix))
            .count()
    }

    pub fn wait_for(&self, prefix: &str, n: usize, within: Duration) -> Vec<Call> {
        let until = Instant::now() + within;
        loop {
            let c = self.calls(prefix);
            if c.len() >= n || Instant::now() > until {
                return c;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The next answers to requests starting with `prefix` are these statuses.
    pub fn fail(&self, prefix: &str, statuses: &[u16]) {
        self.shared
            .inner
            .lock()
            .unwrap()
            .failures
            .entry(prefix.to_string())
            .or_default()
            .extend(statuses.iter().copied());
    }

    /// The next request starting with `prefix` starts a rate limit of `seconds`: it and every
    /// request in the window get Discord's 429 (`retry_after` in the body and the headers, the
    /// time left), as Discord answers while a bucket is exhausted.
    pub fn rate_limit(&self, prefix: &str, seconds: f64) {
        self.shared
            .inner
            .lock()
            .unwrap()
            .rate_limits
            .insert(prefix.to_string(), seconds);
    }

    /// The messages the bot posted in `channel`, oldest first, as they stand now (edits applied).
    pub fn posted(&self, channel: &str) -> Vec<Value> {
        let g = self.shared.inner.lock().unwrap();
        let mut v: Vec<Value> = g
            .messages
            .iter()
            .filter(|((c, _), m)| c == channel && m["author"]["id"] == BOT_ID)
            .map(|(_, m)| m.clone())
            .collect();
        v.sort_by_key(|m| str_of(&m["id"]).parse::<u64>().unwrap_or(0));
        v
    }

    /// Polls `posted(channel)` until `pick` finds something in it.
    pub fn wait_posted<T>(
        &self,
        channel: &str,
        within: Duration,
        pick: impl Fn(&[Value]) -> Option<T>,
    ) -> Option<T> {
        let until = Instant::now() + within;
        loop {
            if let Some(t) = pick(&self.posted(channel)) {
                return Some(t);
            }
            if Instant::now() > until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until a gateway session is up (READY or RESUMED sent).
    pub fn wait_connected(&self, within: Duration) -> bool {
        let until = Instant::now() + within;
        while Instant::now() < until {
            if self.shared.inner.lock().unwrap().socket.is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn dispatch(&self, t: &str, d: Value) -> bool {
        let mut g = self.shared.inner.lock().unwrap();
        if t == "MESSAGE_CREATE" {
            let key = (str_of(&d["channel_id"]), str_of(&d["id"]));
            g.messages.insert(key, d.clone());
        }
        match &g.socket {
            Some(tx) => tx.send(Cmd::Dispatch(t.to_string(), d)).is_ok(),
            None => false,
        }
    }

    pub fn drop_connection(&self) {
        let mut g = self.shared.inner.lock().unwrap();
        if let Some(tx) = g.socket.take() {
            let _ = tx.send(Cmd::Drop);
        }
    }

    pub fn connections(&self) -> usize {
        self.shared.inner.lock().unwrap().connections
    }

    /// Gateway frames received with this op code.
    pub fn received(&self, op: u64) -> Vec<Value> {
        self.shared
            .inner
            .lock()
            .unwrap()
            .received
            .iter()
            .filter(|v| v["op"] == op)
            .cloned()
            .collect()
    }
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

async fn rest(State(shared): State<Shared>, method: Method, uri: Uri, body: Bytes) -> Response {
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
    if let Some(status) = failure {
        let body = json!({"message": "You are being rate limited.", "retry_after": 0.2, "global": false, "code": 0});
        return (StatusCode::from_u16(status).unwrap(), Json(body)).into_response();
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
            let id = next_id();
            let mut m = message(&id, c, me, parsed["content"].as_str().unwrap_or(""));
            m["embeds"] = parsed.get("embeds").cloned().unwrap_or(json!([]));
            m["components"] = parsed.get("components").cloned().unwrap_or(json!([]));
            let mut g = shared.inner.lock().unwrap();
            g.messages.insert((c.to_string(), id), m.clone());
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
    h.insert("x-ratelimit-bucket", "fake-bucket".parse().unwrap());
    h.insert("x-ratelimit-scope", "user".parse().unwrap());
    r
}

/// An error as Discord writes it.
fn error(status: StatusCode, message: &str, code: u32) -> Response {
    (status, Json(json!({"message": message, "code": code}))).into_response()
}

async fn gateway(State(shared): State<Shared>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |s| serve_gateway(shared, s))
}

async fn send(ws: &mut WebSocket, v: Value) -> bool {
    ws.send(Ws::Text(v.to_string().into())).await.is_ok()
}

async fn serve_gateway(shared: Shared, mut ws: WebSocket) {
    shared.inner.lock().unwrap().connections += 1;
    if !send(
        &mut ws,
        json!({"op": 10, "d": {"heartbeat_interval": 1000}}),
    )
    .await
    {
        return;
    }
    // The first frame: IDENTIFY (a new session) or RESUME.
    let first = loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.recv()).await {
            Ok(Some(Ok(Ws::Text(t)))) => {
                let v: Value = serde_json::from_str(&t).unwrap_or_default();
                if v["op"] == 1 {
                    let _ = send(&mut ws, json!({"op": 11})).await;
                    continue;
                }
                shared.inner.lock().unwrap().received.push(v.clone());
                break v;
            }
            _ => return,
        }
    };
    let close = shared.inner.lock().unwrap().close_after_identify;
    if let Some(code) = close {
        let _ = ws
            .send(Ws::Close(Some(CloseFrame {
                code,
                reason: "Disallowed intent(s).".into(),
            })))
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        return;
    }
    let (t, d) = if first["op"] == 6 {
        ("RESUMED", json!({}))
    } else {
        (
            "READY",
            json!({
                "v": 10, "user": user(BOT_ID, "backup-bot", true), "guilds": [], "session_id": "sess-1",
                "resume_gateway_url": format!("ws://{}", shared.addr), "application": {"id": APP_ID, "flags": 0}
            }),
        )
    };
    let s = {
        let mut g = shared.inner.lock().unwrap();
        g.seq += 1;
        g.seq
    };
    if !send(&mut ws, json!({"op": 0, "s": s, "t": t, "d": d})).await {
        return;
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    shared.inner.lock().unwrap().socket = Some(tx);
    loop {
        tokio::select! {
            cmd = rx.recv() => match cmd {
                Some(Cmd::Dispatch(t, d)) => {
                    let s = {
                        let mut g = shared.inner.lock().unwrap();
                        g.seq += 1;
                        g.seq
                    };
                    if !send(&mut ws, json!({"op": 0, "s": s, "t": t, "d": d})).await {
                        break;
                    }
                }
                // Dropped without a close frame.
                Some(Cmd::Drop) | None => return,
            },
            msg = ws.recv() => match msg {
                Some(Ok(Ws::Text(t))) => {
                    let v: Value = serde_json::from_str(&t).unwrap_or_default();
                    if v["op"] == 1 {
                        let _ = send(&mut ws, json!({"op": 11})).await;
                    } else {
                        shared.inner.lock().unwrap().received.push(v);
                    }
                }
                Some(Ok(_)) => {}
                _ => break,
            },
        }
    }
    shared.inner.lock().unwrap().socket = None;
}
