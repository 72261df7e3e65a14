//! Content sets: the shipped entries and a team's own folders (runbooks) read, linted and built
//! as one set, and [`LiveMatcher`], a matcher that can be replaced while it is in use.

use crate::lint::{self, Problem};
use crate::{entry, Entry, LoadError, Matcher};
use arc_swap::ArcSwap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

/// The name shipped (embedded) files carry in problems: `shipped/<file>`.
pub const SHIPPED_PREFIX: &str = "shipped/";

/// One entry file: the name problems are reported under (a path, or `shipped/<file>`) and its
/// text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub text: String,
}

/// Why a set could not become a matcher.
#[derive(Debug, thiserror::Error)]
pub enum SetError {
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Every problem lint found, each as `file:line: reason`.
    #[error("{}", problems_text(.0))]
    Lint(Vec<Problem>),
    #[error("building the search index: {0}")]
    Index(String),
}

fn problems_text(problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    format!("{} problem(s):\n{}", problems.len(), lines.join("\n"))
}

/// Embedded `(file name, text)` pairs as files named `shipped/<file>`.
pub fn shipped(files: &[(&str, &str)]) -> Vec<File> {
    files
        .iter()
        .map(|(name, text)| File {
            name: format!("{SHIPPED_PREFIX}{name}"),
            text: text.to_string(),
        })
        .collect()
}

/// The entry files of each folder, in order (each folder sorted by file name; `README.md` is
/// not an entry). A missing or unreadable folder is an error; an empty one adds nothing.
pub fn read_dirs(dirs: &[PathBuf]) -> Result<Vec<File>, LoadError> {
    let mut out = Vec::new();
    for dir in dirs {
        for path in crate::entry_files(dir)? {
            let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Io {
                path: path.display().to_string(),
                source,
            })?;
            out.push(File {
                name: path.display().to_string(),
                text,
            });
        }
    }
    Ok(out)
}

/// Lint over the whole set: a duplicate id or code across files (a runbook against the shipped
/// content, or two folders) names both files.
pub fn lint_set(files: &[File]) -> Vec<Problem> {
    let pairs: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.name.clone(), f.text.clone()))
        .collect();
    lint::lint_files(&pairs)
}

/// The entries of a set that passes lint, in file order; else every problem.
pub fn entries(files: &[File]) -> Result<Vec<Entry>, SetError> {
    let problems = lint_set(files);
    if !problems.is_empty() {
        return Err(SetError::Lint(problems));
    }
    files
        .iter()
        .map(|f| {
            entry::parse(&f.text).map_err(|source| {
                SetError::Load(LoadError::Format {
                    path: f.name.clone(),
                    source,
                })
            })
        })
        .collect()
}

/// A matcher over a set that passes lint.
pub fn build(files: &[File]) -> Result<Matcher, SetError> {
    let entries = entries(files)?;
    if entries.is_empty() {
        return Err(SetError::Load(LoadError::Empty("the content set".into())));
    }
    Matcher::new(entries).map_err(|e| SetError::Index(e.to_string()))
}

/// What a folder set looks like on disk: every entry file's path, length and modification time,
/// sorted. Two equal fingerprints mean nothing was added, removed or written in between (as far
/// as the file system's clock can tell).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fingerprint(Vec<(PathBuf, u64, Option<SystemTime>)>);

/// Takes the fingerprint of the entry files under `dirs`; a folder that cannot be read counts
/// as empty (the load that follows says why).
pub fn fingerprint(dirs: &[PathBuf]) -> Fingerprint {
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(files) = crate::entry_files(dir) else {
            out.push((dir.to_path_buf(), u64::MAX, None));
            continue;
        };
        for path in files {
            let meta = std::fs::metadata(&path).ok();
            out.push((
                path,
                meta.as_ref().map_or(u64::MAX, |m| m.len()),
                meta.and_then(|m| m.modified().ok()),
            ));
        }
    }
    out.sort();
    Fingerprint(out)
}

/// A matcher that can be replaced while in use. Clones share it: whoever holds a clone sees a
/// replacement at its next [`LiveMatcher::current`]; an `Arc` taken before a replacement stays
/// valid, so work in flight finishes on the matcher it started with.
#[derive(Clone)]
pub struct LiveMatcher(Arc<ArcSwap<Matcher>>);

impl LiveMatcher {
    pub fn new(m: Matcher) -> LiveMatcher {
        LiveMatcher::from(Arc::new(m))
    }

    /// The matcher now.
    pub fn current(&self) -> Arc<Matcher> {
        self.0.load_full()
    }

    /// Replaces the matcher for everyone who reads it after this call.
    pub fn replace(&self, m: Matcher) {
        self.0.store(Arc::new(m));
    }
}

impl From<Arc<Matcher>> for LiveMatcher {
    fn from(m: Arc<Matcher>) -> LiveMatcher {
        LiveMatcher(Arc::new(ArcSwap::new(m)))
    }
}

impl From<Matcher> for LiveMatcher {
    fn from(m: Matcher) -> LiveMatcher {
        LiveMatcher::new(m)
    }
}

impl std::fmt::Debug for LiveMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LiveMatcher({} entries)", self.current().entries().len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, id: &str, code: &str) -> File {
        File {
            name: name.into(),
            text: format!(
                "+++\nid = \"{id}\"\nkind = \"error\"\ncodes = [\"{code}\"]\n+++\n\n<!-- en -->\n# {code} failed\n\n## Messages\n- `{code}`: the {code} job failed\n\n## Steps\n1. Run the {code} check.\n"
            ),
        }
    }

    #[test]
    fn a_clash_with_the_shipped_content_names_both_files() {
        let set = vec![
            file("shipped/a.md", "a", "CodeA"),
            file("/etc/runbooks/b.md", "b", "CodeA"),
            file("/etc/runbooks/c.md", "a", "CodeC"),
        ];
        let Err(SetError::Lint(p)) = entries(&set) else {
            panic!("a clash must fail")
        };
        let text: Vec<String> = p.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            text,
            [
                "/etc/runbooks/b.md:4: duplicate code `CodeA` (also in shipped/a.md:4)",
                "/etc/runbooks/c.md:2: duplicate id `a` (also in shipped/a.md)",
            ]
        );
    }

    #[test]
    fn a_clean_set_builds_and_a_replacement_is_seen_by_clones() {
        let one = build(&[file("shipped/a.md", "a", "CodeA")]).unwrap();
        let live = LiveMatcher::new(one);
        let other = live.clone();
        let before = other.current();
        live.replace(
            build(&[
                file("shipped/a.md", "a", "CodeA"),
                file("r/b.md", "b", "TeamCodeB"),
            ])
            .unwrap(),
        );
        assert_eq!(before.entries().len(), 1, "a matcher taken before stays");
        let now = other.current();
        assert_eq!(now.entries().len(), 2);
        assert_eq!(
            now.find("job failed: TeamCodeB").best.map(|c| c.entry),
            now.entry_by_id("b")
        );
    }

    #[test]
    fn the_fingerprint_changes_with_a_file_and_a_missing_folder_is_an_error() {
        let dir = std::env::temp_dir().join(format!("bb-content-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let dirs = vec![dir.clone()];
        let empty = fingerprint(&dirs);
        assert!(read_dirs(&dirs).unwrap().is_empty());
        std::fs::write(dir.join("b.md"), file("", "b", "TeamCodeB").text).unwrap();
        std::fs::write(dir.join("README.md"), "not an entry").unwrap();
        let one = fingerprint(&dirs);
        assert_ne!(empty, one);
        assert_eq!(read_dirs(&dirs).unwrap().len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(read_dirs(&dirs).is_err());
        assert_ne!(fingerprint(&dirs), one);
    }
}
