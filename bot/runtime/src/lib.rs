//! The one runtime: carries out the core's decisions for every platform. An event is prepared
//! (matching, without a lock), the facts it needs are read from the state, the decider decides,
//! the claim is taken before anything is posted, the changes are applied, and the effects go
//! through a [`Platform`] (send, update, delete, respond) with retries; what was posted is
//! recorded. Slack, Discord and the console each implement [`Platform`] and nothing more.

mod escalate;
pub mod flight;
pub mod link;
pub mod metrics;
pub mod outbox;
pub mod pagerduty;
mod retry;
mod run;
mod state;

pub use escalate::{Escalation, REMINDERS_EVERY};
pub use link::{Link, LinkState};
pub use retry::{retry, Failure, RetryPolicy, Wait};
pub use run::{Accepted, Runtime};
pub use state::State;

use backup_bot_core::escalation::Move;
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
    /// A mark the platform keeps with the message (a Slack `block_id`, a Discord nonce), so a
    /// retry after an answer that was lost can find it was posted.
    pub marker: Option<&'a str>,
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

    /// Which kind of platform this is, for escalations (mentions, targets).
    fn kind(&self) -> backup_bot_core::escalation::Platform;

    /// The text of a thread's first message (the paste an escalation keeps), if it can be
    /// read. One attempt.
    fn read_paste(
        &self,
        _channel: &str,
        _thread: &str,
    ) -> impl Future<Output = Result<Option<String>, Failure>> + Send {
        async { Ok(None) }
    }

    /// The message posted earlier with `post.marker`, if the platform shows one (asked before a
    /// retry after an ambiguous failure: a 5xx or a dropped connection may follow a post that
    /// went through). One attempt.
    fn find_posted(
        &self,
        _post: &Post<'_>,
    ) -> impl Future<Output = Result<Option<Sent>, Failure>> + Send {
        async { Ok(None) }
    }

    /// A link to a message, where the platform has one.
    fn link(&self, _channel: &str, _ts: &str) -> impl Future<Output = Option<String>> + Send {
        async { None }
    }

    /// Opens a form that asks for a resolve note (a modal): true when it was opened; false
    /// when the platform has none (the escalation is then resolved without a note).
    fn ask_note(
        &self,
        _ctx: &Self::Context,
        _mv: &Move,
    ) -> impl Future<Output = Result<bool, Failure>> + Send {
        async { Ok(false) }
    }

    /// Which of `groups` (the configured responders' user groups) `user` is in, where the
    /// platform must be asked (Slack); Discord gives a member's roles with the press.
    fn groups_of(
        &self,
        _user: &str,
        _groups: &[String],
    ) -> impl Future<Output = Vec<String>> + Send {
        async { Vec::new() }
    }
}
