//! Where the bot's state lives, so that it survives restarts and is shared by replicas: SQLite
//! (one file, the default for `serve`), PostgreSQL (several replicas), or memory (tests, the
//! console). sqlx with embedded migrations (one folder per backend); plain queries, no macros
//! that need a database at build time.
//!
//! Once only is the database's: an event and a message are claimed by an insert that fails on a
//! unique key, before anything is posted ([`Store::claim`]). The rest is what the core reads
//! ([`Store::facts`]) and changes ([`Store::apply`]), by entry id, never by position; feedback
//! and answers are kept for [`Store::stats`], the rest is pruned after the retention.

mod escalations;
pub use escalations::{Escalation, Moved, NewEscalation, CARD_LEASE_SECS};
mod ops;
mod outbox;
pub use ops::Claim;
pub use outbox::Outgoing;
mod stats;
mod trail;
mod url;

/// A statement that failed.
pub use sqlx::Error as StoreError;
pub use stats::{sort_unhelpful_first, EntryStats};
pub use url::{redact, Backend};

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// A store that could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// It refuses (a malformed URL, an unwritable file, credentials rejected): the bot must not
    /// start. The message names the URL, its password redacted.
    #[error("{0}")]
    Refused(String),
    /// It cannot be reached now (connection refused, timed out): the bot can start without it.
    #[error("{0}")]
    Unavailable(String),
}

#[derive(Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open store (cheap to clone: a pool).
#[derive(Clone)]
pub struct Store {
    pub(crate) db: Db,
    shown: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("url", &self.shown).finish()
    }
}

impl Store {
    /// Opens the store `url` names (`sqlite://PATH`, `postgres://…`, `memory`) and brings its
    /// tables up to date. A SQLite file is created on first use, in WAL mode.
    pub async fn open(url: &str) -> Result<Store, OpenError> {
        let shown = redact(url);
        let refused = |why: String| OpenError::Refused(format!("storage.url {shown}: {why}"));
        let backend = Backend::of(url).map_err(refused)?;
        let db = match backend {
            Backend::Memory => {
                let opts = SqliteConnectOptions::from_str("sqlite::memory:")
                    .map_err(|e| refused(e.to_string()))?;
                // One connection kept for ever: each connection to :memory: is its own database.
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(opts)
                    .await
                    .map_err(|e| refused(e.to_string()))?;
                Db::Sqlite(pool)
            }
            Backend::Sqlite => {
                let opts = SqliteConnectOptions::from_str(url)
                    .map_err(|e| refused(e.to_string()))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // With WAL, NORMAL keeps every commit through a crash of the process (a
                    // kill -9 loses nothing); only a power loss may take back the last ones.
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5));
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(opts)
                    .await
                    .map_err(|e| refused(e.to_string()))?;
                Db::Sqlite(pool)
            }
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(3))
                    .connect(url)
                    .await
                    .map_err(|e| {
                        if unavailable(&e) {
                            OpenError::Unavailable(format!("storage.url {shown}: {e}"))
                        } else {
                            refused(e.to_string())
                        }
                    })?;
                Db::Postgres(pool)
            }
        };
        let migrated = match &db {
            Db::Sqlite(p) => SQLITE.run(p).await,
            Db::Postgres(p) => POSTGRES.run(p).await,
        };
        migrated.map_err(|e| refused(format!("bringing the tables up to date: {e}")))?;
        Ok(Store { db, shown })
    }

    /// The URL it was opened with, any password redacted.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on!(&self.db, |p| sqlx::query("SELECT 1")
            .execute(p)
            .await
            .map(|_| ()))
    }

    /// Closes the pool (waits for connections to be returned).
    pub async fn close(&self) {
        on!(&self.db, |p| p.close().await)
    }
}

/// An error that says the database cannot be reached now (rather than that it refuses).
pub fn unavailable(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
    )
}

/// Runs the same statement on whichever backend the store has.
macro_rules! on {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($p) => $body,
            $crate::Db::Postgres($p) => $body,
        }
    };
}
pub(crate) use on;
