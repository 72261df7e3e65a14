//! A platform connection watched (Slack's socket, Discord's gateway): whether it is up, for
//! readiness; said in the log once per change of state, never once per try; and how long to
//! wait between tries while the platform cannot be reached: a doubling backoff, capped.

use backon::{BackoffBuilder, ExponentialBuilder};
use std::fmt::Display;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The first wait after a failed try.
pub const FIRST_RETRY: Duration = Duration::from_secs(1);

/// The longest wait between two tries to reach a platform that is down. Doubling from one
/// second, the waits reach it after five tries: a blip costs a second or two, the bot is back at
/// most half a minute after the network is, and an outage of hours costs two tries a minute
/// (Slack's `apps.connections.open` is a tier-1 method, meant to be called about once a minute).
pub const RECONNECT_CAP: Duration = Duration::from_secs(30);

/// How long a lost connection is left to the client library's own reconnection (a resume, a new
/// socket) before it counts as down and our backoff takes over.
pub const GRACE: Duration = Duration::from_secs(10);

/// The waits between tries, for ever: a delay doubling from [`FIRST_RETRY`] up to half of
/// [`RECONNECT_CAP`], each wait drawn between that delay and twice it (jitter, so that replicas
/// do not knock together): 1–2 s, 2–4 s, 4–8 s, 8–16 s, then 15–30 s.
pub struct Backoff(Box<dyn Iterator<Item = Duration> + Send + Sync>);

impl Backoff {
    pub fn new() -> Backoff {
        Backoff(Box::new(
            ExponentialBuilder::default()
                .with_min_delay(FIRST_RETRY)
                .with_max_delay(RECONNECT_CAP / 2)
                .with_factor(2.0)
                .with_jitter()
                .without_max_times()
                .build()
                .map(|d| d.min(RECONNECT_CAP)),
        ))
    }

    /// The next wait.
    pub fn next_wait(&mut self) -> Duration {
        self.0.next().unwrap_or(RECONNECT_CAP)
    }

    /// From the first wait again (the connection was up).
    pub fn reset(&mut self) {
        *self = Backoff::new();
    }
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff::new()
    }
}

/// Where a connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Not connected yet, or reconnecting after a loss (not known to be down).
    Connecting,
    /// Connected.
    Up,
    /// The platform could not be reached (or did not let us connect): retrying with backoff.
    Down,
}

impl LinkState {
    /// The word readiness uses.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Connecting => "disconnected",
            LinkState::Up => "connected",
            LinkState::Down => "down",
        }
    }
}

/// One platform connection's state.
pub struct Link {
    /// How the log names it, e.g. "Slack Socket Mode".
    name: &'static str,
    state: watch::Sender<LinkState>,
    /// When it went down (for the line that says it is back).
    down_since: Mutex<Option<Instant>>,
}

impl Link {
    pub fn new(name: &'static str) -> Link {
        Link {
            name,
            state: watch::Sender::new(LinkState::Connecting),
            down_since: Mutex::new(None),
        }
    }

    pub fn state(&self) -> LinkState {
        *self.state.borrow()
    }

    pub fn is_up(&self) -> bool {
        self.state() == LinkState::Up
    }

    /// Follows the state as it changes.
    pub fn subscribe(&self) -> watch::Receiver<LinkState> {
        self.state.subscribe()
    }

    /// Connected (Slack's hello, Discord's READY or RESUMED): said once, as "back" after it
    /// was down.
    pub fn up(&self) {
        match self.state.send_replace(LinkState::Up) {
            LinkState::Up => {}
            LinkState::Connecting => tracing::info!(link = self.name, "{}: connected", self.name),
            LinkState::Down => {
                let since = self
                    .down_since
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take();
                let down_for_s = since.map_or(0, |s| s.elapsed().as_secs());
                tracing::info!(
                    link = self.name,
                    down_for_s,
                    "{}: back, connected",
                    self.name
                );
            }
        }
    }

    /// The connection was lost and the client library reconnects: not ready meanwhile. Said
    /// once (at info: a platform closes connections now and then); a loss that lasts becomes
    /// [`Link::down`].
    pub fn lost(&self, why: &dyn Display) {
        let was_up = self.state.send_if_modified(|s| {
            let up = *s == LinkState::Up;
            if up {
                *s = LinkState::Connecting;
            }
            up
        });
        if was_up {
            tracing::info!(link = self.name, reason = %why, "{}: connection lost; reconnecting", self.name);
        }
    }

    /// The platform cannot be reached: one warning when this starts, nothing more while it
    /// lasts (each further failed try is at debug).
    pub fn down(&self, why: &dyn Display) {
        match self.state.send_replace(LinkState::Down) {
            LinkState::Down => {
                tracing::debug!(link = self.name, error = %why, "{}: still down", self.name)
            }
            _ => {
                *self
                    .down_since
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
                tracing::warn!(
                    link = self.name,
                    error = %why,
                    retry_cap_s = RECONNECT_CAP.as_secs(),
                    "{}: down; retrying with backoff",
                    self.name
                );
            }
        }
    }

    /// Waits while the connection is up, or comes back within [`GRACE`] of each loss; returns
    /// when it has been away for longer (or never came up within `GRACE`). Each time it is up,
    /// `backoff` starts again from its first wait.
    pub async fn hold(&self, backoff: &mut Backoff) {
        let mut state = self.subscribe();
        loop {
            let back = tokio::time::timeout(GRACE, state.wait_for(|s| *s == LinkState::Up))
                .await
                .is_ok_and(|r| r.is_ok());
            // Away for longer than the grace (or the link is gone).
            if !back {
                return;
            }
            backoff.reset();
            if state.wait_for(|s| *s != LinkState::Up).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_waits_double_up_to_the_cap_and_never_end() {
        let mut backoff = Backoff::new();
        let waits: Vec<Duration> = (0..12).map(|_| backoff.next_wait()).collect();
        assert_eq!(waits.len(), 12);
        assert!(
            waits[0] >= FIRST_RETRY && waits[0] <= FIRST_RETRY * 2,
            "{waits:?}"
        );
        assert!(waits[1] >= FIRST_RETRY * 2, "{waits:?}");
        assert!(waits.iter().all(|w| *w <= RECONNECT_CAP), "{waits:?}");
        assert!(waits[11] >= RECONNECT_CAP / 2, "{waits:?}");
    }

    #[test]
    fn readiness_words_follow_the_state() {
        let link = Link::new("Test");
        assert_eq!(link.state().as_str(), "disconnected");
        link.down(&"refused");
        assert_eq!(link.state().as_str(), "down");
        link.up();
        assert!(link.is_up());
        link.lost(&"closed");
        assert_eq!(link.state(), LinkState::Connecting);
    }
}
