//! Curated symptoms: `content/symptoms/<entry-id>.toml`, merged by the importer into each entry's
//! `## Symptoms` section, so re-importing the sources never overwrites them and `content/entries`
//! stays exactly what the importer writes.
//!
//! ```toml
//! # Evidence: where these come from
//! id = "user-error-fs-freeze-failed"
//! [en]
//! symptoms = ["Failed to FIFREEZE on the mount point", "..."]
//! [ko]
//! symptoms = ["...", "..."]
//! ```
//!
//! A symptom is plain text as people and logs say it: one line, not empty, no Markdown (no code
//! spans, emphasis, links, list or heading markers). A file that names an unknown id, repeats a
//! symptom (in itself or of another entry in the same language) or breaks those rules is an error
//! that names the file. An entry with one edition takes the other language's symptoms into that
//! edition: they still recognise pastes in their language, and the answer comes in the edition the
//! entry has.

use super::ImportError;
use crate::entry::{Entry, Lang};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// One symptoms file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymptomsFile {
    /// Where it was read from (named in errors).
    pub file: String,
    pub id: String,
    /// Symptoms per language, in the file's order.
    pub symptoms: Vec<(Lang, Vec<String>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    id: String,
    #[serde(default)]
    en: Option<RawLang>,
    #[serde(default)]
    ko: Option<RawLang>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLang {
    symptoms: Vec<String>,
}

fn err(file: &str, reason: impl Into<String>) -> ImportError {
    ImportError::Symptoms {
        file: file.to_string(),
        reason: reason.into(),
    }
}

/// Why a symptom is not plain text, if it is not: empty, several lines, or Markdown.
pub fn symptom_problem(s: &str) -> Option<&'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Some("an empty symptom");
    }
    if t.contains('\n') {
        return Some("a symptom is one line");
    }
    if t.contains('`') {
        return Some("a symptom has no Markdown code (backticks)");
    }
    if t.contains("**") || t.contains("__") || t.contains("](") {
        return Some("a symptom has no Markdown (emphasis or links)");
    }
    if ["- ", "* ", "# ", "> ", "+ "]
        .iter()
        .any(|m| t.starts_with(m))
    {
        return Some("a symptom has no Markdown list, heading or quote marker");
    }
    None
}

/// Parses one symptoms file; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<SymptomsFile, ImportError> {
    let raw: Raw = toml::from_str(text).map_err(|e| err(file, e.message().to_string()))?;
    let mut symptoms = Vec::new();
    for (lang, list) in [(Lang::En, raw.en), (Lang::Ko, raw.ko)] {
        let Some(list) = list else { continue };
        let mut seen: Vec<String> = Vec::new();
        for s in &list.symptoms {
            if let Some(why) = symptom_problem(s) {
                return Err(err(file, format!("{why}: {s:?} ({})", lang.as_str())));
            }
            let key = normalise(s);
            if seen.contains(&key) {
                return Err(err(
                    file,
                    format!("duplicate symptom {s:?} ({})", lang.as_str()),
                ));
            }
            seen.push(key);
        }
        let list: Vec<String> = list.symptoms.iter().map(|s| s.trim().to_string()).collect();
        symptoms.push((lang, list));
    }
    Ok(SymptomsFile {
        file: file.to_string(),
        id: raw.id,
        symptoms,
    })
}

/// Reads every `*.toml` file of a folder, sorted by name.
pub fn read_dir(dir: &Path) -> Result<Vec<SymptomsFile>, ImportError> {
    let io = |e: std::io::Error| err(&dir.display().to_string(), e.to_string());
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|e| err(&name, e.to_string()))?;
            parse(&name, &text)
        })
        .collect()
}

/// Case and spacing do not make two symptoms different.
fn normalise(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Writes each file's symptoms into its entry. Every id must name an entry; a symptom may belong
/// to one entry only (per language).
pub fn merge(entries: &mut [Entry], files: &[SymptomsFile]) -> Result<(), ImportError> {
    let mut owner: HashMap<(Lang, String), &str> = HashMap::new();
    let mut ids: HashMap<&str, &str> = HashMap::new();
    for f in files {
        if let Some(other) = ids.insert(&f.id, &f.file) {
            return Err(err(
                &f.file,
                format!("entry `{}` already has symptoms in {other}", f.id),
            ));
        }
        let Some(entry) = entries.iter_mut().find(|e| e.id == f.id) else {
            return Err(err(&f.file, format!("unknown entry id `{}`", f.id)));
        };
        for (lang, list) in &f.symptoms {
            for s in list {
                if let Some(other) = owner.insert((*lang, normalise(s)), &f.file) {
                    return Err(err(
                        &f.file,
                        format!(
                            "duplicate symptom {s:?} ({}): also in {other}",
                            lang.as_str()
                        ),
                    ));
                }
            }
            let into = entry.lang_for(*lang);
            let ed = entry
                .editions
                .get_mut(&into)
                .expect("lang_for names an edition");
            ed.symptoms.extend(list.iter().cloned());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "# Evidence: a test\nid = \"a\"\n[en]\nsymptoms = [\"it failed\", \"it broke\"]\n[ko]\nsymptoms = [\"실패했어요\"]\n";

    fn message(r: Result<SymptomsFile, ImportError>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn a_good_file_is_read_in_order() {
        let f = parse("a.toml", GOOD).unwrap();
        assert_eq!(f.id, "a");
        assert_eq!(
            f.symptoms,
            [
                (
                    Lang::En,
                    vec!["it failed".to_string(), "it broke".to_string()]
                ),
                (Lang::Ko, vec!["실패했어요".to_string()]),
            ]
        );
    }

    #[test]
    fn bad_symptoms_are_errors_that_name_the_file() {
        let cases = [
            (GOOD.replace("it broke", "it FAILED"), "duplicate symptom"),
            (GOOD.replace("it broke", "run `fsck`"), "backticks"),
            (GOOD.replace("it broke", "it **broke**"), "Markdown"),
            (GOOD.replace("it broke", "  "), "empty"),
            (GOOD.replace("id =", "owner = \"x\"\nid ="), "unknown field"),
        ];
        for (text, want) in cases {
            let m = message(parse("content/symptoms/a.toml", &text));
            assert!(m.starts_with("content/symptoms/a.toml: "), "{m}");
            assert!(m.contains(want), "{want}: {m}");
        }
    }

    fn entry(id: &str, langs: &[Lang]) -> Entry {
        Entry {
            id: id.into(),
            kind: crate::entry::Kind::General,
            codes: vec![],
            shared_codes: vec![],
            sources: Default::default(),
            editions: langs.iter().map(|l| (*l, Default::default())).collect(),
        }
    }

    #[test]
    fn symptoms_go_into_their_entry_and_language() {
        let mut entries = [entry("a", &[Lang::Ko, Lang::En]), entry("b", &[Lang::En])];
        let a = parse("a.toml", GOOD).unwrap();
        let b = parse(
            "b.toml",
            "id = \"b\"\n[ko]\nsymptoms = [\"복원이 안 돼요\"]\n",
        )
        .unwrap();
        merge(&mut entries, &[a, b]).unwrap();
        assert_eq!(
            entries[0].editions[&Lang::En].symptoms,
            ["it failed", "it broke"]
        );
        assert_eq!(entries[0].editions[&Lang::Ko].symptoms, ["실패했어요"]);
        // An entry with one edition takes the other language's symptoms into it.
        assert_eq!(entries[1].editions[&Lang::En].symptoms, ["복원이 안 돼요"]);
    }

    #[test]
    fn unknown_ids_and_symptoms_of_two_entries_are_errors() {
        let mut entries = [entry("a", &[Lang::En]), entry("b", &[Lang::En])];
        let unknown = parse("x.toml", &GOOD.replace("\"a\"", "\"x\"")).unwrap();
        let e = merge(&mut entries, &[unknown]).unwrap_err().to_string();
        assert_eq!(e, "x.toml: unknown entry id `x`");
        let a = parse("a.toml", GOOD).unwrap();
        let b = parse(
            "b.toml",
            &GOOD.replace("\"a\"", "\"b\"").replace("it broke", "other"),
        )
        .unwrap();
        let e = merge(&mut entries, &[a, b]).unwrap_err().to_string();
        assert_eq!(
            e,
            "b.toml: duplicate symptom \"it failed\" (en): also in a.toml"
        );
    }
}
