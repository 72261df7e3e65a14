//! The one runtime: carries out the core's decisions for every platform. An event is prepared
//! (matching, without a lock), the facts it needs are read from the state, the decider decides,
//! the claim is taken before anything is posted, the changes are applied, and the effects go
//! through a [`Platform`] (send, update, delete, respond) with retries; what was posted is
//! recorded. Slack, Discord and the console each implement [`Platform`] and nothing more.

pub mod flight;
pub mod link;
pub mod metrics;
pub mod pagerduty;
mod retry;
mod run;
mod state;

pub use link::{Link, LinkState};
pub use retry::{retry, Failure, RetryPolicy, Wait};
pub use run::Runtime;
pub use state::State;

use backup_bot_core::Reply;
use backup_bot_index::Matcher;
use std::future::Future;

/// A message the platform posted: where it landed (a thread may be a channel of its own) and
/// its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub channel: String,
    pub ts: String,
}

/// A reply to post.
#[derive(Debug, Clone)]
pub struct Post<'a> {
    pub channel: &'a str,
    pub thread_ts: Option<&'a str>,
    pub reply: &'a Reply,
    /// The message it answers, if any.
    pub source_ts: Option<&'a str>,
}

/// What a platform does with the core's effects; replies are rendered with the matcher that
/// decided them. Each call is one attempt: the runtime retries what a [`Failure`] says may be
/// retried.
pub trait Platform: Send + Sync + 'static {
    /// What a response goes to (a response URL, an interaction token), given with the event.
    type Context: Send + Sync;

    /// The platform's name in the store (`slack`, `discord`, `console`).
    fn name(&self) -> &'static str;

    /// How its calls are retried.
    fn retry_policy(&self) -> RetryPolicy;

    fn send(
        &self,
        m: &Matcher,
        post: &Post<'_>,
    ) -> impl Future<Output = Result<Sent, Failure>> + Send;

    fn update(
        &self,
        m: &Matcher,
        channel: &str,
        ts: &str,
        reply: &Reply,
    ) -> impl Future<Output = Result<(), Failure>> + Send;

    fn delete(&self, channel: &str, ts: &str) -> impl Future<Output = Result<(), Failure>> + Send;

    /// Answers the command or the button press itself; the message it became, if it has an id
    /// (so its buttons work).
    fn respond(
        &self,
        m: &Matcher,
        ctx: &Self::Context,
        reply: &Reply,
    ) -> impl Future<Output = Result<Option<Sent>, Failure>> + Send;
}
