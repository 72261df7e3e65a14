//! The fake Discord's gateway, as Discord's documentation describes it: HELLO, then IDENTIFY →
//! READY (a new session, its sequence numbers from 1) or RESUME → the dispatches the session
//! missed since the sequence number the client names, in order, then RESUMED; heartbeats
//! acknowledged; an invalid session (op 9, `d: false`) answered to a RESUME when the test asks,
//! after which the client must IDENTIFY again; close codes.

use super::{user, Shared, APP_ID, BOT_ID};
use axum::extract::ws::{CloseFrame, Message as Ws, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::sync::mpsc;

/// What the test sends through the connected session.
pub(super) enum Cmd {
    /// A dispatch with its sequence number.
    Dispatch(u64, String, Value),
    /// Dropped without a close frame.
    Drop,
}

pub(super) async fn gateway(State(shared): State<Shared>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |s| serve_gateway(shared, s))
}

async fn send(ws: &mut WebSocket, v: Value) -> bool {
    ws.send(Ws::Text(v.to_string().into())).await.is_ok()
}

/// The next frame that is not a heartbeat (heartbeats are acknowledged), kept as received.
async fn next_frame(shared: &Shared, ws: &mut WebSocket) -> Option<Value> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.recv()).await {
            Ok(Some(Ok(Ws::Text(t)))) => {
                let v: Value = serde_json::from_str(&t).unwrap_or_default();
                if v["op"] == 1 {
                    let _ = send(ws, json!({"op": 11})).await;
                    continue;
                }
                shared.inner.lock().unwrap().received.push(v.clone());
                return Some(v);
            }
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

async fn serve_gateway(shared: Shared, mut ws: WebSocket) {
    let conn = {
        let mut g = shared.inner.lock().unwrap();
        g.connections += 1;
        g.connections
    };
    // A reconnection the test holds back waits here (briefly: the client's heartbeat runs on).
    while shared.inner.lock().unwrap().hold {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    if !send(
        &mut ws,
        json!({"op": 10, "d": {"heartbeat_interval": 1000}}),
    )
    .await
    {
        return;
    }
    // The first frame: IDENTIFY (a new session) or RESUME.
    let Some(mut first) = next_frame(&shared, &mut ws).await else {
        return;
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
    let invalidate = first["op"] == 6 && {
        let mut g = shared.inner.lock().unwrap();
        std::mem::take(&mut g.invalidate_resume)
    };
    if invalidate {
        // The session cannot be resumed: the client must start a new one.
        if !send(&mut ws, json!({"op": 9, "d": false})).await {
            return;
        }
        first = match next_frame(&shared, &mut ws).await {
            Some(v) if v["op"] == 2 => v,
            _ => return,
        };
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    // Under one lock: what is sent first, and the socket that later dispatches go to, so none
    // falls between a replay and the live session.
    let frames = {
        let mut g = shared.inner.lock().unwrap();
        let mut frames: Vec<Value> = Vec::new();
        if first["op"] == 6 {
            let from = first["d"]["seq"].as_u64().unwrap_or(0);
            frames.extend(
                g.log
                    .iter()
                    .filter(|(s, _, _)| *s > from)
                    .map(|(s, t, d)| json!({"op": 0, "s": s, "t": t, "d": d})),
            );
            g.replayed += frames.len();
            g.seq += 1;
            frames.push(json!({"op": 0, "s": g.seq, "t": "RESUMED", "d": {}}));
        } else {
            g.sessions += 1;
            g.seq = 1;
            g.log.clear();
            frames.push(json!({"op": 0, "s": 1, "t": "READY", "d": {
                "v": 10, "user": user(BOT_ID, "backup-bot", true), "guilds": [],
                "session_id": format!("sess-{}", g.sessions),
                "resume_gateway_url": format!("ws://{}", shared.addr),
                "application": {"id": APP_ID, "flags": 0}
            }}));
        }
        g.socket = Some((conn, tx));
        frames
    };
    for f in frames {
        if !send(&mut ws, f).await {
            return;
        }
    }
    loop {
        tokio::select! {
            cmd = rx.recv() => match cmd {
                Some(Cmd::Dispatch(s, t, d)) => {
                    if !send(&mut ws, json!({"op": 0, "s": s, "t": t, "d": d})).await {
                        break;
                    }
                }
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
    let mut g = shared.inner.lock().unwrap();
    if g.socket.as_ref().is_some_and(|(c, _)| *c == conn) {
        g.socket = None;
    }
}
