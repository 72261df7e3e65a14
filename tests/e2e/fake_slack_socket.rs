//! The fake Slack's Socket Mode, as Slack documents it: every `apps.connections.open` hands out a
//! new URL and each URL makes one connection (an app may hold up to 10 at once); each connection
//! starts with `hello`; Slack delivers each envelope on ONE of the open connections and takes its
//! acknowledgement on that same connection; an Events API envelope left unacknowledged past the
//! 3-second window is delivered again (on another connection when there is one), with
//! `retry_attempt` and `retry_reason`, up to 3 times. `disconnect` (`refresh_requested`,
//! `warning`) warns a connection that Slack will close it: no new envelope goes there, and Slack
//! closes it 10 s later if the client has not.
//!
//! Controls for the fault cases: close a connection without a word, send it `disconnect`, let it
//! go half-open (nothing read, so pings go unanswered and acknowledgements never arrive, nothing
//! written, so envelopes routed to it are lost on the way, yet the TCP connection stays open), and
//! count the connections open.

use super::Shared;
use axum::extract::ws::{Message as Ws, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long Slack waits for an envelope's acknowledgement before delivering it again.
pub const ACK_WINDOW: Duration = Duration::from_secs(3);
/// Deliveries of an Events API envelope after the first, at most.
pub const MAX_RETRIES: u32 = 3;
/// How long a connection told `disconnect` stays open if the client does not close it.
pub const DISCONNECT_GRACE: Duration = Duration::from_secs(10);

/// One delivery of an envelope: on which connection, and which attempt (0 the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub envelope_id: String,
    pub connection: usize,
    pub attempt: u32,
}

/// The Socket Mode side of the fake's state.
#[derive(Default)]
pub(super) struct Sockets {
    /// Connections open now, in the order they opened.
    open: Vec<Conn>,
    /// Connections opened so far (the last one's id).
    opened: usize,
    /// Turns of the round of open connections envelopes are dealt to.
    turn: usize,
    /// Events API envelopes delivered and not acknowledged yet, by envelope id.
    pending: HashMap<String, Pending>,
    deliveries: Vec<Delivery>,
    /// Frames the bot sent (acknowledgements), with the connection each came on.
    acks: Vec<(usize, Value)>,
    /// Acknowledgements that came on another connection than their envelope's.
    misplaced: Vec<Value>,
    /// Envelopes still unacknowledged after their last retry.
    given_up: Vec<String>,
    /// The socket URL answers 503 instead of upgrading (Slack's edge refusing the connection).
    refused: bool,
}

struct Conn {
    id: usize,
    tx: mpsc::UnboundedSender<Cmd>,
    /// Half-open: Slack still deals envelopes to it, and they never arrive.
    silent: bool,
    /// Told `disconnect`: no new envelope goes there.
    leaving: bool,
}

struct Pending {
    frame: Value,
    connection: usize,
    at: Instant,
    attempt: u32,
}

enum Cmd {
    Frame(String),
    Silence,
    Drop,
}

impl Sockets {
    /// The connection the next envelope goes to: the open ones in turn (a half-open one too:
    /// Slack cannot tell), never one told to disconnect, and not `avoid` when there is another.
    fn pick(&mut self, avoid: Option<usize>) -> Option<usize> {
        let ids: Vec<usize> = self
            .open
            .iter()
            .filter(|c| !c.leaving)
            .map(|c| c.id)
            .collect();
        let others: Vec<usize> = ids.iter().copied().filter(|&i| Some(i) != avoid).collect();
        let from = if others.is_empty() { ids } else { others };
        if from.is_empty() {
            return None;
        }
        self.turn = self.turn.wrapping_add(1);
        Some(from[self.turn % from.len()])
    }

    /// Sends `frame` on connection `id`, keeping an Events API envelope until it is acknowledged.
    fn send_on(&mut self, id: usize, mut frame: Value, attempt: u32) -> bool {
        let Some(conn) = self.open.iter().find(|c| c.id == id) else {
            return false;
        };
        let events = frame["type"] == "events_api";
        if events {
            frame["retry_attempt"] = json!(attempt);
            frame["retry_reason"] = json!(if attempt == 0 { "" } else { "timeout" });
        }
        if conn.tx.send(Cmd::Frame(frame.to_string())).is_err() {
            return false;
        }
        if let Some(envelope) = frame["envelope_id"].as_str() {
            self.deliveries.push(Delivery {
                envelope_id: envelope.to_string(),
                connection: id,
                attempt,
            });
            if events {
                self.pending.insert(
                    envelope.to_string(),
                    Pending {
                        frame,
                        connection: id,
                        at: Instant::now(),
                        attempt,
                    },
                );
            }
        }
        true
    }

    fn command(&mut self, id: usize, cmd: Cmd) -> bool {
        match self.open.iter_mut().find(|c| c.id == id) {
            Some(c) => {
                if matches!(cmd, Cmd::Silence) {
                    c.silent = true;
                }
                c.tx.send(cmd).is_ok()
            }
            None => false,
        }
    }

    /// A frame the bot sent on connection `id`: an acknowledgement counts on its envelope's
    /// connection only.
    fn received(&mut self, id: usize, frame: Value) {
        if let Some(envelope) = frame["envelope_id"].as_str() {
            match self.pending.get(envelope) {
                Some(p) if p.connection == id => {
                    self.pending.remove(envelope);
                }
                Some(_) => self.misplaced.push(frame.clone()),
                None => {}
            }
        }
        self.acks.push((id, frame));
    }
}

impl super::FakeSlack {
    fn sockets<T>(&self, f: impl FnOnce(&mut Sockets) -> T) -> T {
        f(&mut self.shared.inner.lock().unwrap().sockets)
    }

    /// Delivers a Socket Mode frame on one open connection (each in turn); false when none is.
    pub fn push(&self, frame: &Value) -> bool {
        self.sockets(|s| match s.pick(None) {
            Some(id) => s.send_on(id, frame.clone(), 0),
            None => false,
        })
    }

    /// Delivers a frame on connection `id`; false when it is not open.
    pub fn push_on(&self, id: usize, frame: &Value) -> bool {
        self.sockets(|s| s.send_on(id, frame.clone(), 0))
    }

    /// Closes every open connection without a word (no close frame).
    pub fn drop_socket(&self) {
        self.sockets(|s| {
            for c in &s.open {
                let _ = c.tx.send(Cmd::Drop);
            }
        });
    }

    /// Closes connection `id` without a word.
    pub fn drop_connection(&self, id: usize) -> bool {
        self.sockets(|s| s.command(id, Cmd::Drop))
    }

    /// Sends connection `id` Slack's `disconnect` (`refresh_requested` or `warning`): no new
    /// envelope goes there, and it is closed after [`DISCONNECT_GRACE`] if still open.
    pub fn disconnect(&self, id: usize, reason: &str) -> bool {
        let frame = json!({"type": "disconnect", "reason": reason,
                           "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060}});
        let sent = self.sockets(|s| {
            let sent = s.send_on(id, frame, 0);
            if let Some(c) = s.open.iter_mut().find(|c| c.id == id) {
                c.leaving = true;
            }
            sent
        });
        let shared = self.shared.clone();
        self.rt.spawn(async move {
            tokio::time::sleep(DISCONNECT_GRACE).await;
            shared.inner.lock().unwrap().sockets.command(id, Cmd::Drop);
        });
        sent
    }

    /// Connection `id` goes half-open: it stays open, reads nothing (pings go unanswered) and
    /// writes nothing (envelopes dealt to it are lost on the way).
    pub fn silence(&self, id: usize) -> bool {
        self.sockets(|s| s.command(id, Cmd::Silence))
    }

    /// The ids of the connections open now (half-open ones included), oldest first.
    pub fn open_connections(&self) -> Vec<usize> {
        self.sockets(|s| s.open.iter().map(|c| c.id).collect())
    }

    /// The ids of the connections open, answering and not told to disconnect, oldest first.
    pub fn live_connections(&self) -> Vec<usize> {
        self.sockets(|s| {
            s.open
                .iter()
                .filter(|c| !c.silent && !c.leaving)
                .map(|c| c.id)
                .collect()
        })
    }

    /// Connections opened so far.
    pub fn connections(&self) -> usize {
        self.sockets(|s| s.opened)
    }

    /// Whether some connection is open and answering.
    pub fn socket_connected(&self) -> bool {
        !self.live_connections().is_empty()
    }

    /// WebSocket connections are refused (503) from now on.
    pub fn refuse_socket(&self) {
        self.sockets(|s| s.refused = true);
    }

    /// WebSocket connections are accepted again.
    pub fn accept_socket(&self) {
        self.sockets(|s| s.refused = false);
    }

    /// How many frames the bot sent back on the sockets so far.
    #[allow(dead_code)] // read by the load program (bench/load)
    pub fn ack_count(&self) -> usize {
        self.sockets(|s| s.acks.len())
    }

    /// Every frame the bot sent on the sockets (acknowledgements), in order.
    pub fn acks(&self) -> Vec<Value> {
        self.sockets(|s| s.acks.iter().map(|(_, v)| v.clone()).collect())
    }

    /// Every delivery of an envelope, retries included, in order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.sockets(|s| s.deliveries.clone())
    }

    /// Acknowledgements sent on another connection than their envelope's (Slack ignores them).
    pub fn misplaced_acks(&self) -> Vec<Value> {
        self.sockets(|s| s.misplaced.clone())
    }

    /// Events API envelopes not acknowledged yet, and those given up after their last retry.
    pub fn unacked(&self) -> (usize, usize) {
        self.sockets(|s| (s.pending.len(), s.given_up.len()))
    }
}

pub(super) async fn upgrade(State(shared): State<Shared>, ws: WebSocketUpgrade) -> Response {
    if shared.inner.lock().unwrap().sockets.refused {
        return (StatusCode::SERVICE_UNAVAILABLE, "no").into_response();
    }
    ws.on_upgrade(move |s| serve(shared, s))
}

async fn serve(shared: Shared, mut ws: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (id, open) = {
        let mut g = shared.inner.lock().unwrap();
        let s = &mut g.sockets;
        s.opened += 1;
        s.open.push(Conn {
            id: s.opened,
            tx,
            silent: false,
            leaving: false,
        });
        (s.opened, s.open.len())
    };
    let hello = json!({"type": "hello", "num_connections": open, "connection_info": {"app_id": "A1"}, "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060}});
    let silent = if ws.send(Ws::Text(hello.to_string().into())).await.is_err() {
        false
    } else {
        loop {
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    Some(Cmd::Frame(f)) => {
                        if ws.send(Ws::Text(f.into())).await.is_err() {
                            break false;
                        }
                    }
                    Some(Cmd::Silence) => break true,
                    // Dropped without a close frame: the connection just ends.
                    Some(Cmd::Drop) | None => break false,
                },
                // Reading also answers the bot's pings (the WebSocket layer sends the pongs).
                msg = ws.recv() => match msg {
                    Some(Ok(Ws::Text(t))) => {
                        if let Ok(v) = serde_json::from_str::<Value>(&t) {
                            shared.inner.lock().unwrap().sockets.received(id, v);
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => break false,
                },
            }
        }
    };
    if silent {
        // Half-open: the socket is held, never read or written, until it is dropped.
        while let Some(cmd) = rx.recv().await {
            if matches!(cmd, Cmd::Drop) {
                break;
            }
        }
    }
    drop(ws);
    let mut g = shared.inner.lock().unwrap();
    g.sockets.open.retain(|c| c.id != id);
}

/// Delivers again, every 100 ms, the Events API envelopes left unacknowledged past
/// [`ACK_WINDOW`]: on another open connection when there is one, at most [`MAX_RETRIES`] times.
pub(super) async fn redeliver(shared: Shared) {
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut g = shared.inner.lock().unwrap();
        let s = &mut g.sockets;
        let due: Vec<String> = s
            .pending
            .iter()
            .filter(|(_, p)| p.at.elapsed() >= ACK_WINDOW)
            .map(|(k, _)| k.clone())
            .collect();
        for envelope in due {
            let Some(p) = s.pending.remove(&envelope) else {
                continue;
            };
            if p.attempt >= MAX_RETRIES {
                s.given_up.push(envelope);
                continue;
            }
            let sent = match s.pick(Some(p.connection)) {
                Some(id) => s.send_on(id, p.frame.clone(), p.attempt + 1),
                None => false,
            };
            if !sent {
                // No connection open: due again at the next turn.
                s.pending.insert(envelope, p);
            }
        }
    }
}
