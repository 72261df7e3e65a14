//! The importer: DocFX Markdown of the troubleshooting page (Korean and English editions) to entries.
//!
//! Every part of the page becomes an entry: each error section (with every code it names), each row
//! of the jobs and restore tables, and each general section. The two editions are paired by code
//! (error sections), by table and position (rows) and by heading anchor (general sections).

use crate::entry::{Entry, Kind, Lang, Link, Localized, Message};
use crate::markdown::{self, Block};
use std::collections::{BTreeMap, HashSet};

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

struct Section {
    level: usize,
    anchor: String,
    title: String,
    body: Vec<String>,
    h2: String,
    parent: Option<usize>,
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
        let has_label = lines.iter().any(|l| !labels(l).is_empty());
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

fn entry_id(e: &Entry) -> String {
    if let Some(code) = e.codes.iter().find(|c| !is_numeric(c)) {
        return kebab(code);
    }
    let base = e
        .editions
        .get(&Lang::En)
        .map(|l| {
            l.messages
                .first()
                .map(|m| m.text.clone())
                .unwrap_or(l.title.clone())
        })
        .or_else(|| {
            e.sources
                .values()
                .next()
                .and_then(|s| s.rsplit('#').next().map(str::to_string))
        })
        .unwrap_or_default();
    let slug: String = slug(&base)
        .split('-')
        .filter(|w| !w.is_empty())
        .take(8)
        .collect::<Vec<_>>()
        .join("-");
    match e.kind {
        Kind::Job => format!("job-{slug}"),
        Kind::Restore => format!("restore-{slug}"),
        _ => slug,
    }
}

/// CamelCase to kebab-case: `BCMV2VMNotFound` -> `bcmv2-vm-not-found`.
pub fn kebab(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            // "VHDs": a plural s after an acronym stays with it.
            let plural = chars.get(i + 1) == Some(&'s')
                && chars.get(i + 2).is_none_or(|n| n.is_ascii_uppercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower && !plural)
            {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// DocFX-style heading slug: lower case, punctuation dropped, spaces to hyphens.
pub fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c == ' ' {
                Some('-')
            } else if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

fn is_numeric(code: &str) -> bool {
    !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit())
}

fn strip_front_matter(text: &str) -> &str {
    let t = text.trim_start_matches('\u{feff}');
    if let Some(rest) = t.strip_prefix("---") {
        if let Some(end) = rest.find("\n---") {
            let after = &rest[end + 4..];
            return after.split_once('\n').map(|x| x.1).unwrap_or("");
        }
    }
    t
}

fn split_sections(text: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut h2 = String::new();
    let mut in_fence = false;
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        let hashes = line.bytes().take_while(|&b| b == b'#').count();
        if !in_fence && hashes > 0 && line[hashes..].starts_with(' ') {
            let rest = line[hashes..].trim();
            let (anchor, title) = match rest
                .strip_prefix("<a name=\"")
                .and_then(|r| r.split_once("\"></a>"))
            {
                Some((a, t)) => (a.to_string(), t.trim().to_string()),
                None => (slug(rest), rest.to_string()),
            };
            if hashes <= 2 {
                h2 = anchor.clone();
            }
            while stack.last().is_some_and(|&(lvl, _)| lvl >= hashes) {
                stack.pop();
            }
            let parent = stack.last().map(|&(_, i)| i);
            stack.push((hashes, out.len()));
            out.push(Section {
                level: hashes,
                anchor,
                title,
                body: vec![],
                h2: h2.clone(),
                parent,
            });
        } else if let Some(s) = out.last_mut() {
            s.body.push(line.to_string());
        }
    }
    out
}

#[derive(Debug, PartialEq)]
enum Label {
    Code,
    Message,
}

const LABELS: &[(&str, Label)] = &[
    ("오류 코드", Label::Code),
    ("오류 메시지", Label::Message),
    ("error code", Label::Code),
    ("error message", Label::Message),
];

/// The labels on a line: `(label, start of label, start of value)`.
fn labels(line: &str) -> Vec<(&'static Label, usize, usize)> {
    let plain = line.replace("**", "  ");
    let lower = plain.to_lowercase();
    let mut found = Vec::new();
    for (text, label) in LABELS {
        for (i, _) in lower.match_indices(text) {
            let after = &lower[i + text.len()..];
            let colon = after.len() - after.trim_start().len();
            if after[colon..].starts_with(':') {
                found.push((label, i, i + text.len() + colon + 1));
            }
        }
    }
    found.sort_by_key(|f| f.1);
    found
}

fn error_section(sec: &Section, lines: &[String], src: &Source) -> Part {
    let heading_ids = identifiers(&sec.title);
    let mut codes: Vec<String> = Vec::new();
    let mut messages: Vec<Message> = Vec::new();
    let mut last_code: Option<String> = None;
    let mut consumed = 0;
    let mut in_label_para = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.is_empty() {
            in_label_para = false;
            if codes.is_empty() {
                continue;
            }
            consumed = i + 1;
            continue;
        }
        let found = labels(line);
        if found.is_empty() {
            if in_label_para {
                // A line that follows a message in the same paragraph: another wording of it.
                messages.push(Message {
                    code: last_code.clone(),
                    text: clean_message(t),
                });
                consumed = i + 1;
                continue;
            }
            if codes.is_empty() {
                continue;
            }
            break;
        }
        in_label_para = true;
        let plain = line.replace("**", "  ");
        for (k, (label, _, vstart)) in found.iter().enumerate() {
            let vend = found.get(k + 1).map(|f| f.1).unwrap_or(plain.len());
            // Same byte positions as `line`: "**" was replaced by two spaces.
            let value = line
                .get(*vstart..vend)
                .unwrap_or(&plain[*vstart..vend])
                .trim();
            let value = value.trim_start_matches('*').trim_start();
            match label {
                Label::Code => {
                    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let code = recover_code(item, &heading_ids, &sec.anchor, &codes);
                        if !is_numeric(&code) {
                            last_code = Some(code.clone());
                        }
                        if !codes.contains(&code) {
                            codes.push(code);
                        }
                    }
                }
                Label::Message => {
                    // A bold tail ("... error **This drive is locked ...**") is a second
                    // message shown with the first: each can be pasted alone.
                    let (main, tail) = match line_bold_tail(value) {
                        Some((m, t)) => (m, Some(t)),
                        None => (value, None),
                    };
                    for text in std::iter::once(main).chain(tail) {
                        let text = clean_message(text);
                        let text = text.trim_start_matches(['.', ' ']).to_string();
                        if !text.is_empty() {
                            messages.push(Message {
                                code: last_code.clone(),
                                text,
                            });
                        }
                    }
                }
            }
        }
        consumed = i + 1;
    }
    let blocks = markdown::blocks(&lines[consumed.min(lines.len())..]);
    let (cause, steps, notes) = cause_and_steps(&blocks, true);
    let mut loc = Localized {
        title: join_split_code(&sec.title, &codes),
        messages,
        symptoms: vec![],
        cause,
        steps,
        notes,
        links: vec![],
    };
    resolve_links(&mut loc, src);
    Part {
        codes,
        anchor: sec.anchor.clone(),
        localized: loc,
    }
}

/// `("main", "tail")` when a value ends with a bold part after some text.
fn line_bold_tail(value: &str) -> Option<(&str, &str)> {
    let v = value.trim_end();
    let inner = v.strip_suffix("**")?;
    let open = inner.rfind("**")?;
    let main = inner[..open].trim();
    (!main.is_empty()).then(|| (main, &inner[open + 2..]))
}

/// Code-like words of a heading: CamelCase identifiers and six-digit numbers, and pairs of
/// adjacent identifiers joined (a heading may split a code in two).
fn identifiers(text: &str) -> Vec<String> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| {
            (w.len() >= 8 && w.chars().filter(|c| c.is_ascii_uppercase()).count() >= 2)
                || (w.len() == 6 && is_numeric(w))
        })
        .collect();
    let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    for pair in words.windows(2) {
        if !is_numeric(pair[0]) && !is_numeric(pair[1]) {
            out.push(format!("{}{}", pair[0], pair[1]));
        }
    }
    out
}

/// A code as the section states it, unless the translation garbled it: then the heading's code
/// that resembles it most (the heading and its anchor keep the true code).
fn recover_code(item: &str, heading_ids: &[String], anchor: &str, taken: &[String]) -> String {
    let single = !item.contains(char::is_whitespace);
    let lower = item.to_lowercase();
    let squashed_anchor: String = anchor.chars().filter(|c| *c != '-').collect();
    if single && (squashed_anchor.contains(&lower) || heading_ids.iter().any(|h| h == item)) {
        return item.to_string();
    }
    let squashed: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    heading_ids
        .iter()
        .filter(|h| !taken.contains(h) && !is_numeric(h))
        .max_by(|a, b| {
            let sa = strsim::normalized_levenshtein(&a.to_lowercase(), &squashed);
            let sb = strsim::normalized_levenshtein(&b.to_lowercase(), &squashed);
            sa.total_cmp(&sb)
        })
        .cloned()
        .unwrap_or_else(|| item.to_string())
}

/// Rejoins a code that a heading split in two ("...LaunchVM ToNonTrusted...").
fn join_split_code(title: &str, codes: &[String]) -> String {
    let words: Vec<&str> = title.split(' ').collect();
    for i in 0..words.len().saturating_sub(1) {
        let joined = format!("{}{}", words[i], words[i + 1]);
        if codes.contains(&joined) {
            let mut w: Vec<String> = words.iter().map(|s| s.to_string()).collect();
            w[i] = joined;
            w.remove(i + 1);
            return w.join(" ");
        }
    }
    title.to_string()
}

fn clean_message(s: &str) -> String {
    let s = s.replace("**", "");
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.trim().to_string()
}

fn is_step_header(p: &str) -> Option<String> {
    let t = p.trim_start_matches('*').trim_start();
    let rest = if let Some(r) = t.strip_prefix("Step ") {
        let d = r.bytes().take_while(|b| b.is_ascii_digit()).count();
        (d > 0).then(|| &r[d..])
    } else {
        let d = t.bytes().take_while(|b| b.is_ascii_digit()).count();
        (d > 0)
            .then(|| t[d..].trim_start().strip_prefix("단계"))
            .flatten()
    }?;
    let rest = rest.trim_start_matches('*').trim_start();
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    Some(rest.trim().to_string())
}

fn is_or(p: &str) -> bool {
    matches!(p.trim(), "or" | "(or)" | "또는" | "(또는)" | "**or**")
}

fn is_lead_in(p: &str) -> bool {
    let l = p.to_lowercase();
    p.trim_end().ends_with(':')
        && (l.contains("follow")
            || l.contains("resolve")
            || l.contains("해결")
            || l.contains("다음 단계"))
}

/// Splits a section's blocks into cause, steps and notes.
fn cause_and_steps(blocks: &[Block], with_cause: bool) -> (String, Vec<String>, Vec<String>) {
    let mut notes: Vec<String> = Vec::new();
    let mut rest: Vec<&Block> = Vec::new();
    for b in blocks {
        match b {
            Block::Note(n) => notes.push(inline(n)),
            Block::Table(_) => {}
            _ => rest.push(b),
        }
    }
    let mut cause = String::new();
    let only_paras = rest.iter().all(|b| matches!(b, Block::Para(_)));
    if with_cause && only_paras {
        let paras: Vec<String> = rest
            .iter()
            .filter_map(|b| match b {
                Block::Para(p) => Some(inline(p)),
                _ => None,
            })
            .collect();
        if paras.len() == 1 {
            let sentences = split_sentences(&paras[0]);
            if sentences.len() > 1 {
                return (sentences[0].clone(), vec![sentences[1..].join(" ")], notes);
            }
            return (String::new(), paras, notes);
        }
        if let Some((first, others)) = paras.split_first() {
            return (first.clone(), others.to_vec(), notes);
        }
        return (String::new(), vec![], notes);
    }
    let mut iter = rest.into_iter().peekable();
    if with_cause {
        if let Some(Block::Para(p)) = iter.peek() {
            if is_step_header(p).is_none() {
                cause = inline(p);
                iter.next();
            }
        }
    }
    let mut steps: Vec<String> = Vec::new();
    // While a "Step N" header is open, what follows belongs to it.
    let mut open_header = false;
    let mut merge_next_list = false;
    while let Some(b) = iter.next() {
        match b {
            Block::Para(p) => {
                if let Some(h) = is_step_header(p) {
                    steps.push(inline(&h));
                    open_header = true;
                    merge_next_list = false;
                    continue;
                }
                if is_or(p) {
                    if let Some(last) = steps.last_mut() {
                        last.push_str("\n\n");
                        last.push_str(p.trim().trim_matches('*'));
                    }
                    continue;
                }
                if let Some(code) = code_only(p) {
                    attach_or_push(&mut steps, code);
                    continue;
                }
                if open_header {
                    attach_or_push(&mut steps, inline(p));
                    continue;
                }
                let next_is_list = matches!(iter.peek(), Some(Block::Item { .. }));
                let next_numbered = matches!(iter.peek(), Some(Block::Item { numbered: true, .. }));
                if p.trim_end().ends_with(':') && next_is_list {
                    if is_lead_in(p) || next_numbered {
                        if p.chars().count() > 40 {
                            steps.push(inline(p));
                        }
                    } else {
                        steps.push(inline(p));
                        merge_next_list = true;
                    }
                    continue;
                }
                steps.push(inline(p));
            }
            Block::Item { text, .. } => {
                let text = fence_code_lines(&inline(text));
                if open_header || merge_next_list {
                    attach_or_push(&mut steps, format!("- {}", indent_rest(&text, "  ")));
                    if merge_next_list && !matches!(iter.peek(), Some(Block::Item { .. })) {
                        merge_next_list = false;
                    }
                } else {
                    steps.push(text);
                }
            }
            Block::Code(c) => attach_or_push(&mut steps, c.clone()),
            Block::Note(_) | Block::Table(_) => {}
        }
    }
    // Notes inside list items ("> [!NOTE]" indented under an item) move to the notes.
    let steps = steps
        .into_iter()
        .map(|s| {
            let (kept, quoted): (Vec<&str>, Vec<&str>) =
                s.lines().partition(|l| !l.trim_start().starts_with('>'));
            let q: Vec<String> = quoted
                .iter()
                .map(|l| l.trim_start().trim_start_matches('>').trim().to_string())
                .filter(|l| !l.is_empty() && !l.starts_with("[!"))
                .collect();
            if !q.is_empty() {
                notes.push(q.join(" "));
            }
            squeeze_blank_lines(&kept.join("\n"))
        })
        .filter(|s| !s.is_empty())
        .collect();
    (cause, steps, notes)
}

fn squeeze_blank_lines(s: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for l in s.lines() {
        if l.trim().is_empty() {
            blank = true;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(l.trim_end());
    }
    out
}

fn attach_or_push(steps: &mut Vec<String>, text: String) {
    match steps.last_mut() {
        Some(last) => {
            last.push_str("\n\n");
            last.push_str(&text);
        }
        None => steps.push(text),
    }
}

fn indent_rest(text: &str, pad: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 || l.is_empty() {
                l.to_string()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A paragraph made only of code spans (```net stop VSS``` lines) becomes a code fence.
fn code_only(p: &str) -> Option<String> {
    let mut cmds = Vec::new();
    for l in p.lines() {
        let t = l.trim();
        let inner = t
            .strip_prefix("```")
            .and_then(|r| r.strip_suffix("```"))
            .or_else(|| t.strip_prefix('`').and_then(|r| r.strip_suffix('`')))?;
        if inner.contains('`') || inner.is_empty() {
            return None;
        }
        cmds.push(inner.to_string());
    }
    Some(format!("```console\n{}\n```", cmds.join("\n")))
}

/// Inside an item, consecutive lines that are only a code span become a fence.
fn fence_code_lines(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let flush = |out: &mut Vec<String>, run: &mut Vec<String>| {
        if !run.is_empty() {
            out.push(String::new());
            out.push("```console".into());
            out.append(run);
            out.push("```".into());
        }
    };
    for l in text.lines() {
        let t = l.trim();
        let inner = t
            .strip_prefix('`')
            .and_then(|r| r.strip_suffix('`'))
            .filter(|i| !i.contains('`') && !i.is_empty() && !t.starts_with("```"));
        match inner {
            Some(cmd) if !out.is_empty() => run.push(cmd.to_string()),
            _ => {
                flush(&mut out, &mut run);
                out.push(l.to_string());
            }
        }
    }
    flush(&mut out, &mut run);
    out.join("\n")
}

/// Inline clean-up: triple-backtick spans become code spans, leftover whitespace goes.
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("```") {
        let after = &rest[i + 3..];
        match after.find("```") {
            Some(j) if !after[..j].contains('\n') => {
                out.push_str(&rest[..i]);
                out.push('`');
                out.push_str(&after[..j]);
                out.push('`');
                rest = &after[j + 3..];
            }
            _ => {
                out.push_str(&rest[..i + 3]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.lines()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

fn split_sentences(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = p.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        cur.push(c);
        let next = chars.get(i + 1).copied();
        if c == '.' && next.is_none_or(|n| n.is_whitespace()) && !cur.trim().is_empty() {
            out.push(cur.trim().to_string());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

fn table_row(cells: &[String], src: &Source, anchor: &str) -> Option<Part> {
    let details = cells.first()?;
    let workaround = cells.get(1).map(String::as_str).unwrap_or("");
    let mut messages = Vec::new();
    let mut steps: Vec<String> = Vec::new();
    let lowered = details
        .replace("**or**", "\u{0}")
        .replace("**OR**", "\u{0}");
    for alt in lowered.split('\u{0}') {
        let mut parts: Vec<String> = Vec::new();
        for p in markdown::cell_parts(alt) {
            if parts.is_empty() {
                parts.extend(p.lines().map(str::to_string));
            } else {
                parts.push(p);
            }
        }
        let mut it = parts.into_iter();
        if let Some(msg) = it.next() {
            let msg = clean_message(&msg.replace('\n', " "));
            let msg = msg.trim_end_matches(':').trim().to_string();
            if !msg.is_empty() {
                messages.push(Message {
                    code: None,
                    text: msg,
                });
            }
        }
        for g in it {
            let g = inline(&g);
            if !steps.contains(&g) {
                steps.push(g);
            }
        }
    }
    if !workaround.trim().eq_ignore_ascii_case("none") {
        for w in markdown::cell_parts(workaround) {
            let w = inline(&w);
            if !steps.contains(&w) {
                steps.push(w);
            }
        }
    }
    if messages.is_empty() {
        return None;
    }
    let mut loc = Localized {
        title: messages[0].text.clone(),
        messages,
        symptoms: vec![],
        cause: String::new(),
        steps,
        notes: vec![],
        links: vec![],
    };
    resolve_links(&mut loc, src);
    Some(Part {
        codes: vec![],
        anchor: anchor.to_string(),
        localized: loc,
    })
}

/// Makes every link absolute (learn.microsoft.com, the source's locale), turns images into links,
/// and lists the links of the entry in order.
fn resolve_links(loc: &mut Localized, src: &Source) {
    let mut links: Vec<Link> = Vec::new();
    let mut fix = |s: &str| rewrite_links(s, src, &mut links);
    loc.cause = fix(&loc.cause);
    loc.steps = loc.steps.iter().map(|s| fix(s)).collect();
    loc.notes = loc.notes.iter().map(|s| fix(s)).collect();
    loc.links = links;
}

fn rewrite_links(s: &str, src: &Source, links: &mut Vec<Link>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let Some(close_rel) = rest[open..].find("](") else {
            break;
        };
        let close = open + close_rel;
        let Some(end_rel) = rest[close + 2..].find(')') else {
            break;
        };
        let end = close + 2 + end_rel;
        let text = &rest[open + 1..close];
        if text.contains('[') {
            out.push_str(&rest[..open + 1]);
            rest = &rest[open + 1..];
            continue;
        }
        let image = open > 0 && rest.as_bytes()[open - 1] == b'!';
        let url = resolve_url(rest[close + 2..end].trim(), src);
        let text = text.trim();
        out.push_str(&rest[..if image { open - 1 } else { open }]);
        out.push_str(&format!("[{text}]({url})"));
        if !links.iter().any(|l| l.url == url) {
            links.push(Link {
                text: if text.is_empty() {
                    url.clone()
                } else {
                    text.to_string()
                },
                url,
            });
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Resolves a link of the page to an absolute URL on learn.microsoft.com in the source's locale.
pub fn resolve_url(url: &str, src: &Source) -> String {
    if url.starts_with("https://") || url.starts_with("http://") {
        return url.to_string();
    }
    let loc = src.lang.locale();
    let page = src
        .name
        .rsplit('/')
        .next()
        .unwrap_or(&src.name)
        .trim_end_matches(".md");
    if let Some(anchor) = url.strip_prefix('#') {
        return format!("https://learn.microsoft.com/{loc}/azure/backup/{page}#{anchor}");
    }
    let (path, tail) = match url.find(['#', '?']) {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let path = path.strip_suffix(".md").unwrap_or(path);
    let abs: Vec<&str> = if let Some(p) = path.strip_prefix('/') {
        p.split('/').collect()
    } else {
        let mut parts: Vec<&str> = vec!["azure", "backup"];
        for seg in path.split('/') {
            match seg {
                "." | "" => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(s),
            }
        }
        parts
    };
    format!("https://learn.microsoft.com/{loc}/{}{tail}", abs.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(lang: Lang) -> Source<'static> {
        Source {
            lang,
            name: "ko-KR/backup-azure-vms-troubleshoot.md".into(),
            text: "",
        }
    }

    #[test]
    fn relative_links_resolve_in_the_locale() {
        let s = src(Lang::Ko);
        assert_eq!(
            resolve_url("./backup-azure-arm-vms-prepare.md#install-the-vm-agent", &s),
            "https://learn.microsoft.com/ko-kr/azure/backup/backup-azure-arm-vms-prepare#install-the-vm-agent"
        );
        assert_eq!(
            resolve_url("../virtual-machines/extensions/update-linux-agent.md?toc=/x", &s),
            "https://learn.microsoft.com/ko-kr/azure/virtual-machines/extensions/update-linux-agent?toc=/x"
        );
        assert_eq!(
            resolve_url("/troubleshoot/azure/a#b", &s),
            "https://learn.microsoft.com/ko-kr/troubleshoot/azure/a#b"
        );
        assert_eq!(
            resolve_url("#vm-agent", &s),
            "https://learn.microsoft.com/ko-kr/azure/backup/backup-azure-vms-troubleshoot#vm-agent"
        );
    }

    #[test]
    fn images_become_links() {
        let mut links = vec![];
        let out = rewrite_links("see ![Alt](media/x/y.png) here", &src(Lang::En), &mut links);
        assert_eq!(
            out,
            "see [Alt](https://learn.microsoft.com/en-us/azure/backup/media/x/y.png) here"
        );
        assert_eq!(links.len(), 1);
    }

    #[test]
    fn slugs_follow_docfx() {
        assert_eq!(
            slug("ExtensionSnapshotFailedCOM / ExtensionInstallationFailedCOM - Extension installation/operation failed"),
            "extensionsnapshotfailedcom--extensioninstallationfailedcom---extension-installationoperation-failed"
        );
        assert_eq!(
            slug("VmNotInDesirableState - The VM isn't in a state"),
            "vmnotindesirablestate---the-vm-isnt-in-a-state"
        );
    }

    #[test]
    fn garbled_code_is_recovered_from_the_heading() {
        let ids =
            identifiers("ExtensionFailedVssServiceInBadState - VSS(볼륨 섀도 복사본) 서비스가");
        assert_eq!(
            recover_code(
                "Extensionfailedstateful Serviceinbadstate",
                &ids,
                "extensionfailedvssserviceinbadstate---x",
                &[]
            ),
            "ExtensionFailedVssServiceInBadState"
        );
    }

    #[test]
    fn a_code_split_in_the_heading_is_kept_whole() {
        let title = "UserErrorMigrationFromTrustedLaunchVM ToNonTrustedVMNotAllowed";
        let code = "UserErrorMigrationFromTrustedLaunchVMToNonTrustedVMNotAllowed";
        assert_eq!(
            recover_code(code, &identifiers(title), &slug(title), &[]),
            code
        );
    }

    #[test]
    fn a_bold_tail_is_a_message_of_its_own() {
        assert_eq!(
            line_bold_tail("The snapshot failed **This drive is locked.**"),
            Some(("The snapshot failed", "This drive is locked."))
        );
        assert_eq!(line_bold_tail("plain"), None);
    }

    #[test]
    fn split_code_in_heading_is_rejoined() {
        let codes =
            vec!["UserErrorMigrationFromTrustedLaunchVMToNonTrustedVMNotAllowed".to_string()];
        assert_eq!(
            join_split_code(
                "UserErrorMigrationFromTrustedLaunchVM ToNonTrustedVMNotAllowed",
                &codes
            ),
            codes[0]
        );
    }

    #[test]
    fn kebab_case_ids() {
        assert_eq!(kebab("BCMV2VMNotFound"), "bcmv2-vm-not-found");
        assert_eq!(
            kebab("VMRestorePointInternalError"),
            "vm-restore-point-internal-error"
        );
        assert_eq!(
            kebab("ExtensionSnapshotFailedCOM"),
            "extension-snapshot-failed-com"
        );
        assert_eq!(
            kebab("CopyingVHDsFromBackUpVault"),
            "copying-vhds-from-back-up-vault"
        );
    }

    #[test]
    fn step_headers_in_both_languages() {
        assert_eq!(
            is_step_header("**1단계**: 호스트를 통해").as_deref(),
            Some("호스트를 통해")
        );
        assert_eq!(is_step_header("2 단계: VSS").as_deref(), Some("VSS"));
        assert_eq!(is_step_header("**Step 1**").as_deref(), Some(""));
        assert_eq!(
            is_step_header("Step 3: If steps").as_deref(),
            Some("If steps")
        );
        assert!(is_step_header("Steps are here").is_none());
    }
}
