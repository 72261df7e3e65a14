//! Retries, written once for every platform (backon): rate limits wait what the platform asks
//! (capped), server and network errors a doubling backoff, a bounded number of times. A refused
//! call is sent again; one that succeeded is never sent twice.

use backon::{ExponentialBuilder, Retryable};
use std::future::Future;
use std::time::Duration;

/// The longest a `Retry-After` is waited.
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// Whether and when a failed call may be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Not again (refused for good: a bad request, a missing permission).
    Never,
    /// After the backoff's next delay.
    Backoff,
    /// After this long (a rate limit's `Retry-After`).
    After(Duration),
}

/// A failed call.
#[derive(Debug)]
pub struct Failure {
    pub wait: Wait,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn never(error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            wait: Wait::Never,
            error: error.into(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.error)
    }
}

/// How a platform's calls are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first backoff delay (doubling after).
    pub first: Duration,
    /// Retries after the first attempt.
    pub times: usize,
}

/// Runs `call`, retrying as its failures say, at most `policy.times` more times.
pub async fn retry<T, F, Fut>(policy: RetryPolicy, call: F) -> Result<T, Failure>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let backoff = ExponentialBuilder::default()
        .with_min_delay(policy.first)
        .with_factor(2.0)
        .with_max_delay(MAX_WAIT)
        .with_max_times(policy.times);
    call.retry(backoff)
        .sleep(tokio::time::sleep)
        .when(|f: &Failure| f.wait != Wait::Never)
        .adjust(|f: &Failure, next| match (f.wait, next) {
            // The attempts are used up: no more, whatever the platform asks.
            (_, None) => None,
            (Wait::After(d), Some(_)) => Some(d.min(MAX_WAIT)),
            (_, next) => next,
        })
        .notify(|f: &Failure, wait| {
            tracing::warn!(error = %f, wait_ms = wait.as_millis() as u64, "call failed: retrying")
        })
        .await
}
