//! The state behind the runtime: the store, and while it is away (at start or later) a memory
//! in its place — answers go on, claims are taken in memory, one warning is logged — until a
//! probe finds it back and the claims taken meanwhile are written to it.

use backup_bot_core::chat::{Change, Facts, Key, Memory, Needs};
use backup_bot_store::{unavailable, Claim, OpenError, Store, StoreError};
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::RwLock;

/// How often an absent store is looked for.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// How often old claims and replies are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// What stands in for the store while it is away, per platform.
#[derive(Default)]
struct Stopgap {
    /// Keyed by platform name (a fixed, short set of our own names: Fx is enough).
    memory: FxHashMap<String, Memory>,
    /// Claims to write to the store when it returns.
    pending: Vec<Claim>,
}

/// The store, or its stand-in.
pub struct State {
    url: String,
    store: RwLock<Option<Store>>,
    away: AtomicBool,
    stopgap: Mutex<Stopgap>,
}

impl State {
    /// Opens the store `url` names. A store that refuses is an error (the bot must not start);
    /// one that cannot be reached now is looked for again while the bot answers without it.
    pub async fn open(url: &str) -> Result<Arc<State>, OpenError> {
        let (store, away) = match Store::open(url).await {
            Ok(s) => (Some(s), false),
            Err(OpenError::Unavailable(why)) => {
                tracing::warn!(store = %why, "the store cannot be reached: answering without it until it can");
                (None, true)
            }
            Err(e) => return Err(e),
        };
        Ok(Arc::new(State {
            url: url.to_string(),
            store: RwLock::new(store),
            away: AtomicBool::new(away),
            stopgap: Mutex::new(Stopgap::default()),
        }))
    }

    /// Looks for an absent store and prunes what is older than `retention` seconds, until the
    /// task is dropped.
    pub async fn maintain(self: Arc<Self>, retention: u64) {
        let mut last_prune: Option<tokio::time::Instant> = None;
        loop {
            if self.away.load(Ordering::Relaxed) {
                self.probe().await;
            }
            if !self.away.load(Ordering::Relaxed)
                && last_prune.is_none_or(|t| t.elapsed() >= PRUNE_EVERY)
            {
                last_prune = Some(tokio::time::Instant::now());
                if let Some(s) = self.store.read().await.clone() {
                    match s
                        .prune(backup_bot_core::now().saturating_sub(retention))
                        .await
                    {
                        Ok(n) => tracing::debug!(rows = n, "pruned old claims and replies"),
                        Err(e) => self.failed(&e),
                    }
                }
            }
            tokio::time::sleep(PROBE_EVERY).await;
        }
    }

    /// Whether the store is in use now (false while it is away).
    pub fn up(&self) -> bool {
        !self.away.load(Ordering::Relaxed)
    }

    async fn probe(&self) {
        let current = self.store.read().await.clone();
        let store = match current {
            Some(s) => match s.ping().await {
                Ok(()) => s,
                Err(_) => return,
            },
            None => match Store::open(&self.url).await {
                Ok(s) => {
                    *self.store.write().await = Some(s.clone());
                    s
                }
                Err(_) => return,
            },
        };
        // What was claimed while it was away, then what was claimed while that was written:
        // the store is in use again only once nothing held is left, decided under the lock
        // `claim` holds while it keeps a claim in memory, so none is left behind.
        let mut written = 0;
        loop {
            let pending = {
                let mut g = self.stopgap();
                if g.pending.is_empty() {
                    self.away.store(false, Ordering::Relaxed);
                    break;
                }
                std::mem::take(&mut g.pending)
            };
            match store.restore(&pending).await {
                Ok(()) => written += pending.len(),
                Err(_) => {
                    self.stopgap().pending.extend(pending);
                    return;
                }
            }
        }
        tracing::info!(
            claims = written,
            "the store is back: claims taken meanwhile written to it"
        );
    }

    fn stopgap(&self) -> MutexGuard<'_, Stopgap> {
        self.stopgap
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The store to use now, or None while it is away.
    async fn store(&self) -> Option<Store> {
        if self.away.load(Ordering::Relaxed) {
            return None;
        }
        self.store.read().await.clone()
    }

    /// A failed statement: a store that cannot be reached is away from now on (said once).
    fn failed(&self, e: &StoreError) {
        if unavailable(e) {
            if !self.away.swap(true, Ordering::Relaxed) {
                tracing::warn!(error = %e, "the store went away: answering without it, claims kept in memory until it returns");
            }
        } else {
            tracing::error!(error = %e, "a store statement failed");
        }
    }

    /// Claims an event and its message (see [`Store::claim`]).
    pub async fn claim(&self, c: &Claim) -> bool {
        let mut tries = 0;
        loop {
            tries += 1;
            if let Some(s) = self.store().await {
                match s.claim(c).await {
                    Ok(first) => return first,
                    Err(e) => self.failed(&e),
                }
            }
            let mut g = self.stopgap();
            // Back since it was looked at (everything held was written to it): claimed there.
            if !self.away.load(Ordering::Relaxed) && tries < 3 {
                continue;
            }
            let mem = g.memory.entry(c.platform.clone()).or_default();
            let event_key: Option<Key> = c
                .event
                .as_ref()
                .map(|e| ("\u{1}event".to_string(), e.clone()));
            if event_key.as_ref().is_some_and(|k| !mem.claim(k)) {
                return false;
            }
            if !mem.claim(&c.key) {
                return false;
            }
            g.pending.push(c.clone());
            return true;
        }
    }

    /// Gives a claim back (its reply could not be posted).
    pub async fn release(&self, c: &Claim) {
        if let Some(s) = self.store().await {
            match s.release(c).await {
                Ok(()) => return,
                Err(e) => self.failed(&e),
            }
        }
        let mut g = self.stopgap();
        if let Some(mem) = g.memory.get_mut(c.platform.as_str()) {
            mem.release(&c.key);
            if let Some(e) = &c.event {
                mem.release(&("\u{1}event".to_string(), e.clone()));
            }
        }
        g.pending.retain(|p| p != c);
    }

    /// The facts an event needs (none, when neither the store nor the memory has them).
    pub async fn facts(&self, platform: &'static str, needs: &Needs) -> Facts {
        if *needs == Needs::default() {
            return Facts::default();
        }
        if let Some(s) = self.store().await {
            match s.facts(platform, needs).await {
                Ok(f) => return f,
                Err(e) => self.failed(&e),
            }
        }
        self.stopgap()
            .memory
            .get(platform)
            .map(|m| m.facts(needs))
            .unwrap_or_default()
    }

    /// Applies a change.
    pub async fn apply(&self, platform: &'static str, change: Change, now: u64) {
        if let Some(s) = self.store().await {
            match s.apply(platform, &change, now).await {
                Ok(()) => return,
                Err(e) => self.failed(&e),
            }
        }
        self.stopgap()
            .memory
            .entry(platform.to_string())
            .or_default()
            .apply(change);
    }

    /// The store now (None while away), for commands such as `stats`.
    pub async fn current(&self) -> Option<Store> {
        self.store().await
    }
}
