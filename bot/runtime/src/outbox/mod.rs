//! Delivery through the outbox: a reply is written to the store before it is sent, sent at
//! once (with the platform's quick retries), and, when the platform keeps failing or the
//! process dies, sent again by a sender that honours `Retry-After` for as long as the reply is
//! still useful ([`USEFUL_FOR`]); then it is given up with one log line. Replicas share the
//! outbox: a reply is leased to one of them at a time.

pub mod codec;

use crate::run::counted;
use crate::{metrics, Failure, Platform, Post, Runtime, Wait};
use backup_bot_core::{now, Reply};
use backup_bot_index::Matcher;
use backup_bot_store::{Outgoing, Store};
use serde_json::{json, Value};
use std::time::Duration;

/// How long a reply is worth sending: past this, the thread has moved on (and Slack's own
/// retries of the event have long stopped).
pub const USEFUL_FOR: Duration = Duration::from_secs(10 * 60);
/// How often the sender looks for replies to send again.
pub const SEND_EVERY: Duration = Duration::from_secs(1);
/// How long a reply being sent at once is nobody else's: its quick retries, each 429 waiting at
/// most the retry's cap.
const LEASE_SECS: u64 = 90;
/// How long a reply a sender took is nobody else's: one attempt (a look and a post). A sender
/// killed meanwhile leaves it to another after this.
const SENDER_LEASE_SECS: u64 = 20;
/// The longest wait between two attempts of a reply waiting in the outbox.
const MAX_BACKOFF_SECS: u64 = 60;
/// Replies taken per look.
const BATCH: u32 = 32;

/// Quick retries of a reply the outbox holds, before the sender takes over (the platform's
/// own count may be higher: without the outbox, they are all there is).
pub(crate) const QUICK_RETRIES: usize = 2;

/// The wait after attempt `attempts` failed: what the platform asked, else doubling from 1 s
/// to [`MAX_BACKOFF_SECS`].
fn backoff(attempts: u32, wait: Wait) -> u64 {
    match wait {
        Wait::After(d) => d.as_secs().max(1),
        _ => 1u64
            .checked_shl(attempts.saturating_sub(1).min(16))
            .unwrap_or(MAX_BACKOFF_SECS)
            .min(MAX_BACKOFF_SECS),
    }
}

/// A reply kept: where it goes and what it is.
fn kept(m: &Matcher, thread: Option<&str>, reply: &Reply) -> Option<String> {
    let r = codec::encode(m, reply)?;
    Some(json!({ "thread": thread, "reply": r }).to_string())
}

/// What a kept reply says: (thread, reply), on the content of the moment.
fn unkept(m: &Matcher, payload: &str) -> Option<(Option<String>, Reply)> {
    let v: Value = serde_json::from_str(payload).ok()?;
    let thread = v["thread"].as_str().map(str::to_string);
    Some((thread, codec::decode(m, &v["reply"])?))
}

/// A reply written to the outbox, being sent now.
pub struct Pending {
    store: Store,
    id: i64,
}

/// The mark a kept reply carries on the platform (a Slack `block_id`, a Discord nonce: at most
/// 25 characters), from its outbox id: unique in the store every replica shares.
fn marker(id: i64) -> String {
    format!("backup-bot-{id}")
}

impl Pending {
    pub fn marker(&self) -> String {
        marker(self.id)
    }
}

impl<P: Platform> Runtime<P> {
    /// Writes `post` to the outbox before it is sent (when the store is up and the reply is
    /// one the outbox keeps).
    pub(crate) async fn keep(&self, m: &Matcher, post: &Post<'_>) -> Option<Pending> {
        let store = self.state.current().await?;
        let payload = kept(m, post.thread_ts, post.reply)?;
        let at = now();
        match store
            .outbox_put(
                self.platform.name(),
                post.channel,
                post.source_ts,
                &payload,
                at,
                at + LEASE_SECS,
            )
            .await
        {
            Ok(id) => Some(Pending { store, id }),
            Err(e) => {
                tracing::warn!(error = %e, "could not write a reply to the outbox: sending it without");
                None
            }
        }
    }

    /// The reply was sent, or failed for good: out of the outbox.
    pub(crate) async fn sent(&self, p: Option<Pending>) {
        if let Some(p) = p {
            if let Err(e) = p.store.outbox_done(p.id).await {
                tracing::warn!(error = %e, "could not clear a sent reply from the outbox");
            }
        }
    }

    /// The reply could not be sent now but may be later: left to the sender. True when it was.
    pub(crate) async fn later(&self, p: Option<Pending>, f: &Failure) -> bool {
        let Some(p) = p else {
            return false;
        };
        if f.wait == Wait::Never {
            self.sent(Some(p)).await;
            return false;
        }
        let at = now() + backoff(1, f.wait);
        match p.store.outbox_later(p.id, at).await {
            Ok(()) => {
                tracing::warn!(platform = self.platform.name(), error = %f, "a reply could not be sent yet: it waits in the outbox");
                true
            }
            Err(_) => false,
        }
    }

    /// One attempt at `post`; when an earlier attempt may have gone through (`check`), the
    /// platform is asked first whether it did (by the post's marker), so it is not posted twice.
    /// A look that does not reach the platform is a failure: nothing is sent without knowing.
    pub(crate) async fn send_checked(
        &self,
        m: &Matcher,
        post: &Post<'_>,
        check: bool,
    ) -> Result<crate::Sent, Failure> {
        let p = &self.platform;
        if check && post.marker.is_some() {
            match counted(p.name(), "find", p.find_posted(post)).await {
                Ok(Some(s)) => {
                    tracing::info!(platform = p.name(), ts = %s.ts, "a reply that seemed lost had been posted");
                    return Ok(s);
                }
                Ok(None) => {}
                // Refused (no such thread, no permission): nothing there to find.
                Err(f) if f.wait == Wait::Never => {}
                // Not reached: try again later rather than risk posting twice.
                Err(f) => return Err(f),
            }
        }
        counted(p.name(), "send", p.send(m, post)).await
    }

    /// Sends `post` with `policy`'s retries. After a 5xx or a dropped connection the post may
    /// have gone through: the next attempt looks for it first (by its marker).
    pub(crate) async fn send_marked(
        &self,
        m: &Matcher,
        post: &Post<'_>,
        policy: crate::RetryPolicy,
    ) -> Result<crate::Sent, Failure> {
        let ambiguous = std::sync::atomic::AtomicBool::new(false);
        let attempt = || async {
            let check = ambiguous.load(std::sync::atomic::Ordering::Relaxed);
            let r = self.send_checked(m, post, check).await;
            if matches!(&r, Err(f) if f.wait == Wait::Backoff) {
                ambiguous.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            r
        };
        crate::retry(policy, attempt).await
    }

    /// Sends the replies waiting in the outbox that are due; returns how many were sent.
    pub async fn send_kept_due(&self) -> usize {
        let Some(store) = self.state.current().await else {
            return 0;
        };
        let p = &self.platform;
        let at = now();
        let due = match store
            .claim_due_outbox(p.name(), at, at + SENDER_LEASE_SECS, BATCH)
            .await
        {
            Ok(d) => d,
            Err(e) => {
                tracing::debug!(error = %e, "could not look at the outbox");
                return 0;
            }
        };
        let m = self.decider.matcher();
        let mut sent = 0;
        for o in due {
            if self.send_kept(&m, &store, o, at).await {
                sent += 1;
            }
        }
        sent
    }

    /// One attempt at a reply from the outbox.
    async fn send_kept(&self, m: &Matcher, store: &Store, o: Outgoing, at: u64) -> bool {
        let p = &self.platform;
        let name = p.name();
        if at.saturating_sub(o.created_at) > USEFUL_FOR.as_secs() {
            tracing::error!(platform = name, channel = %o.channel, attempts = o.attempts, "gave up on a reply: not sent within 10 minutes");
            let _ = store.outbox_done(o.id).await;
            return false;
        }
        let Some((thread, reply)) = unkept(m, &o.payload) else {
            // Its entry is gone from the content: nothing right to send.
            let _ = store.outbox_done(o.id).await;
            return false;
        };
        let mark = marker(o.id);
        let post = Post {
            channel: &o.channel,
            thread_ts: thread.as_deref(),
            reply: &reply,
            source_ts: o.source.as_deref(),
            marker: Some(&mark),
        };
        // Every earlier attempt may have gone through: look before sending again.
        match self.send_checked(m, &post, true).await {
            Ok(s) => {
                let _ = store.outbox_done(o.id).await;
                metrics::replied(
                    name,
                    &reply,
                    Duration::from_secs(now().saturating_sub(o.created_at)),
                );
                tracing::info!(platform = name, channel = %s.channel, ts = %s.ts, attempts = o.attempts, "replied from the outbox");
                self.record(m, &s, &reply, o.source.as_deref(), false).await;
                true
            }
            Err(f) if f.wait == Wait::Never => {
                tracing::error!(platform = name, error = %f, "a reply from the outbox was refused: dropped");
                let _ = store.outbox_done(o.id).await;
                false
            }
            Err(f) => {
                let next = now() + backoff(o.attempts, f.wait);
                let _ = store.outbox_later(o.id, next).await;
                false
            }
        }
    }

    /// Sends what waits in the outbox until the task is dropped.
    pub async fn send_kept_forever(&self) {
        loop {
            self.send_kept_due().await;
            tokio::time::sleep(SEND_EVERY).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_to_a_minute_or_is_what_the_platform_asked() {
        assert_eq!(backoff(1, Wait::Backoff), 1);
        assert_eq!(backoff(3, Wait::Backoff), 4);
        assert_eq!(backoff(30, Wait::Backoff), MAX_BACKOFF_SECS);
        assert_eq!(backoff(1, Wait::After(Duration::from_secs(5))), 5);
        assert_eq!(backoff(1, Wait::After(Duration::from_millis(10))), 1);
    }
}
