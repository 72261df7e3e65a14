//! A fake Slack on 127.0.0.1: the Web API routes the bot calls, response URLs, file downloads and
//! Socket Mode connections (`fake_slack_socket.rs`) at the URLs `apps.connections.open` hands
//! out. It records every request,
//! and can be told to answer a method with errors first (429 with Retry-After, 500). For
//! escalations it keeps people's messages (conversations.replies), user groups
//! (usergroups.users.list), answers chat.getPermalink and views.open (a trigger opens one view)
//! as Slack's Web API documents them.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "fake_slack_socket.rs"]
mod socket;

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
    pub auth: Option<String>,
    /// When it arrived.
    #[allow(dead_code)] // read by the load program (bench/load)
    pub at: Instant,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    /// Per method, statuses to answer with before answering normally: (status, Retry-After).
    failures: HashMap<String, VecDeque<(u16, Option<u64>)>>,
    /// Per method, the error Slack answers with (`{"ok": false, "error": …}`), every time.
    refusals: HashMap<String, String>,
    /// Per method, how long each answer is held back.
    delays: HashMap<String, std::time::Duration>,
    next_ts: u64,
    files: HashMap<String, String>,
    /// chat.postMessage calls that post, then answer 500 (the answer lost on the way back).
    lost_answers: usize,
    /// People's messages, by (channel, ts): what conversations.replies finds.
    messages: HashMap<(String, String), String>,
    /// User groups' members, by group id.
    groups: HashMap<String, Vec<String>>,
    /// Triggers already exchanged for a view.
    triggers: Vec<String>,
    /// chat.postMessage bodies with the ts each got, in order.
    posted: Vec<(String, Value)>,
    /// One-time tickets handed out by `apps.connections.open`, in order.
    tickets: Vec<String>,
    /// Socket Mode: the connections, deliveries and acknowledgements.
    sockets: socket::Sockets,
}

#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    addr: SocketAddr,
}

pub struct FakeSlack {
    pub addr: SocketAddr,
    shared: Shared,
    rt: tokio::runtime::Runtime,
}

impl FakeSlack {
    pub fn start() -> FakeSlack {
        Self::start_on(0)
    }

    /// On this port of 127.0.0.1 (0: any free one), e.g. one a bot was pointed at before
    /// anything listened there. Dropping the fake closes its port and every connection.
    pub fn start_on(port: u16) -> FakeSlack {
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
                next_ts: 1_700_000_000,
                ..Inner::default()
            })),
            addr,
        };
        let app = Router::new()
            .route("/api/files.info", get(files_info))
            .route("/api/{method}", post(api).get(api))
            .route("/files/{id}", get(download))
            .route("/response/{id}", post(response_url))
            .route("/socket", get(socket::upgrade))
            .with_state(shared.clone());
        rt.spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        rt.spawn(socket::redeliver(shared.clone()));
        FakeSlack { addr, shared, rt }
    }

    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    pub fn response_url(&self, id: &str) -> String {
        format!("http://{}/response/{id}", self.addr)
    }

    /// Every call so far to `method` (e.g. `chat.postMessage`, `response_url`).
    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.shared
            .inner
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// How many calls to `method` so far (without copying them).
    #[allow(dead_code)] // read by the load program (bench/load)
    pub fn count(&self, method: &str) -> usize {
        let g = self.shared.inner.lock().unwrap();
        g.calls.iter().filter(|c| c.method == method).count()
    }

    /// Waits until `method` was called `n` times (or the time runs out), then returns the calls.
    pub fn wait_for(&self, method: &str, n: usize, within: Duration) -> Vec<Call> {
        let until = Instant::now() + within;
        loop {
            let calls = self.calls(method);
            if calls.len() >= n || Instant::now() > until {
                return calls;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The next answers to `method` are these statuses (429 carries Retry-After seconds).
    pub fn fail(&self, method: &str, statuses: &[(u16, Option<u64>)]) {
        self.shared
            .inner
            .lock()
            .unwrap()
            .failures
            .entry(method.to_string())
            .or_default()
            .extend(statuses.iter().copied());
    }

    /// Every answer to `method` is now `{"ok": false, "error": code}` (e.g. `invalid_auth`).
    pub fn refuse(&self, method: &str, code: &str) {
        let mut g = self.shared.inner.lock().unwrap();
        g.refusals.insert(method.to_string(), code.to_string());
    }

    /// Every answer to `method` now comes after `by`.
    pub fn delay(&self, method: &str, by: std::time::Duration) {
        let mut g = self.shared.inner.lock().unwrap();
        g.delays.insert(method.to_string(), by);
    }

    /// The next `n` chat.postMessage calls post the message, then answer 500: the bot cannot
    /// tell it went through.
    pub fn lose_answers(&self, n: usize) {
        self.shared.inner.lock().unwrap().lost_answers += n;
    }

    /// A person's message (a thread's first message): conversations.replies answers with it.
    pub fn add_message(&self, channel: &str, ts: &str, text: &str) {
        let mut g = self.shared.inner.lock().unwrap();
        g.messages
            .insert((channel.to_string(), ts.to_string()), text.to_string());
    }

    /// A user group and its members: usergroups.users.list answers with them.
    pub fn add_group(&self, id: &str, users: &[&str]) {
        let mut g = self.shared.inner.lock().unwrap();
        g.groups.insert(
            id.to_string(),
            users.iter().map(|u| u.to_string()).collect(),
        );
    }

    /// Every chat.postMessage with the ts it was given, in order.
    pub fn posted(&self) -> Vec<(String, Value)> {
        self.shared.inner.lock().unwrap().posted.clone()
    }

    pub fn add_file(&self, id: &str, text: &str) {
        self.shared
            .inner
            .lock()
            .unwrap()
            .files
            .insert(id.to_string(), text.to_string());
    }

    /// The one-time tickets `apps.connections.open` handed out so far.
    pub fn tickets(&self) -> Vec<String> {
        self.shared.inner.lock().unwrap().tickets.clone()
    }

    /// Replies Slack kept per thread (`thread_ts`): every chat.postMessage that posted, whatever
    /// it answered.
    pub fn replies_per_thread(&self) -> HashMap<String, usize> {
        let mut n = HashMap::new();
        for (_, body) in self.posted() {
            if let Some(t) = body["thread_ts"].as_str() {
                *n.entry(t.to_string()).or_insert(0) += 1;
            }
        }
        n
    }
}

fn record(
    shared: &Shared,
    method: &str,
    headers: &HeaderMap,
    body: Value,
) -> Option<(u16, Option<u64>)> {
    let mut g = shared.inner.lock().unwrap();
    g.calls.push(Call {
        method: method.to_string(),
        body,
        auth: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        at: Instant::now(),
    });
    g.failures.get_mut(method).and_then(|q| q.pop_front())
}

fn failure(status: u16, retry_after: Option<u64>) -> Response {
    let mut r = (StatusCode::from_u16(status).unwrap(), "scripted failure").into_response();
    if let Some(s) = retry_after {
        r.headers_mut()
            .insert("retry-after", s.to_string().parse().unwrap());
    }
    r
}

async fn api(
    State(shared): State<Shared>,
    Path(method): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // GET methods (conversations.replies, chat.getPermalink, usergroups.users.list) take their
    // arguments in the query string.
    let body: Value = if body.is_empty() && !query.is_empty() {
        json!(query)
    } else {
        serde_json::from_slice(&body)
            .unwrap_or_else(|_| json!({ "form": String::from_utf8_lossy(&body) }))
    };
    if let Some((status, retry_after)) = record(&shared, &method, &headers, body.clone()) {
        return failure(status, retry_after);
    }
    let delay = shared.inner.lock().unwrap().delays.get(&method).copied();
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    let refusal = shared.inner.lock().unwrap().refusals.get(&method).cloned();
    if let Some(code) = refusal {
        return Json(json!({"ok": false, "error": code})).into_response();
    }
    // Each posted message gets the next ts: 1700000001.000100, 1700000002.000100, ...
    let ts = if method == "chat.postMessage" {
        let mut g = shared.inner.lock().unwrap();
        g.next_ts += 1;
        let ts = format!("{}.000100", g.next_ts);
        g.posted.push((ts.clone(), body.clone()));
        if g.lost_answers > 0 {
            g.lost_answers -= 1;
            return failure(500, None);
        }
        ts
    } else {
        String::new()
    };
    let channel = body.get("channel").cloned().unwrap_or(json!("C0"));
    let answer = match method.as_str() {
        "auth.test" => {
            json!({"ok": true, "user_id": "UBOT", "team_id": "T1", "user": "backup-bot", "team": "Test", "url": "https://test.slack.com/"})
        }
        "chat.postMessage" => {
            json!({"ok": true, "channel": channel, "ts": ts, "message": {"ts": ts, "text": body.get("text")}})
        }
        "chat.update" => {
            json!({"ok": true, "channel": channel, "ts": body.get("ts"), "message": {"text": body.get("text")}})
        }
        "chat.delete" => json!({"ok": true, "channel": channel, "ts": body.get("ts")}),
        // Slack's URL carries a one-time ticket in its query.
        "apps.connections.open" => {
            let ticket = {
                let mut g = shared.inner.lock().unwrap();
                let t = format!("tkt{}x{:08x}", g.tickets.len(), std::process::id());
                g.tickets.push(t.clone());
                t
            };
            json!({"ok": true, "url": format!("ws://{}/socket?ticket={ticket}&app_id=A1", shared.addr)})
        }
        "conversations.replies" => replies(&shared, &body),
        "chat.getPermalink" => permalink(&body),
        "views.open" => views_open(&shared, &body),
        "usergroups.users.list" => {
            let group = body["usergroup"].as_str().unwrap_or("");
            match shared.inner.lock().unwrap().groups.get(group) {
                Some(users) => json!({"ok": true, "users": users}),
                None => json!({"ok": false, "error": "no_such_subteam"}),
            }
        }
        _ => json!({"ok": false, "error": "unknown_method"}),
    };
    Json(answer).into_response()
}

/// A thread as conversations.replies returns it: its parent first, then the replies posted in
/// it (with their blocks), at most `limit` (with `limit=1`, only the parent).
fn replies(shared: &Shared, q: &Value) -> Value {
    let (channel, ts) = (q["channel"].as_str(), q["ts"].as_str());
    let (Some(channel), Some(ts)) = (channel, ts) else {
        return json!({"ok": false, "error": "invalid_arguments"});
    };
    let limit: usize = q["limit"]
        .as_str()
        .and_then(|l| l.parse().ok())
        .or_else(|| q["limit"].as_u64().map(|l| l as usize))
        .unwrap_or(1000);
    let g = shared.inner.lock().unwrap();
    let posted: Vec<Value> = g
        .posted
        .iter()
        .filter(|(_, b)| b["channel"] == channel && b["thread_ts"] == ts)
        .map(|(rts, b)| {
            json!({"type": "message", "user": "UBOT", "bot_id": "B0BOT", "text": b["text"],
                   "blocks": b["blocks"], "thread_ts": ts, "ts": rts})
        })
        .collect();
    let parent = match g.messages.get(&(channel.to_string(), ts.to_string())) {
        Some(text) => {
            json!({"type": "message", "user": "U2147483697", "text": text, "thread_ts": ts, "ts": ts, "reply_count": posted.len()})
        }
        None if !posted.is_empty() => {
            json!({"type": "message", "user": "U2147483697", "text": "", "thread_ts": ts, "ts": ts, "reply_count": posted.len()})
        }
        None => return json!({"ok": false, "error": "thread_not_found"}),
    };
    let messages: Vec<Value> = std::iter::once(parent)
        .chain(posted)
        .take(limit.max(1))
        .collect();
    json!({
        "ok": true,
        "messages": messages,
        "has_more": false,
        "response_metadata": {"next_cursor": ""}
    })
}

fn permalink(q: &Value) -> Value {
    let (Some(channel), Some(ts)) = (q["channel"].as_str(), q["message_ts"].as_str()) else {
        return json!({"ok": false, "error": "invalid_arguments"});
    };
    json!({"ok": true, "channel": channel, "permalink": format!("https://example.slack.com/archives/{channel}/p{}", ts.replace('.', ""))})
}

/// views.open: a trigger opens one view; the view comes back with the ids Slack gives it.
fn views_open(shared: &Shared, body: &Value) -> Value {
    let Some(trigger) = body["trigger_id"].as_str() else {
        return json!({"ok": false, "error": "invalid_arguments"});
    };
    let mut g = shared.inner.lock().unwrap();
    if g.triggers.iter().any(|t| t == trigger) {
        return json!({"ok": false, "error": "exchanged_trigger_id"});
    }
    g.triggers.push(trigger.to_string());
    let mut view = body["view"].clone();
    let id = format!("V0{}", g.triggers.len());
    for (k, v) in [
        ("id", json!(id)),
        ("team_id", json!("T9TK3CUKW")),
        ("state", json!({"values": {}})),
        ("hash", json!("1569362015.55b5e41b")),
        ("previous_view_id", Value::Null),
        ("root_view_id", json!(id)),
        ("app_id", json!("AABA1ABCD")),
        ("bot_id", json!("BAH5CA16Z")),
    ] {
        view[k] = v;
    }
    json!({"ok": true, "view": view})
}

async fn files_info(
    State(shared): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let id = q.get("file").cloned().unwrap_or_default();
    record(&shared, "files.info", &headers, json!({ "file": id }));
    let url = format!("http://{}/files/{id}", shared.addr);
    Json(json!({"ok": true, "file": {"id": id, "name": "paste.txt", "mimetype": "text/plain", "filetype": "text", "url_private": url, "url_private_download": url}})).into_response()
}

async fn download(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    record(&shared, "download", &headers, json!({ "file": id }));
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer xoxb-test-token")
    {
        return (StatusCode::FORBIDDEN, "no token").into_response();
    }
    let text = shared.inner.lock().unwrap().files.get(&id).cloned();
    match text {
        Some(t) => t.into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn response_url(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    body["response_id"] = json!(id);
    if let Some((status, retry_after)) = record(&shared, "response_url", &headers, body) {
        return failure(status, retry_after);
    }
    StatusCode::OK.into_response()
}
