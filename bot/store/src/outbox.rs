//! The outbox: replies written before they are sent, so that none is lost to a platform's
//! errors or to a crash. A reply is sent at once; one that could not be is taken again by a
//! sender (`claim_due_outbox`: one `UPDATE … RETURNING` that leases it, so of several replicas
//! one sends it) until it is sent or too old to be useful.

use crate::{on, Store};

type R<T> = Result<T, sqlx::Error>;

fn secs(at: u64) -> i64 {
    i64::try_from(at).unwrap_or(i64::MAX)
}

fn unsecs(at: i64) -> u64 {
    u64::try_from(at).unwrap_or(0)
}

/// A reply waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: i64,
    pub channel: String,
    /// The message it answers, if any.
    pub source: Option<String>,
    /// What to send (the runtime's encoding: ids, never positions).
    pub payload: String,
    /// Attempts so far (this one included, once claimed).
    pub attempts: u32,
    pub created_at: u64,
}

type Row = (i64, String, Option<String>, String, i64, i64);

fn of_row(r: Row) -> Outgoing {
    Outgoing {
        id: r.0,
        channel: r.1,
        source: r.2,
        payload: r.3,
        attempts: u32::try_from(r.4).unwrap_or(u32::MAX),
        created_at: unsecs(r.5),
    }
}

impl Store {
    /// Writes a reply to send; nobody else takes it before `lease_until` (its first attempt
    /// is the writer's). Returns its id.
    pub async fn outbox_put(
        &self,
        platform: &str,
        channel: &str,
        source: Option<&str>,
        payload: &str,
        now: u64,
        lease_until: u64,
    ) -> R<i64> {
        Ok(on!(&self.db, |p| {
            sqlx::query_scalar(
            "INSERT INTO outbox (platform, channel, source, payload, attempts, created_at, next_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $6) RETURNING id"
        )
        .bind(platform)
        .bind(channel)
        .bind(source)
        .bind(payload)
        .bind(secs(now))
        .bind(secs(lease_until))
        .fetch_one(p)
        .await?
        }))
    }

    /// Sent (or given up): gone from the outbox.
    pub async fn outbox_done(&self, id: i64) -> R<()> {
        on!(&self.db, |p| sqlx::query(
            "DELETE FROM outbox WHERE id = $1"
        )
        .bind(id)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Not sent this time: tried again from `at`.
    pub async fn outbox_later(&self, id: i64, at: u64) -> R<()> {
        on!(&self.db, |p| sqlx::query(
            "UPDATE outbox SET next_at = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(secs(at))
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Takes the replies of `platform` due by `now` (oldest first, at most `limit`), leased
    /// until `lease_until`, each to one caller only.
    pub async fn claim_due_outbox(
        &self,
        platform: &str,
        now: u64,
        lease_until: u64,
        limit: u32,
    ) -> R<Vec<Outgoing>> {
        let rows: Vec<Row> = on!(&self.db, |p| sqlx::query_as(
            "UPDATE outbox SET next_at = $3, attempts = attempts + 1 WHERE id IN \
             (SELECT id FROM outbox WHERE platform = $1 AND next_at <= $2 ORDER BY id LIMIT $4) \
             AND next_at <= $2 \
             RETURNING id, channel, source, payload, attempts, created_at"
        )
        .bind(platform)
        .bind(secs(now))
        .bind(secs(lease_until))
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
        let mut out: Vec<Outgoing> = rows.into_iter().map(of_row).collect();
        out.sort_by_key(|o| o.id);
        Ok(out)
    }

    /// How many replies wait to be sent, on every platform.
    pub async fn outbox_len(&self) -> R<i64> {
        Ok(on!(&self.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox"
        )
        .fetch_one(p)
        .await?))
    }
}
