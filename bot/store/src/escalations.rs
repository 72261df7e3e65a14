//! Escalations: created with their paste (already masked and shortened), moved open →
//! acknowledged → resolved by whoever gets there first (a transition is an `UPDATE … WHERE
//! state IN …`, so a second press changes nothing), listed per channel, and reminded: a due
//! reminder is claimed by an `UPDATE … RETURNING` that moves its due time on, so that of several
//! replicas exactly one gets it. Deleted, paste and timeline with them, after the retention.

use crate::{on, Store};
use backup_bot_core::escalation::{Event, State};

type R<T> = Result<T, sqlx::Error>;

/// How long the process that opens an escalation has to post its card (its retries, each 429
/// waited): after this, a card not recorded as posted is posted by whichever process claims it.
pub const CARD_LEASE_SECS: u64 = 60;

fn secs(at: u64) -> i64 {
    i64::try_from(at).unwrap_or(i64::MAX)
}

fn unsecs(at: i64) -> u64 {
    u64::try_from(at).unwrap_or(0)
}

/// An escalation to create.
#[derive(Debug, Clone)]
pub struct NewEscalation {
    pub platform: String,
    pub channel: String,
    /// The thread it is about (the paste's message, or the new thread of `escalate CODE`).
    pub thread: String,
    /// The entry's id.
    pub entry: String,
    pub reporter: String,
    pub note: Option<String>,
    /// The paste, masked and shortened (`backup_bot_core::escalation::paste::prepare`).
    pub paste: String,
    pub now: u64,
    /// When the first reminder is due (`now + ack_timeout`).
    pub remind_at: u64,
    /// The steps of the walk tried before: (step, by, at), kept as `tried` events.
    pub tried: Vec<(usize, String, u64)>,
}

/// An escalation as stored, with its timeline (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub id: i64,
    pub platform: String,
    pub channel: String,
    pub thread: String,
    /// Where its card was posted: (channel, message), once it is.
    pub card: Option<(String, String)>,
    pub entry: String,
    pub reporter: String,
    pub note: Option<String>,
    pub paste: String,
    pub state: State,
    pub opened_at: u64,
    pub updated_at: u64,
    pub next_reminder_at: Option<u64>,
    /// Reminders sent (claimed) so far.
    pub reminders: u32,
    pub timeline: Vec<Event>,
}

/// What a transition did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    /// It moved: the escalation as it is now.
    Changed(Escalation),
    /// It was already there (or past it): nothing changed.
    Unchanged(Escalation),
    /// No such escalation (pruned, or never).
    Missing,
}

type Row = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    i64,
);

const COLUMNS: &str = "id, platform, channel, thread, card_channel, card_message, entry, \
                       reporter, note, paste, state, opened_at, updated_at, next_reminder_at, \
                       reminders";

fn of_row(r: Row) -> Escalation {
    Escalation {
        id: r.0,
        platform: r.1,
        channel: r.2,
        thread: r.3,
        card: r.4.zip(r.5),
        entry: r.6,
        reporter: r.7,
        note: r.8,
        paste: r.9,
        state: State::parse(&r.10).unwrap_or(State::Open),
        opened_at: unsecs(r.11),
        updated_at: unsecs(r.12),
        next_reminder_at: r.13.map(unsecs),
        reminders: u32::try_from(r.14).unwrap_or(u32::MAX),
        timeline: Vec::new(),
    }
}

impl Store {
    /// Creates an escalation (open, its first reminder due at `remind_at`) and its `opened`
    /// event; returns its id.
    pub async fn create_escalation(&self, e: &NewEscalation) -> R<i64> {
        on!(&self.db, |p| {
            let mut tx = p.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO escalations (platform, channel, thread, entry, reporter, note, paste, \
                 state, opened_at, updated_at, next_reminder_at, reminders, card_due_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $8, $9, 0, $10) RETURNING id",
            )
            .bind(&e.platform)
            .bind(&e.channel)
            .bind(&e.thread)
            .bind(&e.entry)
            .bind(&e.reporter)
            .bind(&e.note)
            .bind(&e.paste)
            .bind(secs(e.now))
            .bind(secs(e.remind_at))
            .bind(secs(e.now.saturating_add(CARD_LEASE_SECS)))
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO escalation_events (escalation, at, by_user, what, note) \
                 VALUES ($1, $2, $3, 'opened', $4)",
            )
            .bind(id)
            .bind(secs(e.now))
            .bind(&e.reporter)
            .bind(&e.note)
            .execute(&mut *tx)
            .await?;
            for (step, by, at) in &e.tried {
                sqlx::query(
                    "INSERT INTO escalation_events (escalation, at, by_user, what, note) \
                     VALUES ($1, $2, $3, 'tried', $4)",
                )
                .bind(id)
                .bind(secs(*at))
                .bind(by)
                .bind(step.to_string())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Records where the card was posted; an escalation that had no thread yet (`escalate
    /// CODE` from anywhere) gets the card's.
    pub async fn set_escalation_card(&self, id: i64, channel: &str, message: &str) -> R<()> {
        on!(&self.db, |p| sqlx::query(
            "UPDATE escalations SET card_channel = $2, card_message = $3, card_due_at = NULL, \
             thread = CASE WHEN thread = '' THEN $3 ELSE thread END WHERE id = $1"
        )
        .bind(id)
        .bind(channel)
        .bind(message)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// An escalation with its timeline.
    pub async fn escalation(&self, id: i64) -> R<Option<Escalation>> {
        let sql = format!("SELECT {COLUMNS} FROM escalations WHERE id = $1");
        let row: Option<Row> = on!(&self.db, |p| sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(p)
            .await?);
        let Some(mut e) = row.map(of_row) else {
            return Ok(None);
        };
        let events: Vec<(i64, String, String, Option<String>)> = on!(&self.db, |p| {
            sqlx::query_as(
                "SELECT at, by_user, what, note FROM escalation_events WHERE escalation = $1 \
                 ORDER BY at, id",
            )
            .bind(id)
            .fetch_all(p)
            .await?
        });
        e.timeline = events
            .into_iter()
            .map(|(at, by, what, note)| Event {
                at: unsecs(at),
                by,
                what,
                note,
            })
            .collect();
        Ok(Some(e))
    }

    /// Adds a line to an escalation's timeline (PagerDuty could not be reached, say).
    pub async fn note_escalation(&self, id: i64, ev: &Event) -> R<()> {
        on!(&self.db, |p| sqlx::query(
            "INSERT INTO escalation_events (escalation, at, by_user, what, note) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(id)
        .bind(secs(ev.at))
        .bind(&ev.by)
        .bind(&ev.what)
        .bind(&ev.note)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Acknowledges (from open) or resolves (from open or acknowledged) an escalation, by `by`,
    /// with an optional note; reminders stop. A transition already made changes nothing, so
    /// two presses (or two replicas) record it once.
    pub async fn transition(
        &self,
        id: i64,
        to: State,
        by: &str,
        note: Option<&str>,
        now: u64,
    ) -> R<Moved> {
        let from = match to {
            State::Open => "('none')",
            State::Acknowledged => "('open')",
            State::Resolved => "('open', 'acknowledged')",
        };
        let sql = format!(
            "UPDATE escalations SET state = $2, updated_at = $3, next_reminder_at = NULL \
             WHERE id = $1 AND state IN {from}"
        );
        let changed = on!(&self.db, |p| {
            let mut tx = p.begin().await?;
            let n = sqlx::query(&sql)
                .bind(id)
                .bind(to.as_str())
                .bind(secs(now))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n > 0 {
                sqlx::query(
                    "INSERT INTO escalation_events (escalation, at, by_user, what, note) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(secs(now))
                .bind(by)
                .bind(to.as_str())
                .bind(note)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            n > 0
        });
        Ok(match self.escalation(id).await? {
            None => Moved::Missing,
            Some(e) if changed => Moved::Changed(e),
            Some(e) => Moved::Unchanged(e),
        })
    }

    /// The escalations of a channel not yet resolved, oldest first.
    pub async fn open_escalations(&self, platform: &str, channel: &str) -> R<Vec<Escalation>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM escalations WHERE platform = $1 AND channel = $2 \
             AND state <> 'resolved' ORDER BY opened_at, id"
        );
        let rows: Vec<Row> = on!(&self.db, |p| sqlx::query_as(&sql)
            .bind(platform)
            .bind(channel)
            .fetch_all(p)
            .await?);
        Ok(rows.into_iter().map(of_row).collect())
    }

    /// The open (not resolved) escalation of a thread, if any.
    pub async fn open_escalation_in(
        &self,
        platform: &str,
        channel: &str,
        thread: &str,
    ) -> R<Option<Escalation>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM escalations WHERE platform = $1 AND channel = $2 \
             AND thread = $3 AND state <> 'resolved' ORDER BY id LIMIT 1"
        );
        let row: Option<Row> = on!(&self.db, |p| sqlx::query_as(&sql)
            .bind(platform)
            .bind(channel)
            .bind(thread)
            .fetch_optional(p)
            .await?);
        Ok(row.map(of_row))
    }

    /// How many escalations are not resolved, on every platform (the metric).
    pub async fn count_open_escalations(&self) -> R<i64> {
        Ok(on!(&self.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM escalations WHERE state <> 'resolved'"
        )
        .fetch_one(p)
        .await?))
    }

    /// Claims the reminders of `platform` due by `now`: each open escalation whose reminder is
    /// due is returned once, its count raised and its next reminder moved to `now + every`, in
    /// one statement, so no other replica gets it. The caller sends them (at most once each).
    pub async fn claim_due_reminders(
        &self,
        platform: &str,
        now: u64,
        every: u64,
    ) -> R<Vec<Escalation>> {
        let sql = format!(
            "UPDATE escalations SET reminders = reminders + 1, next_reminder_at = $2 \
             WHERE state = 'open' AND platform = $3 AND next_reminder_at IS NOT NULL \
             AND next_reminder_at <= $1 RETURNING {COLUMNS}"
        );
        let rows: Vec<Row> = on!(&self.db, |p| sqlx::query_as(&sql)
            .bind(secs(now))
            .bind(secs(now.saturating_add(every.max(1))))
            .bind(platform)
            .fetch_all(p)
            .await?);
        let mut out: Vec<Escalation> = rows.into_iter().map(of_row).collect();
        out.sort_by_key(|e| (e.opened_at, e.id));
        for e in &out {
            self.note_escalation(
                e.id,
                &Event {
                    at: now,
                    by: String::new(),
                    what: "reminded".into(),
                    note: None,
                },
            )
            .await?;
        }
        Ok(out)
    }

    /// Claims the open escalations of `platform` whose card is due by `now` and not recorded
    /// as posted (the process that opened them died first): each is returned once, its due
    /// time moved to `until`, in one statement, so no other replica gets it meanwhile.
    pub async fn claim_due_cards(
        &self,
        platform: &str,
        now: u64,
        until: u64,
    ) -> R<Vec<Escalation>> {
        let sql = format!(
            "UPDATE escalations SET card_due_at = $2 \
             WHERE state = 'open' AND platform = $3 AND card_message IS NULL \
             AND card_due_at IS NOT NULL AND card_due_at <= $1 RETURNING {COLUMNS}"
        );
        let rows: Vec<Row> = on!(&self.db, |p| sqlx::query_as(&sql)
            .bind(secs(now))
            .bind(secs(until))
            .bind(platform)
            .fetch_all(p)
            .await?);
        let mut out: Vec<Escalation> = rows.into_iter().map(of_row).collect();
        out.sort_by_key(|e| e.id);
        Ok(out)
    }

    /// Deletes the escalations opened before `before`, their pastes and timelines with them.
    pub async fn prune_escalations(&self, before: u64) -> R<u64> {
        on!(&self.db, |p| {
            let mut tx = p.begin().await?;
            sqlx::query(
                "DELETE FROM escalation_events WHERE escalation IN \
                 (SELECT id FROM escalations WHERE opened_at < $1)",
            )
            .bind(secs(before))
            .execute(&mut *tx)
            .await?;
            let n = sqlx::query("DELETE FROM escalations WHERE opened_at < $1")
                .bind(secs(before))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(n)
        })
    }
}
