//! Claims, facts and changes: the statements, written once for both backends (`$n`
//! placeholders, `ON CONFLICT`, which SQLite and PostgreSQL share).

use crate::{on, Store};
use backup_bot_core::chat::{About, Change, Facts, Key, Needs, Progress};
use backup_bot_index::Lang;

type R<T> = Result<T, sqlx::Error>;

/// A claim taken: an event (when the platform names one) and a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Claim {
    pub platform: String,
    pub event: Option<String>,
    pub key: Key,
    pub at: u64,
}

fn lang(s: &str) -> Lang {
    Lang::parse(s).unwrap_or(Lang::En)
}

fn secs(at: u64) -> i64 {
    i64::try_from(at).unwrap_or(i64::MAX)
}

fn unsecs(at: i64) -> u64 {
    u64::try_from(at).unwrap_or(0)
}

impl Store {
    /// Claims an event and its message: true when this call inserted both (nobody had claimed
    /// either), false when someone had (nothing is then inserted).
    pub async fn claim(&self, c: &Claim) -> R<bool> {
        on!(&self.db, |p| {
            let mut tx = p.begin().await?;
            if let Some(ev) = &c.event {
                let n = sqlx::query(
                    "INSERT INTO event_claims (platform, event_id, at) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(&c.platform)
                .bind(ev)
                .bind(secs(c.at))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 0 {
                    tx.rollback().await?;
                    return Ok(false);
                }
            }
            let n = sqlx::query(
                "INSERT INTO message_claims (platform, channel, message, at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&c.platform)
            .bind(&c.key.0)
            .bind(&c.key.1)
            .bind(secs(c.at))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Writes claims taken while the store was away (those already there are left as they are).
    pub async fn restore(&self, claims: &[Claim]) -> R<()> {
        for c in claims {
            on!(&self.db, |p| {
                if let Some(ev) = &c.event {
                    sqlx::query(
                        "INSERT INTO event_claims (platform, event_id, at) VALUES ($1, $2, $3) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(&c.platform)
                    .bind(ev)
                    .bind(secs(c.at))
                    .execute(p)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO message_claims (platform, channel, message, at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(&c.platform)
                .bind(&c.key.0)
                .bind(&c.key.1)
                .bind(secs(c.at))
                .execute(p)
                .await?;
            });
        }
        Ok(())
    }

    /// Gives a claim back: its reply could not be posted, so a retry (or an edit) may answer.
    pub async fn release(&self, c: &Claim) -> R<()> {
        on!(&self.db, |p| {
            if let Some(ev) = &c.event {
                sqlx::query("DELETE FROM event_claims WHERE platform = $1 AND event_id = $2")
                    .bind(&c.platform)
                    .bind(ev)
                    .execute(p)
                    .await?;
            }
            sqlx::query(
                "DELETE FROM message_claims WHERE platform = $1 AND channel = $2 AND message = $3",
            )
            .bind(&c.platform)
            .bind(&c.key.0)
            .bind(&c.key.1)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Whether a message is claimed (by anyone).
    pub async fn claimed(&self, platform: &str, key: &Key) -> R<bool> {
        let n: i64 = on!(&self.db, |p| {
            sqlx::query_scalar(
            "SELECT COUNT(*) FROM message_claims WHERE platform = $1 AND channel = $2 AND message = $3"
        )
        .bind(platform)
        .bind(&key.0)
        .bind(&key.1)
        .fetch_one(p)
        .await?
        });
        Ok(n > 0)
    }

    /// The facts `needs` asks for.
    pub async fn facts(&self, platform: &str, needs: &Needs) -> R<Facts> {
        let mut f = Facts::default();
        if let Some(ch) = &needs.mute {
            let row: Option<(i64,)> = on!(&self.db, |p| sqlx::query_as(
                "SELECT until FROM mutes WHERE platform = $1 AND channel = $2"
            )
            .bind(platform)
            .bind(ch)
            .fetch_optional(p)
            .await?);
            f.muted_until = row.map(|r| unsecs(r.0));
        }
        if let Some((ch, src)) = &needs.reply {
            let row: Option<(String, String, String)> = on!(&self.db, |p| {
                sqlx::query_as(
                "SELECT reply, entry, lang FROM replies WHERE platform = $1 AND channel = $2 AND source = $3"
            )
            .bind(platform)
            .bind(ch)
            .bind(src)
            .fetch_optional(p)
            .await?
            });
            f.reply = row.map(|(reply, entry, l)| {
                (
                    reply,
                    About {
                        entry,
                        lang: lang(&l),
                    },
                )
            });
        }
        if let Some((ch, msg)) = &needs.about {
            let row: Option<(String, String)> = on!(&self.db, |p| {
                sqlx::query_as(
                "SELECT entry, lang FROM buttons WHERE platform = $1 AND channel = $2 AND message = $3"
            )
            .bind(platform)
            .bind(ch)
            .bind(msg)
            .fetch_optional(p)
            .await?
            });
            f.about = row.map(|(entry, l)| About {
                entry,
                lang: lang(&l),
            });
        }
        if let Some((ch, entry)) = &needs.last {
            let row: Option<(i64, String)> = on!(&self.db, |p| {
                sqlx::query_as(
                "SELECT at, reply FROM cooldowns WHERE platform = $1 AND channel = $2 AND entry = $3"
            )
            .bind(platform)
            .bind(ch)
            .bind(entry)
            .fetch_optional(p)
            .await?
            });
            f.last = row.map(|(at, reply)| (unsecs(at), reply));
        }
        if let Some((ch, thread)) = &needs.progress {
            let row: Option<(String, i64, Option<String>, i64, String)> = on!(&self.db, |p| {
                sqlx::query_as(
                "SELECT entry, step, user_id, at, trail FROM progress WHERE platform = $1 AND channel = $2 AND thread = $3"
            )
            .bind(platform)
            .bind(ch)
            .bind(thread)
            .fetch_optional(p)
            .await?
            });
            f.progress = row.map(|(entry, step, user, at, trail)| Progress {
                entry,
                step: usize::try_from(step).unwrap_or(0),
                user,
                at: unsecs(at),
                trail: crate::trail::read(&trail),
            });
            let n: i64 = on!(&self.db, |p| {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM feedback WHERE platform = $1 AND channel = $2 \
                     AND thread = $3 AND kind = 'still_failing'",
                )
                .bind(platform)
                .bind(ch)
                .bind(thread)
                .fetch_one(p)
                .await?
            });
            f.still_failing = u32::try_from(n).unwrap_or(u32::MAX);
        }
        Ok(f)
    }

    /// Applies a change the core decided, or one a posted reply left ([`backup_bot_core::chat::recorded`]).
    pub async fn apply(&self, platform: &str, change: &Change, now: u64) -> R<()> {
        let now = secs(now);
        on!(&self.db, |p| {
            match change {
                Change::Mute { channel, until } => {
                    sqlx::query(
                        "INSERT INTO mutes (platform, channel, until) VALUES ($1, $2, $3) \
                         ON CONFLICT (platform, channel) DO UPDATE SET until = excluded.until",
                    )
                    .bind(platform)
                    .bind(channel)
                    .bind(secs(*until))
                    .execute(p)
                    .await?;
                }
                Change::Unmute { channel } => {
                    sqlx::query("DELETE FROM mutes WHERE platform = $1 AND channel = $2")
                        .bind(platform)
                        .bind(channel)
                        .execute(p)
                        .await?;
                }
                Change::Feedback(f) => {
                    sqlx::query(
                        "INSERT INTO feedback (platform, channel, user_id, entry, kind, at, thread) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(platform)
                    .bind(&f.channel)
                    .bind(&f.user)
                    .bind(&f.entry)
                    .bind(f.kind.as_str())
                    .bind(secs(f.at))
                    .bind(&f.thread)
                    .execute(p)
                    .await?;
                }
                Change::Forget { channel, reply } => {
                    for sql in [
                        "DELETE FROM buttons WHERE platform = $1 AND channel = $2 AND message = $3",
                        "DELETE FROM cooldowns WHERE platform = $1 AND channel = $2 AND reply = $3",
                        "DELETE FROM replies WHERE platform = $1 AND channel = $2 AND reply = $3",
                    ] {
                        sqlx::query(sql)
                            .bind(platform)
                            .bind(channel)
                            .bind(reply)
                            .execute(p)
                            .await?;
                    }
                }
                Change::About {
                    channel,
                    message,
                    about,
                } => {
                    sqlx::query(
                        "INSERT INTO buttons (platform, channel, message, entry, lang, at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (platform, channel, message) \
                         DO UPDATE SET entry = excluded.entry, lang = excluded.lang, at = excluded.at",
                    )
                    .bind(platform)
                    .bind(channel)
                    .bind(message)
                    .bind(&about.entry)
                    .bind(about.lang.as_str())
                    .bind(now)
                    .execute(p)
                    .await?;
                }
                Change::Reply {
                    channel,
                    source,
                    reply,
                    about,
                } => {
                    sqlx::query(
                        "INSERT INTO replies (platform, channel, source, reply, entry, lang, at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (platform, channel, source) \
                         DO UPDATE SET reply = excluded.reply, entry = excluded.entry, \
                         lang = excluded.lang, at = excluded.at",
                    )
                    .bind(platform)
                    .bind(channel)
                    .bind(source)
                    .bind(reply)
                    .bind(&about.entry)
                    .bind(about.lang.as_str())
                    .bind(now)
                    .execute(p)
                    .await?;
                }
                Change::Answered {
                    channel,
                    entry,
                    reply,
                    at,
                } => {
                    sqlx::query(
                        "INSERT INTO cooldowns (platform, channel, entry, reply, at) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (platform, channel, entry) \
                         DO UPDATE SET reply = excluded.reply, at = excluded.at",
                    )
                    .bind(platform)
                    .bind(channel)
                    .bind(entry)
                    .bind(reply)
                    .bind(secs(*at))
                    .execute(p)
                    .await?;
                    sqlx::query(
                        "INSERT INTO answers (platform, channel, entry, at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(platform)
                    .bind(channel)
                    .bind(entry)
                    .bind(secs(*at))
                    .execute(p)
                    .await?;
                }
                Change::Progress {
                    channel,
                    thread,
                    progress,
                } => {
                    sqlx::query(
                        "INSERT INTO progress (platform, channel, thread, entry, step, user_id, at, trail) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (platform, channel, thread) \
                         DO UPDATE SET entry = excluded.entry, step = excluded.step, \
                         user_id = excluded.user_id, at = excluded.at, trail = excluded.trail",
                    )
                    .bind(platform)
                    .bind(channel)
                    .bind(thread)
                    .bind(&progress.entry)
                    .bind(i64::try_from(progress.step).unwrap_or(i64::MAX))
                    .bind(&progress.user)
                    .bind(secs(progress.at))
                    .bind(crate::trail::write(&progress.trail))
                    .execute(p)
                    .await?;
                }
            }
        });
        Ok(())
    }

    /// Forgets claims, replies, button targets, cooldowns and walks older than `before` (unix
    /// seconds); feedback and answers are kept for the statistics. Returns the rows removed.
    pub async fn prune(&self, before: u64) -> R<u64> {
        let mut n = 0;
        for table in [
            "event_claims",
            "message_claims",
            "replies",
            "buttons",
            "cooldowns",
            "progress",
        ] {
            let sql = format!("DELETE FROM {table} WHERE at < $1");
            n += on!(&self.db, |p| sqlx::query(&sql)
                .bind(secs(before))
                .execute(p)
                .await?
                .rows_affected());
        }
        Ok(n + self.prune_escalations(before).await?)
    }
}
