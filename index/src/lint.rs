//! `content lint`: checks a folder of entry files and reports `file:line: reason`.

use crate::entry::{self, Kind, Lang};
use crate::import::symptoms::symptom_problem;
use std::collections::HashMap;
use std::path::Path;

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

const HTML_REMNANTS: &[&str] = &[
    "<br", "<ol", "</ol", "<li", "</li", "<ul", "</ul", "<a name",
];

/// Lints every entry file of `dir`.
pub fn lint_dir(dir: &Path) -> Result<Vec<Problem>, crate::LoadError> {
    let mut files = Vec::new();
    for path in crate::entry_files(dir)? {
        let text = std::fs::read_to_string(&path).map_err(|source| crate::LoadError::Io {
            path: path.display().to_string(),
            source,
        })?;
        files.push((path.display().to_string(), text));
    }
    Ok(lint_files(&files))
}

/// Lints `(file name, text)` pairs.
pub fn lint_files(files: &[(String, String)]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut codes: HashMap<String, (String, usize)> = HashMap::new();
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut symptoms: HashMap<(Lang, String), (String, usize)> = HashMap::new();
    for (file, text) in files {
        let mut p = |line: usize, reason: String| {
            problems.push(Problem {
                file: file.clone(),
                line,
                reason,
            })
        };
        for (i, line) in text.lines().enumerate() {
            let lower = line.to_ascii_lowercase();
            if let Some(tag) = HTML_REMNANTS.iter().find(|t| lower.contains(*t)) {
                p(i + 1, format!("HTML remnant `{tag}`"));
            }
            for url in link_targets(line) {
                if !url.starts_with("https://") && !url.starts_with("http://") {
                    p(
                        i + 1,
                        format!("relative link `{url}`: links must be absolute"),
                    );
                }
            }
        }
        let e = match entry::parse(text) {
            Ok(e) => e,
            Err(err) => {
                p(err.line, err.reason);
                continue;
            }
        };
        let line_of = |needle: &str| {
            text.lines()
                .position(|l| l.contains(needle))
                .map(|i| i + 1)
                .unwrap_or(1)
        };
        if let Some(other) = ids.insert(e.id.clone(), file.clone()) {
            p(
                line_of("id ="),
                format!("duplicate id `{}` (also in {other})", e.id),
            );
        }
        for c in &e.codes {
            let key = c.to_ascii_lowercase();
            let line = line_of(&format!("\"{c}\""));
            if let Some((other, oline)) = codes.get(&key) {
                p(
                    line,
                    format!("duplicate code `{c}` (also in {other}:{oline})"),
                );
            } else {
                codes.insert(key, (file.clone(), line));
            }
        }
        if e.kind == Kind::Error && e.codes.is_empty() {
            p(
                line_of("codes"),
                "an error entry needs at least one code".into(),
            );
        }
        for (lang, ed) in &e.editions {
            let marker = format!("<!-- {} -->", lang.as_str());
            let at = line_of(&marker);
            if ed.title.trim().is_empty() {
                p(at, format!("missing title in `{}`", lang.as_str()));
            }
            if ed.steps.is_empty() {
                p(at, format!("missing step in `{}`", lang.as_str()));
            }
            for sym in &ed.symptoms {
                let line = line_of(&format!("- {}", sym.lines().next().unwrap_or("")));
                if let Some(why) = symptom_problem(sym) {
                    p(line, format!("{why} (`{}`)", lang.as_str()));
                }
                let key = (
                    *lang,
                    sym.split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase(),
                );
                match symptoms.get(&key) {
                    Some((other, oline)) if other != file => {
                        p(line, format!("duplicate symptom (also in {other}:{oline})"))
                    }
                    Some(_) => p(line, "duplicate symptom".into()),
                    None => {
                        symptoms.insert(key, (file.clone(), line));
                    }
                }
            }
            if matches!(e.kind, Kind::Job | Kind::Restore) && ed.messages.is_empty() {
                p(
                    at,
                    format!("a table row needs its message in `{}`", lang.as_str()),
                );
            }
        }
    }
    problems
}

/// The targets of Markdown links on a line.
fn link_targets(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(j) => {
                out.push(after[..j].trim());
                rest = &after[j..];
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "+++\nid = \"a\"\nkind = \"error\"\ncodes = [\"CodeA\"]\n+++\n\n<!-- en -->\n# A\n\n## Steps\n1. Do [it](https://learn.microsoft.com/x).\n";

    fn lint(files: &[(&str, &str)]) -> Vec<String> {
        let files: Vec<(String, String)> = files
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        lint_files(&files).iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_good_file_passes() {
        assert_eq!(lint(&[("a.md", GOOD)]), Vec::<String>::new());
    }

    #[test]
    fn duplicate_code_is_reported_with_both_places() {
        let b = GOOD.replace("id = \"a\"", "id = \"b\"");
        let out = lint(&[("a.md", GOOD), ("b.md", &b)]);
        assert_eq!(out, vec!["b.md:4: duplicate code `CodeA` (also in a.md:4)"]);
    }

    #[test]
    fn relative_link_missing_step_and_unknown_key() {
        let rel = GOOD.replace("https://learn.microsoft.com/x", "./x.md");
        assert_eq!(
            lint(&[("r.md", &rel)]),
            vec!["r.md:11: relative link `./x.md`: links must be absolute"]
        );
        let nostep = GOOD.replace(
            "\n## Steps\n1. Do [it](https://learn.microsoft.com/x).\n",
            "\n",
        );
        assert_eq!(
            lint(&[("s.md", &nostep)]),
            vec!["s.md:7: missing step in `en`"]
        );
        let key = GOOD.replace("kind =", "owner = \"x\"\nkind =");
        let out = lint(&[("k.md", &key)]);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(
            out[0].starts_with("k.md:3: front matter: unknown field `owner`"),
            "{out:?}"
        );
    }

    #[test]
    fn symptoms_are_plain_and_belong_to_one_entry() {
        let with = |id: &str, code: &str, sym: &str| {
            GOOD.replace("id = \"a\"", &format!("id = \"{id}\""))
                .replace("CodeA", code)
                .replace("\n## Steps", &format!("\n## Symptoms\n- {sym}\n\n## Steps"))
        };
        let a = with("a", "CodeA", "the agent stopped answering");
        let b = with("b", "CodeB", "The agent  stopped answering");
        assert_eq!(
            lint(&[("a.md", &a), ("b.md", &b)]),
            vec!["b.md:11: duplicate symptom (also in a.md:11)"]
        );
        let code = with("c", "CodeC", "run `fsck` and retry");
        let out = lint(&[("c.md", &code)]);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(
            out[0].starts_with("c.md:11: a symptom has no Markdown code"),
            "{out:?}"
        );
        // An empty item is not even an item: the file format reports it.
        let blank = with("d", "CodeD", "");
        let out = lint(&[("d.md", &blank)]);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(
            out[0].starts_with("d.md:11: expected a list item"),
            "{out:?}"
        );
    }

    #[test]
    fn html_remnants_are_reported() {
        let html = GOOD.replace("Do [it]", "Do<br/> [it]");
        assert_eq!(
            lint(&[("h.md", &html)]),
            vec!["h.md:11: HTML remnant `<br`"]
        );
    }
}
