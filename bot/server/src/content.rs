//! Where the content comes from (the shipped entries, or `--content DIR`, and a team's own
//! folders from `content.dirs`), and the reloader that keeps a running bot's content current: on
//! SIGHUP and when a file under `content.dirs` changes, a new matcher is built and swapped in; a
//! set that fails lint or load keeps the old one and the log says why (files and lines only).

use anyhow::{Context, Result};
use backup_bot_index::content::{self, File, SetError};
pub use backup_bot_index::content::{fingerprint, Fingerprint};
use backup_bot_index::{LiveMatcher, Matcher};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The content a command answers from.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// `--content DIR`: read the base set from this folder instead of the shipped content.
    pub base: Option<PathBuf>,
    /// A team's own folders, loaded beside the base set.
    pub dirs: Vec<PathBuf>,
}

impl Source {
    /// The files of the set: the base set first, then each folder's.
    pub fn files(&self) -> Result<Vec<File>, SetError> {
        let mut files = match &self.base {
            Some(dir) => content::read_dirs(std::slice::from_ref(dir))?,
            None => content::shipped(crate::embedded::CONTENT),
        };
        files.extend(content::read_dirs(&self.dirs)?);
        Ok(files)
    }

    /// A matcher over the set, when it passes lint.
    pub fn build(&self) -> Result<Matcher, SetError> {
        content::build(&self.files()?)
    }

    /// The folders a running bot watches: the base folder, if any, and the team's.
    pub fn watched(&self) -> Vec<PathBuf> {
        self.base.iter().chain(&self.dirs).cloned().collect()
    }

    /// [`Source::build`] for the command line: the problems as one error.
    pub fn matcher(&self) -> Result<Matcher> {
        let what = if self.dirs.is_empty() {
            "loading the content".to_string()
        } else {
            format!("loading the content with {}", shown(&self.dirs))
        };
        self.build().map_err(anyhow::Error::new).context(what)
    }

    /// `content lint DIR...`: the folders checked together with the base set (a folder that is
    /// the base set itself, or the folder the shipped content was built from, stands for it).
    pub fn for_lint(base: Option<PathBuf>, dirs: &[PathBuf]) -> Source {
        let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        let shipped_from = Path::new(crate::embedded::SOURCE_DIR);
        let mut base = base;
        let mut rest = Vec::new();
        for d in dirs {
            let is_base = base.as_deref().is_some_and(|b| same(b, d));
            if is_base {
                continue;
            }
            if base.is_none() && same(d, shipped_from) {
                base = Some(d.clone());
            } else {
                rest.push(d.clone());
            }
        }
        Source { base, dirs: rest }
    }
}

fn shown(dirs: &[PathBuf]) -> String {
    dirs.iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a reload happened (for the log).
#[derive(Debug, Clone, Copy)]
enum Cause {
    Signal,
    Change,
}

/// Keeps `live` current until the task is dropped: on SIGHUP, and (when `watch` is set) when
/// the files under the source's folders change and then hold still for one more look.
/// `loaded` is the folders' fingerprint taken before `live`'s content was read.
pub async fn reload(
    source: Source,
    live: LiveMatcher,
    watch: Option<Duration>,
    mut loaded: Fingerprint,
) {
    #[cfg(unix)]
    let mut hangup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(error = %e, "SIGHUP cannot be caught: reload on change only");
            None
        }
    };
    let mut pending: Option<Fingerprint> = None;
    let mut tick = watch.map(|w| {
        let mut t = tokio::time::interval(w);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    });
    loop {
        #[cfg(unix)]
        let signalled = async {
            match hangup.as_mut() {
                Some(h) => h.recv().await,
                None => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let signalled = std::future::pending::<Option<()>>();
        let ticked = async {
            match tick.as_mut() {
                Some(t) => t.tick().await,
                None => std::future::pending().await,
            }
        };
        let cause = tokio::select! {
            _ = signalled => Cause::Signal,
            _ = ticked => Cause::Change,
        };
        let now = content::fingerprint(&source.watched());
        if let Cause::Change = cause {
            if now == loaded {
                pending = None;
                continue;
            }
            // Debounce: a change is loaded once the files hold still for one more look.
            if pending.as_ref() != Some(&now) {
                pending = Some(now);
                continue;
            }
        }
        pending = None;
        loaded = now;
        let src = source.clone();
        let built = tokio::task::spawn_blocking(move || src.build()).await;
        match built {
            Ok(Ok(m)) => {
                let n = m.entries().len();
                live.replace(m);
                backup_bot_runtime::metrics::entries_loaded(n);
                tracing::info!(?cause, entries = n, "content reloaded");
            }
            Ok(Err(e)) => {
                backup_bot_runtime::metrics::reload_failed();
                tracing::error!(
                    ?cause,
                    "content not reloaded, the previous content stays: {e}"
                )
            }
            Err(e) => {
                backup_bot_runtime::metrics::reload_failed();
                tracing::error!(?cause, error = %e, "content not reloaded: the build failed")
            }
        }
    }
}
