//! `backup-bot stats`: per entry, the answers given and what people said of them, the entries
//! that do not help first.

use crate::{on, Store};
use std::collections::BTreeMap;

/// What one entry did since a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct EntryStats {
    pub entry: String,
    /// Full answers posted.
    pub answers: u64,
    pub fixed: u64,
    pub still_failing: u64,
    pub wrong: u64,
    /// Escalations to on-call opened about it (`(no entry)`: escalated with none named).
    pub escalations: u64,
    /// The median time from opening to the first acknowledgement, in seconds.
    pub ack_secs: Option<u64>,
    /// The median time from opening to resolving, in seconds.
    pub resolve_secs: Option<u64>,
}

/// The entry name escalations without an entry are counted under.
pub const NO_ENTRY: &str = "(no entry)";

fn median(mut v: Vec<u64>) -> Option<u64> {
    v.sort_unstable();
    v.get(v.len() / 2).copied()
}

impl EntryStats {
    /// How much worse than helpful: the share of its answers that were said not to help, less
    /// the share said to fix.
    fn unhelpful(&self) -> f64 {
        let n = self
            .answers
            .max(self.fixed + self.still_failing + self.wrong)
            .max(1) as f64;
        (self.still_failing + self.wrong + self.escalations) as f64 / n - self.fixed as f64 / n
    }
}

/// Sorts the entries that do not help first (then the most answered, then by id).
pub fn sort_unhelpful_first(rows: &mut [EntryStats]) {
    rows.sort_by(|a, b| {
        b.unhelpful()
            .total_cmp(&a.unhelpful())
            .then(b.answers.cmp(&a.answers))
            .then(a.entry.cmp(&b.entry))
    });
}

impl Store {
    /// Per entry since `since` (unix seconds), the entries that do not help first.
    pub async fn stats(&self, since: u64) -> Result<Vec<EntryStats>, sqlx::Error> {
        let since = i64::try_from(since).unwrap_or(i64::MAX);
        let answers: Vec<(String, i64)> = on!(&self.db, |p| sqlx::query_as(
            "SELECT entry, COUNT(*) FROM answers WHERE at >= $1 GROUP BY entry"
        )
        .bind(since)
        .fetch_all(p)
        .await?);
        let feedback: Vec<(String, String, i64)> = on!(&self.db, |p| sqlx::query_as(
            "SELECT entry, kind, COUNT(*) FROM feedback WHERE at >= $1 GROUP BY entry, kind"
        )
        .bind(since)
        .fetch_all(p)
        .await?);
        let mut by: BTreeMap<String, EntryStats> = BTreeMap::new();
        let row = |by: &mut BTreeMap<String, EntryStats>, e: &str| {
            by.entry(e.to_string())
                .or_insert_with(|| EntryStats {
                    entry: e.to_string(),
                    ..EntryStats::default()
                })
                .clone()
        };
        for (e, n) in answers {
            let mut r = row(&mut by, &e);
            r.answers = u64::try_from(n).unwrap_or(0);
            by.insert(e, r);
        }
        for (e, kind, n) in feedback {
            let mut r = row(&mut by, &e);
            let n = u64::try_from(n).unwrap_or(0);
            match kind.as_str() {
                "fixed" => r.fixed += n,
                "still_failing" => r.still_failing += n,
                "wrong" => r.wrong += n,
                _ => {}
            }
            by.insert(e, r);
        }
        let escalations: Vec<(String, i64, Option<String>, Option<i64>)> =
            on!(&self.db, |p| sqlx::query_as(
                "SELECT e.entry, e.opened_at, ev.what, ev.at FROM escalations e \
             LEFT JOIN escalation_events ev ON ev.escalation = e.id \
             AND ev.what IN ('acknowledged', 'resolved') WHERE e.opened_at >= $1 ORDER BY e.id"
            )
            .bind(since)
            .fetch_all(p)
            .await?);
        // Per entry: how long each escalation took to be acknowledged, and to be resolved.
        let mut times: BTreeMap<String, (Vec<u64>, Vec<u64>)> = BTreeMap::new();
        for (e, opened, what, at) in escalations {
            let e = if e.is_empty() {
                NO_ENTRY.to_string()
            } else {
                e
            };
            let t = times.entry(e).or_default();
            let took = at.map(|a| u64::try_from(a.saturating_sub(opened)).unwrap_or(0));
            match (what.as_deref(), took) {
                (Some("acknowledged"), Some(d)) => t.0.push(d),
                (Some("resolved"), Some(d)) => t.1.push(d),
                _ => {}
            }
        }
        let opened: Vec<(String, i64)> = on!(&self.db, |p| sqlx::query_as(
            "SELECT entry, COUNT(*) FROM escalations WHERE opened_at >= $1 GROUP BY entry"
        )
        .bind(since)
        .fetch_all(p)
        .await?);
        for (e, n) in opened {
            let e = if e.is_empty() {
                NO_ENTRY.to_string()
            } else {
                e
            };
            let mut r = row(&mut by, &e);
            r.escalations = u64::try_from(n).unwrap_or(0);
            if let Some((ack, resolve)) = times.remove(&e) {
                r.ack_secs = median(ack);
                r.resolve_secs = median(resolve);
            }
            by.insert(e, r);
        }
        let mut rows: Vec<EntryStats> = by.into_values().collect();
        sort_unhelpful_first(&mut rows);
        Ok(rows)
    }
}
