//! [`Runtime::handle`]: one event, from the platform's neutral form to what was posted.

use crate::outbox::Pending;
use crate::{metrics, retry, Escalation, Failure, Platform, Post, State};
use backup_bot_core::chat::{recorded, Decider};
use backup_bot_core::{now, Effect, Incoming};
use backup_bot_index::Matcher;
use backup_bot_store::Claim;
use std::sync::Arc;

/// The runtime of one platform: its decider (shared, no lock), the state (shared by every
/// platform of the process), and the platform.
pub struct Runtime<P: Platform> {
    pub(crate) decider: Arc<Decider>,
    pub(crate) state: Arc<State>,
    pub(crate) platform: P,
    pub(crate) escalation: Arc<Escalation>,
}

impl<P: Platform> Runtime<P> {
    /// A runtime; `escalation`: who is on call (a default one: escalation not set up).
    pub fn new(
        decider: Arc<Decider>,
        state: Arc<State>,
        platform: P,
        escalation: Arc<Escalation>,
    ) -> Runtime<P> {
        Runtime {
            decider,
            state,
            platform,
            escalation,
        }
    }

    pub fn platform(&self) -> &P {
        &self.platform
    }

    pub fn decider(&self) -> &Decider {
        &self.decider
    }

    /// Handles one event: `event` is the platform's own id of the delivery when it has one
    /// (Slack's `event_id`), claimed with the message. Returns how many effects were decided
    /// (0: the bot stays quiet, or someone else answered).
    pub async fn handle(&self, incoming: Incoming, event: Option<&str>, ctx: &P::Context) -> usize {
        self.handle_since(incoming, event, ctx, std::time::Instant::now())
            .await
    }

    /// [`Runtime::handle`] for an event that came in at `came_in` (the adapter's receipt of
    /// the request, frame or gateway event): the reply latency is measured from then.
    pub async fn handle_since(
        &self,
        incoming: Incoming,
        event: Option<&str>,
        ctx: &P::Context,
        came_in: std::time::Instant,
    ) -> usize {
        let accepted = self.accept(incoming, event, came_in).await;
        self.deliver(accepted, ctx).await
    }

    /// Takes an event in, before the platform is told it arrived: decided, claimed, its changes
    /// applied and the replies it posts written to the outbox. What is accepted is not lost:
    /// [`Runtime::deliver`] sends it, or after a crash the outbox does.
    pub async fn accept(
        &self,
        incoming: Incoming,
        event: Option<&str>,
        came_in: std::time::Instant,
    ) -> Accepted {
        let flying = crate::flight::enter();
        let name = self.platform.name();
        if matches!(incoming, Incoming::Message(_)) {
            metrics::heard(name);
        }
        // The content of this moment: the replies are rendered and recorded with it.
        let m = self.decider.matcher();
        let draft = self.decider.prepare(&m, incoming);
        let facts = self.state.facts(name, &draft.needs).await;
        let at = now();
        let decision = self.decider.decide(&m, draft, &facts, at);
        let claim = decision.claim.map(|key| Claim {
            platform: name.to_string(),
            event: event.map(str::to_string),
            key,
            at,
        });
        let mut accepted = Accepted {
            m: m.clone(),
            claim: None,
            effects: Vec::new(),
            came_in,
            _flying: flying,
        };
        if let Some(c) = &claim {
            if !self.state.claim(c).await {
                tracing::debug!(channel = %c.key.0, ts = %c.key.1, "already claimed");
                return accepted;
            }
        }
        for change in decision.changes {
            self.state.apply(name, change, at).await;
        }
        for effect in decision.effects {
            let kept = match &effect {
                Effect::Post {
                    channel,
                    thread_ts,
                    reply,
                    source_ts,
                } => {
                    let post = Post {
                        channel,
                        thread_ts: thread_ts.as_deref(),
                        reply,
                        source_ts: source_ts.as_deref(),
                        marker: None,
                    };
                    self.keep(&m, &post).await
                }
                _ => None,
            };
            accepted.effects.push((effect, kept));
        }
        accepted.claim = claim;
        accepted
    }

    /// Carries out what [`Runtime::accept`] took in; returns how many effects there were
    /// (0: the bot stays quiet, or someone else answered).
    pub async fn deliver(&self, accepted: Accepted, ctx: &P::Context) -> usize {
        let Accepted {
            m,
            claim,
            effects,
            came_in,
            _flying,
        } = accepted;
        let n = effects.len();
        for (effect, kept) in effects {
            if let Err(e) = self.carry_out(&m, effect, kept, ctx, came_in).await {
                tracing::error!(platform = self.platform.name(), error = %e, "could not carry out a reply");
                // Nothing was posted: the claim is given back, so a retry may answer.
                if let Some(c) = &claim {
                    self.state.release(c).await;
                }
            }
        }
        n
    }

    async fn carry_out(
        &self,
        m: &Matcher,
        effect: Effect,
        pending: Option<Pending>,
        ctx: &P::Context,
        came_in: std::time::Instant,
    ) -> Result<(), Failure> {
        let p = &self.platform;
        let policy = p.retry_policy();
        let name = p.name();
        match effect {
            Effect::Post {
                channel,
                thread_ts,
                reply,
                source_ts,
            } => {
                let mark = pending.as_ref().map(Pending::marker);
                let post = Post {
                    channel: &channel,
                    thread_ts: thread_ts.as_deref(),
                    reply: &reply,
                    source_ts: source_ts.as_deref(),
                    marker: mark.as_deref(),
                };
                // Written to the outbox when accepted: if the platform keeps failing, or the
                // process dies, the sender sends it later.
                let policy = match &pending {
                    Some(_) => crate::RetryPolicy {
                        times: policy.times.min(crate::outbox::QUICK_RETRIES),
                        ..policy
                    },
                    None => policy,
                };
                let sent = match self.send_marked(m, &post, policy).await {
                    Ok(s) => {
                        self.sent(pending).await;
                        s
                    }
                    Err(f) => {
                        if self.later(pending, &f).await {
                            // Not lost: the claim stays taken, the sender will post it.
                            return Ok(());
                        }
                        return Err(f);
                    }
                };
                metrics::replied(name, &reply, came_in.elapsed());
                tracing::info!(platform = name, channel = %sent.channel, ts = %sent.ts, "replied");
                self.record(m, &sent, &reply, source_ts.as_deref(), false)
                    .await;
            }
            Effect::Update { channel, ts, reply } => {
                retry(policy, || {
                    counted(name, "update", p.update(m, &channel, &ts, &reply))
                })
                .await?;
                tracing::info!(platform = name, channel = %channel, ts = %ts, "updated a reply");
            }
            Effect::Delete { channel, ts } => {
                retry(policy, || counted(name, "delete", p.delete(&channel, &ts))).await?;
                tracing::info!(platform = name, channel = %channel, ts = %ts, "removed a reply");
            }
            Effect::Respond { reply } => {
                let sent = retry(policy, || {
                    counted(name, "respond", p.respond(m, ctx, &reply))
                });
                let sent = sent.await?;
                metrics::replied(name, &reply, came_in.elapsed());
                if let Some(sent) = sent {
                    self.record(m, &sent, &reply, None, true).await;
                }
            }
            Effect::Escalate(req) => self.escalate(m, req, ctx).await?,
            Effect::Move(mv) => self.move_escalation(m, mv, ctx).await?,
            Effect::AskNote(mv) => self.ask_note(m, mv, ctx).await?,
            Effect::Status { channel, lang } => self.status(m, &channel, lang, ctx).await?,
        }
        Ok(())
    }

    pub(crate) async fn record(
        &self,
        m: &Matcher,
        sent: &Sent,
        reply: &backup_bot_core::Reply,
        source: Option<&str>,
        responded: bool,
    ) {
        let at = now();
        for c in recorded(m, &sent.channel, &sent.ts, reply, source, responded, at) {
            self.state.apply(self.platform.name(), c, at).await;
        }
    }
}

/// An event taken in, to deliver: the content it was decided on, its claim, its effects (a
/// post with its outbox row), when it came in. Counted as in flight until delivered.
pub struct Accepted {
    m: Arc<Matcher>,
    claim: Option<Claim>,
    effects: Vec<(Effect, Option<Pending>)>,
    came_in: std::time::Instant,
    _flying: crate::flight::Guard,
}

impl Accepted {
    /// Nothing to do (the bot stays quiet, or someone else answered).
    pub fn is_empty(&self) -> bool {
        self.effects.is_empty()
    }
}

/// One attempt of a platform call, its failure counted in the metrics.
pub(crate) async fn counted<T>(
    platform: &'static str,
    method: &'static str,
    call: impl std::future::Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    let r = call.await;
    if let Err(f) = &r {
        metrics::failed(platform, method, f);
    }
    r
}

use crate::Sent;
