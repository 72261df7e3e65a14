//! The HTTP listener, built so that an anonymous client cannot hold it: connections are capped
//! below the open-file limit (one over the cap is closed at once), a connection must complete
//! its request headers within 5 s of opening (or of its first byte after a reply) and may stay
//! idle between requests for 30 s — past either it is closed without a response —, requests in
//! flight are capped (tower's concurrency limit with load shedding: 503 past it) and each is
//! timed out (503). HTTP/1.1 only (Slack and probes speak it). What a request's body may be is
//! the routes' business (`backup_bot_slack::http` checks Slack's headers first, caps the body
//! and reads it within a deadline).

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::{ServiceBuilder, ServiceExt};

/// A request's headers must be complete within this long of the connection opening, or of the
/// first byte of a next request.
pub const HEADERS: Duration = Duration::from_secs(5);
/// A kept-alive connection with no request for this long is closed.
pub const IDLE: Duration = Duration::from_secs(30);
/// A request (its body read, its handler run) must be done within this long.
pub const REQUEST: Duration = Duration::from_secs(15);
/// Requests being served at once; more get 503 at once.
pub const IN_FLIGHT: usize = 256;
/// Connections open at once, at most (less when the open-file limit is low).
pub const MAX_CONNECTIONS: usize = 1024;
/// Files kept for everything else (the store, outgoing connections, the content's files).
const FILES_KEPT: u64 = 128;

/// The connection cap for an open-file limit of `nofile`: below it by what the rest of the
/// process needs, and never under 64 (a limit that low leaves little else).
pub fn connection_cap(nofile: Option<u64>) -> usize {
    match nofile {
        Some(n) => (n.saturating_sub(FILES_KEPT) as usize).clamp(64, MAX_CONNECTIONS),
        None => MAX_CONNECTIONS,
    }
}

/// The soft open-file limit (`RLIMIT_NOFILE`), where there is one.
fn open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut r = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct we pass and reads nothing else.
        let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) };
        if got == 0 && r.rlim_cur != libc::RLIM_INFINITY {
            // rlim_t is u64 on Linux, not everywhere.
            #[allow(clippy::unnecessary_cast)]
            return Some(r.rlim_cur as u64);
        }
        None
    }
    #[cfg(not(unix))]
    None
}

/// Serves `app` on `listener` until `stop` completes; then stops accepting, lets the requests in
/// flight finish (at most `closing`) and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    stop: impl Future<Output = ()>,
    closing: Duration,
) -> io::Result<()> {
    let cap = connection_cap(open_file_limit());
    tracing::info!(connections = cap, in_flight = IN_FLIGHT, "HTTP limits");
    let permits = Arc::new(tokio::sync::Semaphore::new(cap));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let stack = ServiceBuilder::new()
        .load_shed()
        .concurrency_limit(IN_FLIGHT)
        .timeout(REQUEST)
        .service(app);
    tokio::pin!(stop);
    let mut refused_said: Option<Instant> = None;
    loop {
        let (stream, _) = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of files or a connection reset before it was taken: go on.
                    tracing::debug!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            // Full: closed at once, so that a flood costs no memory and no file for long. Said
            // once a minute at most.
            if refused_said.is_none_or(|at| at.elapsed() >= Duration::from_secs(60)) {
                tracing::warn!(
                    connections = cap,
                    "HTTP connections at their cap: closing new ones"
                );
                refused_said = Some(Instant::now());
            }
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let phase = Arc::new(Mutex::new(Phase::Head(Instant::now())));
        let io = TokioIo::new(Watched {
            inner: stream,
            phase: phase.clone(),
        });
        let stack = stack.clone();
        let service_phase = phase.clone();
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let stack = stack.clone();
            let phase = service_phase.clone();
            set(&phase, Phase::Busy);
            async move {
                let response = match stack.oneshot(req.map(Body::new)).await {
                    Ok(r) => r,
                    Err(e) => refused(e),
                };
                set(&phase, Phase::Idle(Instant::now()));
                Ok::<Response<Body>, std::convert::Infallible>(response)
            }
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            // Our own watch below closes slow headers and idle connections; hyper's header
            // timer (which starts when a connection goes idle) is the backstop.
            .header_read_timeout(IDLE + HEADERS)
            .serve_connection(io, service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            tokio::select! {
                r = conn => {
                    if let Err(e) = r {
                        tracing::debug!(error = %e, "HTTP connection ended");
                    }
                }
                _ = watch(phase) => {}
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(closing, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("HTTP connections still open after the shutdown's wait: closed");
    }
    Ok(())
}

/// The answer for a request the stack refused: too many in flight, or too slow.
fn refused(e: tower::BoxError) -> Response<Body> {
    if e.is::<tower::load_shed::error::Overloaded>() {
        (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response()
    } else if e.is::<tower::timeout::error::Elapsed>() {
        (StatusCode::SERVICE_UNAVAILABLE, "timed out").into_response()
    } else {
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    }
}

/// Where a connection is between requests.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// Waiting for a request's headers, since then.
    Head(Instant),
    /// A request is being served (its own deadlines apply).
    Busy,
    /// Kept alive with no request, since then.
    Idle(Instant),
}

fn set(phase: &Mutex<Phase>, to: Phase) {
    *phase.lock().unwrap_or_else(|p| p.into_inner()) = to;
}

fn get(phase: &Mutex<Phase>) -> Phase {
    *phase.lock().unwrap_or_else(|p| p.into_inner())
}

/// Completes when the connection overstayed: headers not complete within [`HEADERS`], or idle
/// for [`IDLE`]. The connection is then dropped: closed, without a response.
async fn watch(phase: Arc<Mutex<Phase>>) {
    loop {
        let due = match get(&phase) {
            Phase::Head(since) => since + HEADERS,
            Phase::Idle(since) => since + IDLE,
            // Served: the request's own timeout bounds it; look again later.
            Phase::Busy => Instant::now() + HEADERS,
        };
        if due <= Instant::now() {
            return;
        }
        tokio::time::sleep_until(due.into()).await;
    }
}

/// A connection's socket that notes the first byte of a request arriving while idle: from then
/// on its headers have [`HEADERS`] to complete.
struct Watched {
    inner: TcpStream,
    phase: Arc<Mutex<Phase>>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            let mut p = self.phase.lock().unwrap_or_else(|p| p.into_inner());
            if let Phase::Idle(_) = *p {
                *p = Phase::Head(Instant::now());
            }
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_below_the_open_file_limit() {
        assert_eq!(connection_cap(Some(1024)), 896);
        assert_eq!(connection_cap(Some(1_048_576)), MAX_CONNECTIONS);
        assert_eq!(connection_cap(Some(100)), 64);
        assert_eq!(connection_cap(None), MAX_CONNECTIONS);
    }
}
