//! Escalations carried out, for every platform: the card posted where the setup says (the
//! paste's thread, or `escalation.channel` with a link both ways), moved open → acknowledged →
//! resolved in the store by whoever may and updated in place, reminders claimed in the store
//! and sent as new messages that ping on-call, PagerDuty told, `status` listed. The decider
//! says what; this says how, with the store, the platform and the on-call setup.

use crate::pagerduty::{Alert, PagerDuty, Severity};
use crate::run::counted;
use crate::{metrics, retry, Failure, Platform, Post, Runtime, Sent};
use backup_bot_core::escalation::{self as esc, Event, Move, Request, Setup, Tell, Tried, View};
use backup_bot_core::{headline, now, Reply};
use backup_bot_index::{Lang, Matcher};
use backup_bot_store::{Escalation as Row, Moved, NewEscalation, Store};
use std::time::Duration;

/// How often due reminders are looked for (they are claimed in the store, so replicas may all
/// look: each reminder is sent once).
pub const REMINDERS_EVERY: Duration = Duration::from_secs(1);

/// Who is on call, and PagerDuty when a routing key is set.
#[derive(Debug, Default)]
pub struct Escalation {
    pub setup: Setup,
    pub pagerduty: Option<PagerDuty>,
}

/// What an escalation pages PagerDuty for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Trigger,
    Acknowledge,
    Resolve,
}

/// The mark an escalation's card carries on the platform (a Slack `block_id`, a Discord nonce:
/// at most 25 characters), unique in the store every replica shares.
fn card_marker(id: i64) -> String {
    format!("backup-bot-card-{id}")
}

/// The PagerDuty `dedup_key` of an escalation: one per escalation, whichever replica sends.
fn dedup_key(id: i64) -> String {
    format!("backup-bot-escalation-{id}")
}

/// Where an escalation's thread is: the paste's thread when the card is in it, else the card's
/// own thread. `None` before its card is posted.
fn home(e: &Row) -> Option<(String, String)> {
    let (channel, message) = e.card.clone()?;
    if channel == e.channel && !e.thread.is_empty() {
        Some((channel, e.thread.clone()))
    } else {
        Some((channel, message))
    }
}

/// The language of an escalation's words: Korean when its paste or note is.
fn lang_of(e: &Row) -> Lang {
    let hangul = backup_bot_index::analysis::has_hangul;
    if hangul(&e.paste) || e.note.as_deref().is_some_and(hangul) {
        Lang::Ko
    } else {
        Lang::En
    }
}

fn notice(lang: Lang, text: impl Into<String>) -> Reply {
    Reply::Notice {
        lang,
        text: text.into(),
    }
}

/// An escalation as its card shows it: its entry's headline and steps from the content of the
/// moment, the steps tried and the timeline from the store.
fn view(m: &Matcher, e: &Row, thread_link: Option<String>) -> View {
    let lang = lang_of(e);
    let entry = m.entry_by_id(&e.entry).map(|i| &m.entries()[i]);
    let headline = entry.map_or_else(
        || "A backup failure (no troubleshooting entry named)".to_string(),
        |x| headline(x, x.lang_for(lang)),
    );
    let tried = e
        .timeline
        .iter()
        .filter(|ev| ev.what == "tried")
        .filter_map(|ev| {
            let step: usize = ev.note.as_deref()?.parse().ok()?;
            let text = entry
                .and_then(|x| x.edition(x.lang_for(lang)).steps.get(step).cloned())
                .unwrap_or_default();
            Some(Tried {
                step,
                text,
                by: ev.by.clone(),
                at: ev.at,
            })
        })
        .collect();
    let mut links = Vec::new();
    if let Some(url) = entry.and_then(|x| x.page_url(x.lang_for(lang))) {
        links.push(("Troubleshooting entry".to_string(), url));
    }
    if let Some(url) = thread_link {
        links.push(("Thread".to_string(), url));
    }
    View {
        id: format!("#{}", e.id),
        headline,
        paste: e.paste.clone(),
        tried,
        reporter: e.reporter.clone(),
        note: e.note.clone(),
        links,
        timeline: e
            .timeline
            .iter()
            .filter(|ev| ev.what != "tried")
            .cloned()
            .collect(),
        state: e.state,
        opened_at: e.opened_at,
    }
}

impl<P: Platform> Runtime<P> {
    fn setup(&self) -> &Setup {
        &self.escalation.setup
    }

    /// Posts `reply` in `channel` (in `thread`), retried.
    async fn post_in(
        &self,
        m: &Matcher,
        channel: &str,
        thread: Option<&str>,
        reply: &Reply,
    ) -> Result<Sent, Failure> {
        let p = &self.platform;
        let post = Post {
            channel,
            thread_ts: thread,
            reply,
            source_ts: None,
            marker: None,
        };
        retry(p.retry_policy(), || {
            counted(p.name(), "send", p.send(m, &post))
        })
        .await
    }

    /// Answers the command or the button press itself, retried.
    async fn respond_with(
        &self,
        m: &Matcher,
        ctx: &P::Context,
        reply: &Reply,
    ) -> Result<(), Failure> {
        let p = &self.platform;
        retry(p.retry_policy(), || {
            counted(p.name(), "respond", p.respond(m, ctx, reply))
        })
        .await
        .map(|_| ())
    }

    /// Tells the person who asked: in the thread, or as a response.
    async fn tell(
        &self,
        m: &Matcher,
        ctx: &P::Context,
        req: &Request,
        reply: Reply,
    ) -> Result<(), Failure> {
        match (req.tell, req.thread.as_deref()) {
            (Tell::Thread, Some(t)) => self
                .post_in(m, &req.channel, Some(t), &reply)
                .await
                .map(|_| ()),
            _ => self.respond_with(m, ctx, &reply).await,
        }
    }

    /// Sets the open-escalations gauge from the store.
    async fn count_open(&self, store: &Store) {
        if let Ok(n) = store.count_open_escalations().await {
            metrics::escalations_open(n);
        }
    }

    /// Opens an escalation: reads the paste, keeps it (masked) in the store, posts the card,
    /// links it both ways when it goes to another channel, pages PagerDuty.
    pub(crate) async fn escalate(
        &self,
        m: &Matcher,
        req: Request,
        ctx: &P::Context,
    ) -> Result<(), Failure> {
        let p = &self.platform;
        let (name, kind, lang) = (p.name(), p.kind(), req.lang);
        if !self.setup().enabled(kind) {
            return self
                .tell(m, ctx, &req, Reply::EscalationNotSetUp { lang })
                .await;
        }
        let Some(store) = self.state.current().await else {
            let text = "The bot's store cannot be reached, so an escalation cannot be kept now: please contact on-call directly.";
            return self.tell(m, ctx, &req, notice(lang, text)).await;
        };
        if let Some(t) = &req.thread {
            if let Ok(Some(open)) = store.open_escalation_in(name, &req.channel, t).await {
                let text = format!(
                    "This thread is already escalated (#{}, {}).",
                    open.id,
                    open.state.as_str()
                );
                return self.tell(m, ctx, &req, notice(lang, text)).await;
            }
        }
        let raw = match &req.thread {
            Some(t) => retry(p.retry_policy(), || p.read_paste(&req.channel, t))
                .await
                .unwrap_or_else(|f| {
                    tracing::warn!(platform = name, error = %f.error, "could not read the paste for an escalation");
                    None
                }),
            None => None,
        };
        let at = now();
        let new = NewEscalation {
            platform: name.to_string(),
            channel: req.channel.clone(),
            thread: req.thread.clone().unwrap_or_default(),
            entry: req.entry.clone().unwrap_or_default(),
            reporter: req
                .reporter
                .clone()
                .unwrap_or_else(|| "someone".to_string()),
            note: req.note.clone(),
            paste: esc::paste::prepare(raw.as_deref().unwrap_or("")),
            now: at,
            remind_at: at.saturating_add(self.setup().ack_timeout_secs),
            tried: req
                .tried
                .iter()
                .map(|w| (w.step, w.user.clone().unwrap_or_default(), w.at))
                .collect(),
        };
        let id = match store.create_escalation(&new).await {
            Ok(id) => id,
            Err(e) => {
                let twice = e
                    .as_database_error()
                    .is_some_and(|d| d.is_unique_violation());
                let text = if twice {
                    "This thread is already escalated.".to_string()
                } else {
                    tracing::error!(platform = name, error = %e, "could not keep an escalation");
                    "The escalation could not be kept (the bot's store failed): please contact on-call directly.".to_string()
                };
                return self.tell(m, ctx, &req, notice(lang, text)).await;
            }
        };
        let row = match store.escalation(id).await {
            Ok(Some(r)) => r,
            _ => return Ok(()),
        };
        if let Err(f) = self.lay_card(m, &store, &row, req.thread.as_deref()).await {
            if f.wait != crate::Wait::Never {
                // The platform keeps failing: the card is posted later ([`Self::post_due_cards`]).
                tracing::warn!(platform = name, escalation = id, error = %f, "an escalation's card could not be posted yet: it will be");
                return Ok(());
            }
            // Refused for good. No card, no escalation: nothing would remind anyone of it.
            let _ = store
                .transition(
                    id,
                    esc::State::Resolved,
                    "",
                    Some("the card could not be posted"),
                    now(),
                )
                .await;
            return Err(f);
        }
        tracing::info!(platform = name, escalation = id, via = ?req.via, "escalated to on-call");
        if req.tell == Tell::Respond {
            let _ = self
                .respond_with(
                    m,
                    ctx,
                    &notice(lang, format!("Escalated to on-call as #{id}.")),
                )
                .await;
        }
        Ok(())
    }

    /// Posts the card of escalation `e` (about `thread`, if any) where the setup says, marked
    /// so that a retry after an ambiguous failure, or after the process died, finds it rather
    /// than posting it twice; records it, links it from the paste's thread when it went to
    /// another channel, and pages PagerDuty.
    async fn lay_card(
        &self,
        m: &Matcher,
        store: &Store,
        e: &Row,
        thread: Option<&str>,
    ) -> Result<Sent, Failure> {
        let p = &self.platform;
        let (name, kind) = (p.name(), p.kind());
        let targets = self.setup().targets(kind, &e.channel);
        let card_channel = self.setup().card_channel(&e.channel).map(str::to_string);
        let thread_link = match thread {
            Some(t) => p.link(&e.channel, t).await,
            None => None,
        };
        let card = esc::card(kind, &view(m, e, thread_link), &targets, now());
        let (channel, in_thread) = match &card_channel {
            Some(c) => (c.clone(), None),
            None => (e.channel.clone(), thread),
        };
        let mark = card_marker(e.id);
        let reply = Reply::Laid { card };
        let post = Post {
            channel: &channel,
            thread_ts: in_thread,
            reply: &reply,
            source_ts: None,
            marker: Some(&mark),
        };
        let sent = self.send_marked(m, &post, p.retry_policy()).await?;
        if let Err(err) = store
            .set_escalation_card(e.id, &sent.channel, &sent.ts)
            .await
        {
            tracing::error!(platform = name, error = %err, "could not record an escalation's card");
        }
        if let (Some(_), Some(t)) = (&card_channel, thread) {
            // A link from the paste's thread to the card.
            let id = e.id;
            let link = p.link(&sent.channel, &sent.ts).await;
            let text = match link {
                Some(l) => format!("🚨 Escalated to on-call as #{id}: [the escalation]({l})"),
                None => format!("🚨 Escalated to on-call as #{id}."),
            };
            let _ = self
                .post_in(m, &e.channel, Some(t), &notice(lang_of(e), text))
                .await;
        }
        self.count_open(store).await;
        self.page(m, store, e.id, Page::Trigger).await;
        Ok(sent)
    }

    /// Posts the cards of escalations whose process died before it recorded them, or could not
    /// post them (claimed in the store once their lease ran out, so one replica posts each,
    /// then again a lease later); one refused for good, or not posted within [`USEFUL_FOR`], is
    /// resolved, as a refused card is.
    ///
    /// [`USEFUL_FOR`]: crate::outbox::USEFUL_FOR
    async fn post_due_cards(&self, m: &Matcher, store: &Store) {
        let name = self.platform.name();
        let at = now();
        let due = match store
            .claim_due_cards(name, at, at + backup_bot_store::CARD_LEASE_SECS)
            .await
        {
            Ok(d) => d,
            Err(e) => {
                tracing::debug!(error = %e, "could not look for cards to post");
                return;
            }
        };
        for e in due {
            let thread = (!e.thread.is_empty()).then_some(e.thread.as_str());
            match self.lay_card(m, store, &e, thread).await {
                Ok(_) => {
                    tracing::info!(
                        platform = name,
                        escalation = e.id,
                        "posted an escalation's card left for later"
                    );
                }
                Err(f)
                    if f.wait == crate::Wait::Never
                        || at.saturating_sub(e.opened_at) > crate::outbox::USEFUL_FOR.as_secs() =>
                {
                    tracing::error!(platform = name, escalation = e.id, error = %f, "gave up on an escalation's card");
                    let _ = store
                        .transition(
                            e.id,
                            esc::State::Resolved,
                            "",
                            Some("the card could not be posted"),
                            now(),
                        )
                        .await;
                }
                Err(f) => {
                    tracing::warn!(platform = name, escalation = e.id, error = %f, "an escalation's card could not be posted yet");
                }
            }
        }
    }

    /// Whether the person moving an escalation may (anyone, unless `responders` is set).
    async fn may_move(&self, mv: &Move) -> bool {
        let setup = self.setup();
        if setup.responders.is_empty() {
            return true;
        }
        let user = mv.user.clone().unwrap_or_default();
        let mut groups = mv.groups.clone();
        // Discord responders are written `user:ID`; its users arrive as bare ids.
        groups.push(format!("user:{user}"));
        groups.extend(self.platform.groups_of(&user, &setup.responders).await);
        setup.may_respond(&user, &groups)
    }

    /// Asks for a resolve note where the platform has a form; else resolves at once.
    pub(crate) async fn ask_note(
        &self,
        m: &Matcher,
        mv: Move,
        ctx: &P::Context,
    ) -> Result<(), Failure> {
        if !self.may_move(&mv).await {
            return self
                .respond_with(m, ctx, &notice(mv.lang, ONLY_ON_CALL))
                .await;
        }
        let p = &self.platform;
        if p.ask_note(ctx, &mv).await? {
            return Ok(());
        }
        self.move_escalation(m, mv, ctx).await
    }

    /// Acknowledges or resolves an escalation: who may, the store (once, whoever gets there
    /// first), the card updated in place, PagerDuty told.
    pub(crate) async fn move_escalation(
        &self,
        m: &Matcher,
        mv: Move,
        ctx: &P::Context,
    ) -> Result<(), Failure> {
        let lang = mv.lang;
        if !self.may_move(&mv).await {
            return self.respond_with(m, ctx, &notice(lang, ONLY_ON_CALL)).await;
        }
        let id = mv.id.trim_start_matches('#').parse::<i64>().ok();
        let store = self.state.current().await;
        let (Some(id), Some(store)) = (id, store) else {
            let text = "That escalation cannot be found now.";
            return self.respond_with(m, ctx, &notice(lang, text)).await;
        };
        let user = mv.user.clone().unwrap_or_default();
        let moved = store
            .transition(id, mv.to, &user, mv.note.as_deref(), now())
            .await;
        match moved {
            Ok(Moved::Changed(e)) => {
                tracing::info!(
                    platform = self.platform.name(),
                    escalation = id,
                    to = mv.to.as_str(),
                    "escalation moved"
                );
                self.update_card(m, &e).await;
                self.count_open(&store).await;
                let page = if mv.to == esc::State::Resolved {
                    Page::Resolve
                } else {
                    Page::Acknowledge
                };
                self.page(m, &store, id, page).await;
                Ok(())
            }
            Ok(Moved::Unchanged(e)) => {
                let text = format!("Escalation #{id} is already {}.", e.state.as_str());
                self.respond_with(m, ctx, &notice(lang, text)).await
            }
            Ok(Moved::Missing) => {
                let text = format!("Escalation #{id} is gone (older than the bot keeps).");
                self.respond_with(m, ctx, &notice(lang, text)).await
            }
            Err(e) => {
                tracing::error!(error = %e, "could not move an escalation");
                let text = "The bot's store failed: try again in a moment.";
                self.respond_with(m, ctx, &notice(lang, text)).await
            }
        }
    }

    /// The card of `e` as it stands now, in place (an edit notifies nobody).
    async fn update_card(&self, m: &Matcher, e: &Row) {
        let Some((channel, message)) = &e.card else {
            return;
        };
        let p = &self.platform;
        let kind = p.kind();
        let targets = self.setup().targets(kind, &e.channel);
        let link = p.link(&e.channel, &e.thread).await;
        let card = esc::card(kind, &view(m, e, link), &targets, now());
        let reply = Reply::Laid { card };
        let r = retry(p.retry_policy(), || {
            counted(p.name(), "update", p.update(m, channel, message, &reply))
        })
        .await;
        if let Err(f) = r {
            tracing::error!(platform = p.name(), error = %f.error, "could not update an escalation's card");
        }
    }

    /// Tells PagerDuty, when set up: a trigger first if it never took one (it was down when
    /// the escalation opened), then the acknowledgement or resolution. Failing, the thread is
    /// told and the timeline says so; the chat escalation goes on regardless.
    async fn page(&self, m: &Matcher, store: &Store, id: i64, page: Page) {
        let Some(pd) = &self.escalation.pagerduty else {
            return;
        };
        let Ok(Some(e)) = store.escalation(id).await else {
            return;
        };
        let key = dedup_key(id);
        let p = &self.platform;
        let mut result = Ok(());
        if !e.timeline.iter().any(|ev| ev.what == "paged") {
            let link = p.link(&e.channel, &e.thread).await;
            let summary = format!("Backup escalation #{id}: {}", view(m, &e, None).headline);
            let source = format!("backup-bot ({})", p.name());
            let alert = Alert {
                dedup_key: &key,
                summary: &summary,
                source: &source,
                severity: Severity::Error,
                link: link.as_deref().map(|l| ("Chat thread", l)),
            };
            result = pd.trigger(&alert).await.map(|_| ());
            if result.is_ok() {
                let _ = store.note_escalation(id, &event("paged")).await;
            }
        }
        if result.is_ok() {
            result = match page {
                Page::Trigger => Ok(()),
                Page::Acknowledge => pd.acknowledge(&key).await.map(|_| ()),
                Page::Resolve => pd.resolve(&key).await.map(|_| ()),
            };
        }
        let Err(refused) = result else {
            return;
        };
        tracing::warn!(escalation = id, error = %refused, "PagerDuty was not told");
        let _ = store.note_escalation(id, &event("pagerduty_failed")).await;
        if let Ok(Some(e)) = store.escalation(id).await {
            self.update_card(m, &e).await;
            if let Some((channel, thread)) = home(&e) {
                let text = "⚠️ PagerDuty could not be reached. The escalation goes on here; acknowledging or resolving will tell PagerDuty again.";
                let _ = self
                    .post_in(m, &channel, Some(&thread), &notice(lang_of(&e), text))
                    .await;
            }
        }
    }

    /// `status`: the channel's escalations not yet resolved, oldest first.
    pub(crate) async fn status(
        &self,
        m: &Matcher,
        channel: &str,
        lang: Lang,
        ctx: &P::Context,
    ) -> Result<(), Failure> {
        let Some(store) = self.state.current().await else {
            let text = "The bot's store cannot be reached now.";
            return self.respond_with(m, ctx, &notice(lang, text)).await;
        };
        let rows = store
            .open_escalations(self.platform.name(), channel)
            .await
            .unwrap_or_default();
        let open: Vec<esc::Open> = rows
            .iter()
            .map(|e| esc::Open {
                id: format!("#{}", e.id),
                headline: view(m, e, None).headline,
                state: e.state,
                opened_at: e.opened_at,
                link: None,
            })
            .collect();
        let card = esc::status(&open, now());
        self.respond_with(m, ctx, &Reply::Laid { card }).await
    }

    /// Sends the reminders due now (claimed in the store first, so each is sent once across
    /// replicas and restarts); returns how many were sent.
    pub async fn remind_due(&self) -> usize {
        let p = &self.platform;
        let kind = p.kind();
        if !self.setup().enabled(kind) {
            return 0;
        }
        let Some(store) = self.state.current().await else {
            return 0;
        };
        // The gauge follows the store: escalations opened or moved by other replicas, or
        // before a restart, count too.
        self.count_open(&store).await;
        let m = self.decider.matcher();
        self.post_due_cards(&m, &store).await;
        let at = now();
        let due = match store
            .claim_due_reminders(p.name(), at, self.setup().ack_timeout_secs)
            .await
        {
            Ok(d) => d,
            Err(e) => {
                tracing::debug!(error = %e, "could not look for due reminders");
                return 0;
            }
        };
        let mut sent = 0;
        for e in due {
            let Some((channel, thread)) = home(&e) else {
                continue;
            };
            let targets = self.setup().targets(kind, &e.channel);
            let v = view(&m, &e, None);
            let card = esc::reminder(kind, &v, &targets, e.reminders.saturating_sub(1), at);
            match self
                .post_in(&m, &channel, Some(&thread), &Reply::Laid { card })
                .await
            {
                Ok(_) => {
                    sent += 1;
                    tracing::info!(platform = p.name(), escalation = e.id, "reminded on-call");
                }
                Err(f) => {
                    tracing::error!(platform = p.name(), error = %f.error, "could not send a reminder")
                }
            }
            self.update_card(&m, &e).await;
        }
        sent
    }

    /// Sends due reminders until the task is dropped.
    pub async fn remind(&self) {
        loop {
            self.remind_due().await;
            tokio::time::sleep(REMINDERS_EVERY).await;
        }
    }
}

const ONLY_ON_CALL: &str = "Only on-call can do this.";

fn event(what: &str) -> Event {
    Event {
        at: now(),
        by: String::new(),
        what: what.to_string(),
        note: None,
    }
}
