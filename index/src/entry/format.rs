//! The entry file format: Markdown with TOML front matter; `parse(&write(e)) == e`.
//!
//! One file per entry. The front matter holds what identifies the entry (id, kind, codes, sources);
//! the body holds, per language, the title, messages, cause, steps, notes and links:
//!
//! ```text
//! +++
//! id = "user-error-fs-freeze-failed"
//! kind = "error"
//! codes = ["UserErrorFsFreezeFailed"]
//!
//! [sources]
//! ko = "ko-KR/backup-azure-vms-troubleshoot.md#usererrorfsfreezefailed---..."
//! +++
//!
//! <!-- ko -->
//! # Title
//!
//! ## Messages
//! - `UserErrorFsFreezeFailed`: the message as users see it
//!
//! ## Cause
//! ...
//!
//! ## Steps
//! 1. first step
//!    continuation, code fences indented by three spaces
//! ```

use super::{Entry, Kind, Lang, Link, Localized, Message};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// An error found while reading an entry file; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}: {reason}")]
pub struct FormatError {
    pub line: usize,
    pub reason: String,
}

fn ferr(line: usize, reason: impl Into<String>) -> FormatError {
    FormatError {
        line,
        reason: reason.into(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: String,
    kind: Kind,
    #[serde(default)]
    codes: Vec<String>,
    #[serde(default)]
    shared_codes: Vec<String>,
    #[serde(default)]
    sources: BTreeMap<Lang, String>,
}

const SECTIONS: [&str; 6] = ["Messages", "Symptoms", "Cause", "Steps", "Notes", "Links"];

/// Parses an entry file. Errors name the line.
pub fn parse(text: &str) -> Result<Entry, FormatError> {
    let lines: Vec<&str> = text.lines().collect();
    if lines.first().map(|l| l.trim_end()) != Some("+++") {
        return Err(ferr(
            1,
            "missing front matter: the file must start with `+++`",
        ));
    }
    let close = lines
        .iter()
        .skip(1)
        .position(|l| l.trim_end() == "+++")
        .map(|p| p + 1)
        .ok_or_else(|| ferr(1, "front matter is not closed by `+++`"))?;
    let fm_text = lines[1..close].join("\n");
    let fm: FrontMatter = toml::from_str(&fm_text).map_err(|e| {
        let line = e
            .span()
            .map(|s| fm_text[..s.start.min(fm_text.len())].matches('\n').count() + 2)
            .unwrap_or(2);
        ferr(line, format!("front matter: {}", e.message()))
    })?;
    let mut editions = BTreeMap::new();
    let mut cur: Option<(Lang, Localized, usize)> = None;
    let mut section: Option<&str> = None;
    let mut buf: Vec<(usize, &str)> = Vec::new();
    let mut in_fence = false;
    for (i, raw) in lines.iter().enumerate().skip(close + 1) {
        let n = i + 1;
        let line = raw.trim_end();
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence {
            if let Some(tag) = line
                .strip_prefix("<!-- ")
                .and_then(|l| l.strip_suffix(" -->"))
            {
                let lang = Lang::parse(tag)
                    .ok_or_else(|| ferr(n, format!("unknown language marker `{tag}`")))?;
                finish_section(&mut cur, section.take(), &mut buf)?;
                if let Some((l, ed, _)) = cur.take() {
                    editions.insert(l, ed);
                }
                if editions.contains_key(&lang) {
                    return Err(ferr(n, format!("language `{tag}` appears twice")));
                }
                cur = Some((lang, Localized::default(), n));
                continue;
            }
            if let Some(title) = line.strip_prefix("# ") {
                let Some((_, ed, _)) = cur.as_mut() else {
                    return Err(ferr(
                        n,
                        "title before a language marker such as `<!-- ko -->`",
                    ));
                };
                ed.title = title.trim().to_string();
                continue;
            }
            if let Some(name) = line.strip_prefix("## ") {
                if cur.is_none() {
                    return Err(ferr(n, "section before a language marker"));
                }
                finish_section(&mut cur, section.take(), &mut buf)?;
                let name = name.trim();
                section = Some(SECTIONS.iter().find(|s| **s == name).copied().ok_or_else(
                    || {
                        ferr(
                            n,
                            format!(
                                "unknown section `{name}` (expected one of {})",
                                SECTIONS.join(", ")
                            ),
                        )
                    },
                )?);
                continue;
            }
        }
        if section.is_some() {
            buf.push((n, raw));
        } else if !line.trim().is_empty() {
            return Err(ferr(n, "text outside a section"));
        }
    }
    finish_section(&mut cur, section.take(), &mut buf)?;
    if let Some((l, ed, _)) = cur.take() {
        editions.insert(l, ed);
    }
    if editions.is_empty() {
        return Err(ferr(
            close + 1,
            "no edition: add `<!-- ko -->` or `<!-- en -->`",
        ));
    }
    Ok(Entry {
        id: fm.id,
        kind: fm.kind,
        codes: fm.codes,
        shared_codes: fm.shared_codes,
        sources: fm.sources,
        editions,
    })
}

fn finish_section(
    cur: &mut Option<(Lang, Localized, usize)>,
    section: Option<&str>,
    buf: &mut Vec<(usize, &str)>,
) -> Result<(), FormatError> {
    let Some(name) = section else {
        buf.clear();
        return Ok(());
    };
    let Some((_, ed, _)) = cur.as_mut() else {
        buf.clear();
        return Ok(());
    };
    match name {
        "Messages" => {
            for item in list_items(buf, false)? {
                let (code, text) = match item.strip_prefix('`').and_then(|r| r.split_once("`: ")) {
                    Some((c, t)) => (Some(c.to_string()), t.to_string()),
                    None => (None, item),
                };
                ed.messages.push(Message { code, text });
            }
        }
        "Symptoms" => ed.symptoms = list_items(buf, false)?,
        "Cause" => {
            ed.cause = buf
                .iter()
                .map(|(_, l)| l.trim_end())
                .collect::<Vec<_>>()
                .join("\n")
                .trim()
                .to_string();
        }
        "Steps" => ed.steps = list_items(buf, true)?,
        "Notes" => ed.notes = list_items(buf, false)?,
        "Links" => {
            for (item, n) in list_items(buf, false)?
                .into_iter()
                .zip(buf.iter().map(|b| b.0))
            {
                let link = parse_link(&item)
                    .ok_or_else(|| ferr(n, format!("a link item must be `[text](url)`: {item}")))?;
                ed.links.push(link);
            }
        }
        _ => unreachable!("section names are checked when read"),
    }
    buf.clear();
    Ok(())
}

/// Splits a section into list items: `- x` (bullets) or `1. x` (numbered); continuation lines are
/// indented (two spaces for bullets, three for numbered items) and keep their inner indentation.
fn list_items(buf: &[(usize, &str)], numbered: bool) -> Result<Vec<String>, FormatError> {
    let mut items: Vec<Vec<String>> = Vec::new();
    let indent = if numbered { 3 } else { 2 };
    for &(n, raw) in buf {
        let line = raw.trim_end();
        let start = if numbered {
            numbered_marker(line)
        } else {
            line.strip_prefix("- ")
        };
        if let Some(text) = start {
            items.push(vec![text.to_string()]);
        } else if line.is_empty() {
            if let Some(last) = items.last_mut() {
                last.push(String::new());
            }
        } else if line.len() >= indent && line[..indent].trim().is_empty() && !items.is_empty() {
            items
                .last_mut()
                .expect("checked")
                .push(line[indent..].to_string());
        } else {
            let want = if numbered { "`1. `" } else { "`- `" };
            return Err(ferr(
                n,
                format!("expected a list item starting with {want} or an indented continuation"),
            ));
        }
    }
    Ok(items
        .into_iter()
        .map(|lines| {
            // Blank lines inside an item are kept (one at most); trailing ones go.
            let mut out: Vec<String> = Vec::new();
            for l in lines {
                if l.is_empty() && out.last().is_some_and(|p: &String| p.is_empty()) {
                    continue;
                }
                out.push(l);
            }
            while out.last().is_some_and(|l| l.is_empty()) {
                out.pop();
            }
            out.join("\n")
        })
        .collect())
}

fn numbered_marker(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    line[digits..].strip_prefix(". ")
}

/// Parses `[text](url)`.
pub fn parse_link(item: &str) -> Option<Link> {
    let rest = item.strip_prefix('[')?;
    let (text, rest) = rest.rsplit_once("](")?;
    let url = rest.strip_suffix(')')?;
    Some(Link {
        text: text.to_string(),
        url: url.to_string(),
    })
}

/// Writes an entry in the file format; `parse(&write(e)) == e`.
pub fn write(e: &Entry) -> String {
    let mut s = String::from("+++\n");
    let _ = writeln!(s, "id = {}", toml_str(&e.id));
    let _ = writeln!(s, "kind = \"{}\"", e.kind.as_str());
    let _ = writeln!(s, "codes = {}", toml_list(&e.codes));
    if !e.shared_codes.is_empty() {
        let _ = writeln!(s, "shared_codes = {}", toml_list(&e.shared_codes));
    }
    if !e.sources.is_empty() {
        s.push_str("\n[sources]\n");
        for (l, src) in &e.sources {
            let _ = writeln!(s, "{} = {}", l.as_str(), toml_str(src));
        }
    }
    s.push_str("+++\n");
    for (lang, ed) in &e.editions {
        let _ = write!(s, "\n<!-- {} -->\n# {}\n", lang.as_str(), ed.title);
        if !ed.messages.is_empty() {
            s.push_str("\n## Messages\n");
            for m in &ed.messages {
                match &m.code {
                    Some(c) => {
                        let _ = writeln!(s, "- `{c}`: {}", m.text);
                    }
                    None => {
                        let _ = writeln!(s, "- {}", m.text);
                    }
                }
            }
        }
        if !ed.symptoms.is_empty() {
            s.push_str("\n## Symptoms\n");
            for x in &ed.symptoms {
                let _ = writeln!(s, "- {}", indent_rest(x, "  "));
            }
        }
        if !ed.cause.is_empty() {
            let _ = write!(s, "\n## Cause\n{}\n", ed.cause);
        }
        if !ed.steps.is_empty() {
            s.push_str("\n## Steps\n");
            for (i, step) in ed.steps.iter().enumerate() {
                let _ = writeln!(s, "{}. {}", i + 1, indent_rest(step, "   "));
            }
        }
        if !ed.notes.is_empty() {
            s.push_str("\n## Notes\n");
            for n in &ed.notes {
                let _ = writeln!(s, "- {}", indent_rest(n, "  "));
            }
        }
        if !ed.links.is_empty() {
            s.push_str("\n## Links\n");
            for l in &ed.links {
                let _ = writeln!(s, "- [{}]({})", l.text, l.url);
            }
        }
    }
    s
}

fn indent_rest(text: &str, pad: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(pad);
            }
        }
        out.push_str(line);
    }
    out
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn toml_list(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|s| toml_str(s)).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Entry {
        let mut editions = BTreeMap::new();
        editions.insert(
            Lang::En,
            Localized {
                title: "Code - a title".into(),
                messages: vec![Message {
                    code: Some("SomeCode".into()),
                    text: "It failed.".into(),
                }],
                symptoms: vec!["agent log: it failed again".into()],
                cause: "Because.".into(),
                steps: vec![
                    "Run this:\n\n```console\nnet stop VSS\n```".into(),
                    "Then `fsck`.\n- a\n- b".into(),
                ],
                notes: vec!["Careful.".into()],
                links: vec![Link {
                    text: "x".into(),
                    url: "https://learn.microsoft.com/en-us/azure/backup/x".into(),
                }],
            },
        );
        Entry {
            id: "some-code".into(),
            kind: Kind::Error,
            codes: vec!["SomeCode".into()],
            shared_codes: vec![],
            sources: BTreeMap::from([(Lang::En, "en-US/x.md#code---a-title".into())]),
            editions,
        }
    }

    #[test]
    fn write_then_parse_round_trips() {
        let e = sample();
        let text = write(&e);
        assert_eq!(parse(&text).unwrap(), e, "{text}");
    }

    #[test]
    fn unknown_front_matter_key_names_its_line() {
        let text = write(&sample()).replacen("kind =", "colour = \"red\"\nkind =", 1);
        let err = parse(&text).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.reason.contains("colour"), "{err}");
    }

    #[test]
    fn unknown_section_is_an_error() {
        let text = write(&sample()).replace("## Cause", "## Reason");
        let err = parse(&text).unwrap_err();
        assert!(err.reason.contains("unknown section `Reason`"), "{err}");
    }
}
