//! Events in flight, counted process-wide so a graceful shutdown can wait for their replies.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// Held while an event is handled.
pub struct Guard(());

impl Drop for Guard {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts an event in flight until the guard is dropped.
pub fn enter() -> Guard {
    IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
    Guard(())
}

/// Events being handled now.
pub fn in_flight() -> usize {
    IN_FLIGHT.load(Ordering::SeqCst)
}

/// Waits until no event is in flight, at most `within`; whether they all finished.
pub async fn drained(within: Duration) -> bool {
    let until = tokio::time::Instant::now() + within;
    while in_flight() > 0 {
        if tokio::time::Instant::now() >= until {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}
