//! HTTP mode against anonymous clients: the real `serve` (Slack over HTTP, against the fake
//! Slack) with connections that send no signature and big bodies and stall, slow headers, idle
//! keep-alive connections and more connections than the open-file limit allows, beside Slack's
//! own signed events on keep-alive connections. Each test asserts what the connections saw
//! (a status, or closed without a response), never how fast.

use crate::fake_slack::FakeSlack;
use crate::support::slack::{message_event, now, sign, start_slack, Bot, SECRET};
use crate::support::temp_dir;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// How long a test waits for the bot to close a connection before it calls it held open: a
/// bound that keeps a failing test from hanging, far above the bot's own deadlines.
const HELD: Duration = Duration::from_secs(60);

fn start(fake: &FakeSlack, name: &str) -> Bot {
    start_slack(fake, false, &temp_dir(name), &[])
}

fn connect(bot: &Bot) -> TcpStream {
    let s = TcpStream::connect(&bot.addr).unwrap();
    s.set_read_timeout(Some(HELD)).unwrap();
    s
}

/// Reads until the bot closes the connection: what it sent, and whether it closed it (EOF or a
/// reset) rather than holding it past [`HELD`].
fn until_closed(s: &mut TcpStream) -> (Vec<u8>, bool) {
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return (got, true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return (got, false)
            }
            Err(_) => return (got, true),
        }
    }
}

/// A connection of a flood: refused or not taken within a second is left out.
fn flood_connect(bot: &Bot) -> Option<TcpStream> {
    TcpStream::connect_timeout(&bot.addr.parse().unwrap(), Duration::from_secs(1)).ok()
}

fn status(response: &[u8]) -> u16 {
    String::from_utf8_lossy(response)
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// The bot's resident memory, in KiB.
fn rss_kib(bot: &Bot) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", bot.child.id())).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

/// Headers of a POST to the events endpoint declaring `length` bytes, with `extra` headers.
fn head(length: usize, extra: &[(&str, String)]) -> String {
    let mut h = format!(
        "POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n"
    );
    for (k, v) in extra {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h + "\r\n"
}

/// Slack's headers for a body of which only the start is sent (its signature cannot be checked
/// before the body is whole).
fn slack_headers(body_start: &str) -> Vec<(&'static str, String)> {
    let ts = now();
    vec![
        ("X-Slack-Request-Timestamp", ts.to_string()),
        ("X-Slack-Signature", sign(SECRET, ts, body_start)),
    ]
}

/// Opens a connection that sends `head`, then `body` (as much as the bot takes), then stalls;
/// returns what the bot answered and whether it closed the connection.
fn stalled_upload(addr: &str, head: String, body: Vec<u8>) -> (u16, bool) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(HELD)).unwrap();
    s.set_write_timeout(Some(HELD)).unwrap();
    if s.write_all(head.as_bytes()).is_ok() {
        // The bot may answer and close before taking it all: a failed write is that.
        let _ = s.write_all(&body);
    }
    let (got, closed) = until_closed(&mut s);
    (status(&got), closed)
}

#[test]
fn unsigned_and_oversized_uploads_are_refused_before_their_bodies_and_cost_no_memory() {
    let fake = FakeSlack::start();
    let bot = start(&fake, "http-uploads");
    let before = rss_kib(&bot);
    // 200 connections without a signature, each declaring 1.99 MB and sending 1 MiB of it,
    // then stalling.
    let body = vec![b'a'; 1 << 20];
    let unsigned: Vec<_> = (0..200)
        .map(|_| {
            let (addr, body) = (bot.addr.clone(), body.clone());
            std::thread::spawn(move || stalled_upload(&addr, head(1_990_000, &[]), body))
        })
        .collect();
    let seen: Vec<(u16, bool)> = unsigned.into_iter().map(|t| t.join().unwrap()).collect();
    for (code, closed) in &seen {
        assert!(
            *closed,
            "an unsigned stalled upload was held open: {seen:?}"
        );
        assert!(matches!(code, 401 | 0), "{seen:?}");
    }
    assert!(seen.iter().any(|(c, _)| *c == 401), "{seen:?}");
    // Slack's headers with a body over the limit: 413, the body never read.
    let (code, closed) = stalled_upload(
        &bot.addr,
        head(1_990_000, &slack_headers("{")),
        body.clone(),
    );
    assert!(closed && matches!(code, 413 | 0), "{code} {closed}");
    // Slack's headers, a body within the limit that stops coming: closed after its deadline.
    let (code, closed) = stalled_upload(
        &bot.addr,
        head(100_000, &slack_headers("{")),
        vec![b' '; 10_000],
    );
    assert!(closed && matches!(code, 408 | 0), "{code} {closed}");
    let after = rss_kib(&bot);
    // Before, each of these connections kept what it sent (200 MiB here, 2.8 GiB for 1,000).
    assert!(
        after < before + 64 * 1024,
        "resident memory grew from {before} KiB to {after} KiB"
    );
    // And the bot still answers Slack.
    let ok = crate::support::slack::send_event(
        &bot,
        &message_event("EvAfterFlood", "1700000900.000100", "lunch at noon?"),
        &[],
    );
    assert_eq!(ok, 200);
}

#[test]
fn slow_headers_and_idle_connections_are_closed_without_a_response() {
    let fake = FakeSlack::start();
    let bot = start(&fake, "http-slow");
    // Headers that never end.
    let mut slow: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut s = connect(&bot);
            s.write_all(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\n")
                .unwrap();
            s
        })
        .collect();
    // Headers sent a byte at a time, each soon after the last: the deadline runs from the first.
    let trickle = {
        let mut s = connect(&bot);
        s.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        std::thread::spawn(move || {
            let line = b"POST /slack/events HTTP/1.1\r\nX-Padding: ";
            let mut buf = [0u8; 256];
            for sent in 0..(HELD.as_millis() / 500) as usize {
                let byte = line.get(sent).copied().unwrap_or(b'a');
                if s.write_all(&[byte]).is_err() {
                    return (Vec::new(), true);
                }
                match s.read(&mut buf) {
                    Ok(0) => return (Vec::new(), true),
                    Ok(n) => return (buf[..n].to_vec(), false),
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                    Err(_) => return (Vec::new(), true),
                }
            }
            (Vec::new(), false)
        })
    };
    // A keep-alive connection that sends one signed event, then nothing.
    let mut idle = connect(&bot);
    let body = message_event("EvIdle", "1700000901.000100", "lunch at noon?").to_string();
    let ts = now();
    let request = head(
        body.len(),
        &[
            ("X-Slack-Request-Timestamp", ts.to_string()),
            ("X-Slack-Signature", sign(SECRET, ts, &body)),
        ],
    ) + &body;
    idle.write_all(request.as_bytes()).unwrap();
    let first = read_response(&mut idle);
    assert_eq!(status(&first), 200);
    for s in &mut slow {
        let (got, closed) = until_closed(s);
        assert!(closed, "slow headers were held open");
        assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
    }
    let (got, closed) = trickle.join().unwrap();
    assert!(closed, "a trickle of header bytes was held open");
    assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
    let (got, closed) = until_closed(&mut idle);
    assert!(closed, "an idle keep-alive connection was held open");
    assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
}

/// Reads one response (headers and a `Content-Length` body) from a kept-alive connection.
fn read_response(s: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if got.len() >= end + 4 + len {
                return got;
            }
        }
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[test]
fn thirty_two_keep_alive_connections_of_signed_events_are_served_beside_a_flood() {
    let fake = FakeSlack::start();
    let bot = start(&fake, "http-keepalive");
    // A flood of connections that send nothing, and of unsigned stalled uploads.
    let flood: Vec<TcpStream> = (0..300).filter_map(|_| flood_connect(&bot)).collect();
    let uploads: Vec<_> = (0..50)
        .map(|_| {
            let addr = bot.addr.clone();
            std::thread::spawn(move || {
                stalled_upload(&addr, head(1_990_000, &[]), vec![b'a'; 1 << 18])
            })
        })
        .collect();
    let slack: Vec<_> = (0..32)
        .map(|c| {
            let addr = bot.addr.clone();
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(&addr).unwrap();
                s.set_read_timeout(Some(HELD)).unwrap();
                let mut statuses = Vec::new();
                for i in 0..5 {
                    let body = message_event(
                        &format!("EvKeep{c}x{i}"),
                        &format!("17000010{c:02}.00{i}100"),
                        "lunch at noon?",
                    )
                    .to_string();
                    let ts = now();
                    let request = head(
                        body.len(),
                        &[
                            ("X-Slack-Request-Timestamp", ts.to_string()),
                            ("X-Slack-Signature", sign(SECRET, ts, &body)),
                        ],
                    ) + &body;
                    if s.write_all(request.as_bytes()).is_err() {
                        statuses.push(0);
                        break;
                    }
                    statuses.push(status(&read_response(&mut s)));
                }
                statuses
            })
        })
        .collect();
    let statuses: Vec<Vec<u16>> = slack.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(
        statuses.iter().all(|s| s == &[200; 5]),
        "every signed event on its kept-alive connection: {statuses:?}"
    );
    for u in uploads {
        let (_, closed) = u.join().unwrap();
        assert!(closed);
    }
    drop(flood);
}

#[test]
fn connections_are_capped_below_the_open_file_limit_and_slack_is_still_answered() {
    use crate::support::slack::{start_slack_with, PASTE};
    let fake = FakeSlack::start();
    // 256 files: the cap is 128 connections, the rest of the files stay for Slack and the store.
    let bot = start_slack_with(&fake, false, &temp_dir("http-nofile"), &[], Some(256));
    // Slack's connection, kept alive, before the flood.
    let mut slack = connect(&bot);
    let send = |s: &mut TcpStream, id: &str, ts: &str, text: &str| {
        let body = message_event(id, ts, text).to_string();
        let now = now();
        let request = head(
            body.len(),
            &[
                ("X-Slack-Request-Timestamp", now.to_string()),
                ("X-Slack-Signature", sign(SECRET, now, &body)),
            ],
        ) + &body;
        s.write_all(request.as_bytes()).unwrap();
        status(&read_response(s))
    };
    assert_eq!(
        send(&mut slack, "EvNofile1", "1700001200.000100", "lunch?"),
        200
    );
    // More connections than the process has files.
    let mut flood: Vec<TcpStream> = (0..400).filter_map(|_| flood_connect(&bot)).collect();
    assert_eq!(
        send(&mut slack, "EvNofile2", "1700001200.000200", PASTE),
        200
    );
    let posts = fake.wait_for("chat.postMessage", 1, Duration::from_secs(30));
    assert_eq!(posts.len(), 1, "the paste was answered during the flood");
    for s in &mut flood {
        s.set_read_timeout(Some(HELD)).unwrap();
        let (got, closed) = until_closed(s);
        assert!(
            closed && got.is_empty(),
            "{}",
            String::from_utf8_lossy(&got)
        );
    }
    let logs = bot.logs();
    assert!(logs.contains("connections=128"), "{logs}");
    assert!(logs.contains("HTTP connections at their cap"), "{logs}");
}
