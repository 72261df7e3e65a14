//! Troubleshooting entries, their tantivy index, and the matcher that finds them in pasted text.
//!
//! No chat vocabulary lives here: the crate knows entries, codes, messages and matches.

pub mod analysis;
pub mod content;
pub mod entry;
#[doc(hidden)]
pub mod fuzzing;
pub mod import;
pub mod lint;
pub mod markdown;
pub mod matcher;
mod search;

pub use content::LiveMatcher;
pub use entry::{Entry, Kind, Lang, Link, Localized, Message};
pub use matcher::{Candidate, Match, Matcher, Reason, MAX_PASTE_BYTES};

use std::path::Path;

/// An error loading content.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{source}")]
    Format {
        path: String,
        source: entry::FormatError,
    },
    #[error("no entries found in {0}")]
    Empty(String),
}

/// Reads every `*.md` entry file of a folder (not `README.md`), sorted by file name.
pub fn load_dir(dir: &Path) -> Result<Vec<Entry>, LoadError> {
    let files = entry_files(dir)?;
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Io {
            path: path.display().to_string(),
            source,
        })?;
        out.push(entry::parse(&text).map_err(|source| LoadError::Format {
            path: path.display().to_string(),
            source,
        })?);
    }
    if out.is_empty() {
        return Err(LoadError::Empty(dir.display().to_string()));
    }
    Ok(out)
}

/// Parses entries from `(file name, text)` pairs, e.g. content embedded in a binary.
pub fn load_embedded(files: &[(&str, &str)]) -> Result<Vec<Entry>, LoadError> {
    files
        .iter()
        .map(|(name, text)| {
            entry::parse(text).map_err(|source| LoadError::Format {
                path: name.to_string(),
                source,
            })
        })
        .collect()
}

/// The entry files of a folder, sorted.
pub fn entry_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, LoadError> {
    let io = |source| LoadError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "md")
                && p.file_name().is_some_and(|n| n != "README.md")
        })
        .collect();
    files.sort();
    Ok(files)
}
