//! A fake Discord on 127.0.0.1: the REST routes the bot calls (gateway, channel messages,
//! threads, interaction callbacks, webhook follow-ups, application commands, attachments) and a
//! gateway WebSocket (`fake_discord_gateway.rs`: HELLO, IDENTIFY → READY, heartbeats and their
//! ACKs, dispatches, a dropped connection and RESUME with the missed dispatches replayed, an
//! invalid session, close codes). It records what it receives. As Discord does: it keeps the
//! messages posted and dispatched (`GET` a message; `404 Unknown Message` else), a message
//! created again with the same `nonce` and `enforce_nonce` is answered with the first one, a
//! thread made from a message has that message's id (and one such thread only), `GET` a
//! channel gives a thread's `parent_id`, and an interaction takes one initial response (`400`,
//! code 40060, after that). It answers 429 as Discord does (`retry_after` in the body, the
//! `Retry-After` and `X-RateLimit-*` headers), and can lose the answer to a request it carried
//! out (a 500, or the connection dropped).

use axum::routing::get;
use axum::Router;
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const APP_ID: &str = "900";
pub const BOT_ID: &str = "900";
pub const GUILD_ID: &str = "3001";
pub const CHANNEL_ID: &str = "2001";

#[path = "fake_discord_gateway.rs"]
mod gateway;
#[path = "fake_discord_payloads.rs"]
mod payloads;
#[path = "fake_discord_rest.rs"]
mod rest;
use gateway::{gateway, Cmd};
pub use payloads::*;
use rest::rest;

/// How the answer to a request the fake carried out is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lost {
    /// `500 Internal Server Error`.
    Status500,
    /// The connection closes before an answer.
    Dropped,
}

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
    /// The current session's last sequence number, and its dispatches (for a RESUME).
    seq: u64,
    log: Vec<(u64, String, Value)>,
    /// Sessions started (IDENTIFY → READY), and dispatches replayed to RESUMEs.
    sessions: usize,
    replayed: usize,
    /// New gateway connections wait before their HELLO while this is set.
    hold: bool,
    /// The next RESUME is answered with an invalid session (op 9, `d: false`).
    invalidate_resume: bool,
    /// Gateway frames received (op codes and payloads), heartbeats left out.
    received: Vec<Value>,
    connections: usize,
    /// The connected session: its connection's number and what sends to it.
    socket: Option<(usize, tokio::sync::mpsc::UnboundedSender<Cmd>)>,
    /// (channel, nonce) → the message created with it, and when.
    nonces: HashMap<(String, String), (String, Instant)>,
    /// "METHOD /path" prefixes → answers to lose, after carrying the request out.
    lost: HashMap<String, VecDeque<Lost>>,
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
    /// How many REST calls start with `prefix` so far (without copying them).
    #[allow(dead_code)] // read by the load program (bench/load)
    pub fn count(&self, prefix: &str) -> usize {
        let g = self.shared.inner.lock().unwrap();
        g.calls
            .iter()
            .filter(|c| format!("{} {}", c.method, c.path).starts_with(prefix))
            .count()
    }

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

    /// Dispatches an event in the current session; true when it went out on a connection now.
    /// Either way it is the session's: a RESUME gets it replayed.
    pub fn dispatch(&self, t: &str, d: Value) -> bool {
        let mut g = self.shared.inner.lock().unwrap();
        if t == "MESSAGE_CREATE" {
            let key = (str_of(&d["channel_id"]), str_of(&d["id"]));
            g.messages.insert(key, d.clone());
        }
        g.seq += 1;
        let s = g.seq;
        g.log.push((s, t.to_string(), d.clone()));
        match &g.socket {
            Some((_, tx)) => tx.send(Cmd::Dispatch(s, t.to_string(), d)).is_ok(),
            None => false,
        }
    }

    pub fn drop_connection(&self) {
        let mut g = self.shared.inner.lock().unwrap();
        if let Some((_, tx)) = g.socket.take() {
            let _ = tx.send(Cmd::Drop);
        }
    }

    /// While `on`, new gateway connections wait before their HELLO (so what is dispatched
    /// meanwhile is missed by the client until it resumes).
    pub fn hold_reconnects(&self, on: bool) {
        self.shared.inner.lock().unwrap().hold = on;
    }

    /// The next RESUME is answered with an invalid session (op 9, `d: false`).
    pub fn invalidate_next_resume(&self) {
        self.shared.inner.lock().unwrap().invalidate_resume = true;
    }

    /// Sessions started so far (READY sent).
    pub fn sessions(&self) -> usize {
        self.shared.inner.lock().unwrap().sessions
    }

    /// Dispatches replayed to RESUMEs so far.
    pub fn replayed(&self) -> usize {
        self.shared.inner.lock().unwrap().replayed
    }

    /// The next requests starting with `prefix` are carried out, and their answers lost so.
    pub fn lose_answers(&self, prefix: &str, how: &[Lost]) {
        self.shared
            .inner
            .lock()
            .unwrap()
            .lost
            .entry(prefix.to_string())
            .or_default()
            .extend(how.iter().copied());
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
