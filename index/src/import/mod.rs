//! The importer: DocFX Markdown of the troubleshooting documents (Korean and English editions) to
//! entries.
//!
//! Every part of a document becomes an entry: each error section (with every code it names), each
//! row of the jobs and restore tables, and each general section. The two editions are paired by
//! code (error sections), by table and position (rows) and by heading anchor (general sections).
//! The work is split by strategy: [`sections`] cuts a document at its headings, [`errors`] reads
//! error sections (and recovers garbled codes), [`tables`] reads job and restore rows, [`steps`]
//! turns blocks into cause, steps and notes, [`links`] makes links absolute, [`ids`] names entries.

mod errors;
mod ids;
mod links;
mod sections;
mod steps;
mod tables;

pub use ids::{kebab, slug};
pub use links::resolve_url;

use crate::entry::{Entry, Kind, Lang, Localized};
use crate::markdown::{self, Block};
use errors::{error_section, has_label};
use ids::entry_id;
use links::resolve_links;
use sections::{split_sections, strip_front_matter};
use std::collections::{BTreeMap, HashSet};
use steps::cause_and_steps;
use tables::table_row;

/// Codes that other Azure services use as well: they need backup context to count.
pub const SHARED_AZURE_CODES: &[&str] = &["ResourceNotFound"];

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
pub fn read_edition(src: &Source) -> Edition {
    let text = strip_front_matter(src.text);
    let sections = split_sections(text);
    let mut ed = Edition::default();
    let mut folded: HashSet<usize> = HashSet::new();
    for (idx, sec) in sections.iter().enumerate() {
        if folded.contains(&idx) {
            continue;
        }
        let raw: Vec<&str> = sec.body.iter().map(|s| s.as_str()).collect();
        let lines = markdown::clean_lines(&raw);
        let blocks = markdown::blocks(&lines);
        let has_label = lines.iter().any(|l| has_label(l));
        let children: Vec<usize> = (idx + 1..sections.len())
            .filter(|&c| sections[c].parent == Some(idx))
            .collect();
        // Tables of error details become rows, whatever section they sit in.
        for b in &blocks {
            if let Block::Table(rows) = b {
                let kind = if sec.h2 == "jobs" {
                    Kind::Job
                } else {
                    Kind::Restore
                };
                for row in rows.iter().skip(1) {
                    if let Some(p) = table_row(row, src, &sec.anchor) {
                        match kind {
                            Kind::Job => ed.jobs.push(p),
                            _ => ed.restores.push(p),
                        }
                    }
                }
            }
        }
        let blocks: Vec<Block> = blocks
            .into_iter()
            .filter(|b| !matches!(b, Block::Table(_)))
            .collect();
        if has_label {
            ed.errors.push(error_section(sec, &lines, src));
            continue;
        }
        let own_text = blocks.iter().any(|b| !matches!(b, Block::Table(_)));
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
    ed
}

/// Imports and pairs the editions. Entries come in document order (Korean first where present).
pub fn import(sources: &[Source]) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for src in sources {
        let ed = read_edition(src);
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
    out
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
