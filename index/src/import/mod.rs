//! The importer: DocFX Markdown of the troubleshooting documents (Korean and English editions) to
//! entries.
//!
//! Every part of a document becomes an entry: each error section (with every code it names), each
//! row of the jobs and restore tables, and each general section. Editions of one document share
//! its file name (`ko-KR/x.md`, `en-US/x.md`) and are paired by code (error sections), by table
//! and position (rows) and by heading anchor (general sections); ids and codes are unique across
//! all documents. The work is split by strategy: [`fixes`] corrects the sources, [`sections`] cuts
//! a document at its headings, [`errors`] reads error sections (and recovers garbled codes),
//! [`causes`] inlines the subsections an error section links as its causes, [`tables`] reads job
//! and restore rows, [`steps`] turns blocks into cause, steps and notes, [`links`] makes links
//! absolute, [`ids`] names entries, [`symptoms`] merges the curated symptoms.

mod causes;
mod errors;
pub mod fixes;
mod ids;
mod links;
mod sections;
mod steps;
pub mod symptoms;
mod tables;

pub use ids::{kebab, slug};
pub use links::resolve_url;
pub use symptoms::SymptomsFile;

use crate::entry::{Entry, Kind, Lang, Localized};
use crate::markdown::{self, Block};
use causes::Ref;
use errors::{error_section, has_label};
use ids::entry_id;
use links::resolve_links;
use sections::{split_sections, strip_front_matter};
use std::collections::{BTreeMap, HashMap, HashSet};
use steps::cause_and_steps;
use tables::{is_error_table, row_items, table_row};

/// Codes that other Azure services use as well: they need backup context to count.
pub const SHARED_AZURE_CODES: &[&str] = &["ResourceNotFound"];

/// Headings that only label the text under them ("Solution"): it belongs to the parent section.
const LABEL_HEADINGS: &[&str] = &["solution", "resolution", "솔루션", "해결 방법", "해결책"];

/// An error importing: it names the source or file it comes from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{source_name}: a fix expects {find:?} once, found {found} times: update or remove it in import/fixes.rs")]
    Fix {
        source_name: String,
        find: String,
        found: usize,
    },
    #[error("id `{id}` comes from both {first} and {second}")]
    DuplicateId {
        id: String,
        first: String,
        second: String,
    },
    #[error("code `{code}` is named in both {first} and {second}")]
    DuplicateCode {
        code: String,
        first: String,
        second: String,
    },
    #[error("{file}: {reason}")]
    Symptoms { file: String, reason: String },
}

/// One source document.
pub struct Source<'a> {
    pub lang: Lang,
    /// Path recorded in entries, e.g. `ko-KR/backup-azure-vms-troubleshoot.md`.
    pub name: String,
    pub text: &'a str,
}

/// What one edition holds, before pairing.
#[derive(Debug, Default)]
pub struct Edition {
    pub errors: Vec<Part>,
    pub jobs: Vec<Part>,
    pub restores: Vec<Part>,
    pub generals: Vec<Part>,
}

/// One entry's worth of one edition.
#[derive(Debug, Clone)]
pub struct Part {
    pub codes: Vec<String>,
    pub anchor: String,
    pub localized: Localized,
}

/// Reads one edition.
pub fn read_edition(src: &Source) -> Result<Edition, ImportError> {
    let fixed = fixes::apply(src)?;
    let text = strip_front_matter(&fixed);
    let sections = split_sections(text);
    let mut ed = Edition::default();
    let mut folded: HashSet<usize> = HashSet::new();
    let mut refs: Vec<(usize, Vec<Ref>)> = Vec::new();
    let mut step_links: Vec<(usize, Vec<causes::StepLink>)> = Vec::new();
    for (idx, sec) in sections.iter().enumerate() {
        if folded.contains(&idx) {
            continue;
        }
        let mut children: Vec<usize> = (idx + 1..sections.len())
            .filter(|&c| sections[c].parent == Some(idx))
            .collect();
        let mut raw: Vec<&str> = sec.body.iter().map(|s| s.as_str()).collect();
        // "#### Solution" only labels the section's own text.
        children.retain(|&c| {
            let label = LABEL_HEADINGS.contains(&sections[c].title.trim().to_lowercase().as_str());
            if label {
                raw.push("");
                raw.extend(sections[c].body.iter().map(|s| s.as_str()));
                folded.insert(c);
            }
            !label
        });
        let lines = markdown::clean_lines(&raw);
        let has_label = lines.iter().any(|l| has_label(l));
        let mut blocks = Vec::new();
        for b in markdown::blocks(&lines) {
            match b {
                // Tables of error details become rows, whatever section they sit in.
                Block::Table(rows) if is_error_table(&rows) => {
                    for row in rows.iter().skip(1) {
                        if let Some(p) = table_row(row, src, &sec.anchor) {
                            match sec.h2.as_str() {
                                "jobs" => ed.jobs.push(p),
                                _ => ed.restores.push(p),
                            }
                        }
                    }
                }
                Block::Table(rows) => blocks.extend(row_items(&rows)),
                b => blocks.push(b),
            }
        }
        if has_label {
            let (part, r, l) = error_section(sec, &lines, src);
            if !r.is_empty() {
                refs.push((ed.errors.len(), r));
            }
            if !l.is_empty() {
                step_links.push((ed.errors.len(), l));
            }
            ed.errors.push(part);
            continue;
        }
        let own_text = !blocks.is_empty();
        // A general entry: an h3 (with its h4 children folded in), or an h2 without children.
        let general = match sec.level {
            3 => own_text || !children.is_empty(),
            2 => children.is_empty() && own_text,
            _ => false,
        };
        if !general {
            continue;
        }
        let (cause, mut steps, mut notes) = cause_and_steps(&blocks, true);
        for &c in &children {
            let child = &sections[c];
            if sections[c].level != 4 {
                continue;
            }
            folded.insert(c);
            let raw: Vec<&str> = child.body.iter().map(|s| s.as_str()).collect();
            let cblocks = markdown::blocks(&markdown::clean_lines(&raw));
            let (_, csteps, cnotes) = cause_and_steps(&cblocks, false);
            for s in csteps {
                steps.push(format!("**{}**: {s}", child.title));
            }
            notes.extend(cnotes);
        }
        let mut loc = Localized {
            title: sec.title.clone(),
            messages: vec![],
            symptoms: vec![],
            cause,
            steps,
            notes,
            links: vec![],
        };
        resolve_links(&mut loc, src);
        ed.generals.push(Part {
            codes: vec![],
            anchor: sec.anchor.clone(),
            localized: loc,
        });
    }
    // Error sections that link their causes carry the linked subsections' steps.
    for (i, r) in refs {
        let loc = &mut ed.errors[i].localized;
        loc.steps = causes::expand(&r, &ed.generals, src.lang);
        resolve_links(loc, src);
    }
    // ... and so do those whose steps send the reader to a subsection for the steps.
    for (i, l) in step_links {
        let loc = &mut ed.errors[i].localized;
        causes::inline_step_links(loc, &l, &ed.generals, src.lang);
        resolve_links(loc, src);
    }
    Ok(ed)
}

/// The document a source is an edition of: its file name.
fn document<'s>(src: &'s Source) -> &'s str {
    src.name.rsplit('/').next().unwrap_or(&src.name)
}

/// Imports the sources: editions of one document are paired (Korean first), documents are
/// imported side by side. Ids and codes must be unique across documents.
/// [`import`] of documents read into memory: (edition, recorded path, text).
pub fn import_texts(texts: &[(Lang, String, String)]) -> Result<Vec<Entry>, ImportError> {
    let sources: Vec<Source> = texts
        .iter()
        .map(|(lang, name, text)| Source {
            lang: *lang,
            name: name.clone(),
            text,
        })
        .collect();
    import(&sources)
}

pub fn import(sources: &[Source]) -> Result<Vec<Entry>, ImportError> {
    let mut docs: Vec<(&str, Vec<&Source>)> = Vec::new();
    for src in sources {
        match docs.iter_mut().find(|(d, _)| *d == document(src)) {
            Some((_, eds)) => eds.push(src),
            None => docs.push((document(src), vec![src])),
        }
    }
    let mut out: Vec<Entry> = Vec::new();
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut codes: HashMap<String, String> = HashMap::new();
    for (_, mut eds) in docs {
        eds.sort_by_key(|s| s.lang);
        for e in import_document(&eds)? {
            let origin = e.sources.values().next().cloned().unwrap_or_default();
            for c in &e.codes {
                if let Some(first) = codes.insert(c.to_ascii_lowercase(), origin.clone()) {
                    return Err(ImportError::DuplicateCode {
                        code: c.clone(),
                        first,
                        second: origin,
                    });
                }
            }
            if let Some(first) = ids.insert(e.id.clone(), origin.clone()) {
                return Err(ImportError::DuplicateId {
                    id: e.id,
                    first,
                    second: origin,
                });
            }
            out.push(e);
        }
    }
    Ok(out)
}

/// Imports and pairs the editions of one document, in document order.
fn import_document(sources: &[&Source]) -> Result<Vec<Entry>, ImportError> {
    let mut out: Vec<Entry> = Vec::new();
    for src in sources {
        let ed = read_edition(src)?;
        for p in ed.errors {
            let pos = out.iter().position(|e| {
                e.kind == Kind::Error
                    && e.codes
                        .iter()
                        .any(|c| p.codes.iter().any(|d| d.eq_ignore_ascii_case(c)))
            });
            merge(&mut out, pos, Kind::Error, p, src);
        }
        for (kind, parts) in [(Kind::Job, ed.jobs), (Kind::Restore, ed.restores)] {
            for (i, p) in parts.into_iter().enumerate() {
                let pos = out
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.kind == kind)
                    .nth(i)
                    .map(|(j, _)| j)
                    .filter(|&j| !out[j].editions.contains_key(&src.lang));
                merge(&mut out, pos, kind, p, src);
            }
        }
        for p in ed.generals {
            let pos = out.iter().position(|e| {
                e.kind == Kind::General
                    && e.sources
                        .values()
                        .any(|s| s.rsplit('#').next() == Some(p.anchor.as_str()))
            });
            merge(&mut out, pos, Kind::General, p, src);
        }
    }
    for e in &mut out {
        e.id = entry_id(e);
    }
    // Ids must be unique: a clash gets a numeric suffix.
    let mut seen: HashSet<String> = HashSet::new();
    for e in &mut out {
        let mut id = e.id.clone();
        let mut n = 2;
        while !seen.insert(id.clone()) {
            id = format!("{}-{n}", e.id);
            n += 1;
        }
        e.id = id;
    }
    Ok(out)
}

fn merge(out: &mut Vec<Entry>, pos: Option<usize>, kind: Kind, p: Part, src: &Source) {
    let source = format!("{}#{}", src.name, p.anchor);
    match pos {
        Some(i) => {
            let e = &mut out[i];
            for c in &p.codes {
                if !e.codes.iter().any(|d| d.eq_ignore_ascii_case(c)) {
                    e.codes.push(c.clone());
                }
            }
            e.sources.insert(src.lang, source);
            e.editions.insert(src.lang, p.localized);
        }
        None => {
            let shared = p
                .codes
                .iter()
                .filter(|c| SHARED_AZURE_CODES.contains(&c.as_str()))
                .cloned()
                .collect();
            out.push(Entry {
                id: String::new(),
                kind,
                codes: p.codes,
                shared_codes: shared,
                sources: BTreeMap::from([(src.lang, source)]),
                editions: BTreeMap::from([(src.lang, p.localized)]),
            })
        }
    }
}
