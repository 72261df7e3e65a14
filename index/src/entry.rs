//! The troubleshooting entry: its model (codes, per-language title, messages, symptoms, cause,
//! steps, notes, links, sources). The file format lives in [`format`]: Markdown with TOML front
//! matter, read by [`parse`] and written by [`write`].

mod format;

pub use format::{parse, parse_link, write, FormatError};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A language the content is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ko,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ko, Lang::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    /// The locale segment of learn.microsoft.com URLs.
    pub fn locale(self) -> &'static str {
        match self {
            Lang::Ko => "ko-kr",
            Lang::En => "en-us",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "ko" | "ko-kr" => Some(Lang::Ko),
            "en" | "en-us" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, used as a fallback when an entry lacks one edition.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ko => Lang::En,
            Lang::En => Lang::Ko,
        }
    }
}

/// What part of the document an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An error section with one or more codes.
    Error,
    /// A row of the jobs table (no code; found by its message).
    Job,
    /// A row of the restore table (no code; found by its message).
    Restore,
    /// A general section (basic troubleshooting, VM agent, networking...): no message of its own.
    General,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Error => "error",
            Kind::Job => "job",
            Kind::Restore => "restore",
            Kind::General => "general",
        }
    }
}

/// An error message as users see it, optionally tied to one of the entry's codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub code: Option<String>,
    pub text: String,
}

/// A link with its text; the URL is absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub text: String,
    pub url: String,
}

/// One edition (language) of an entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Localized {
    pub title: String,
    pub messages: Vec<Message>,
    /// Other ways the failure shows itself: log lines of the agent and extensions, the portal's
    /// own rewordings, what people usually say. Curated (not imported), matched like messages at a
    /// lower weight.
    pub symptoms: Vec<String>,
    pub cause: String,
    /// Ordered steps, Markdown; commands stay in code spans or fences.
    pub steps: Vec<String>,
    pub notes: Vec<String>,
    pub links: Vec<Link>,
}

/// A troubleshooting entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub kind: Kind,
    /// Canonical codes as the document spells them; numeric codes included.
    pub codes: Vec<String>,
    /// Codes other Azure services use too: they count only with backup context.
    pub shared_codes: Vec<String>,
    /// Source document and anchor per language, e.g. `ko-KR/backup-azure-vms-troubleshoot.md#anchor`.
    pub sources: BTreeMap<Lang, String>,
    pub editions: BTreeMap<Lang, Localized>,
}

impl Entry {
    /// The edition in `lang`, else the other one.
    pub fn edition(&self, lang: Lang) -> &Localized {
        self.editions
            .get(&lang)
            .or_else(|| self.editions.get(&lang.other()))
            .expect("an entry has at least one edition")
    }

    /// The language actually used when `lang` is asked for.
    pub fn lang_for(&self, lang: Lang) -> Lang {
        if self.editions.contains_key(&lang) {
            lang
        } else {
            lang.other()
        }
    }

    /// The public page of the entry in `lang` (learn.microsoft.com, with its anchor).
    pub fn page_url(&self, lang: Lang) -> Option<String> {
        let lang = self.lang_for(lang);
        let src = self.sources.get(&lang)?;
        let (file, anchor) = src.split_once('#').unwrap_or((src.as_str(), ""));
        let page = file
            .rsplit('/')
            .next()
            .unwrap_or(file)
            .trim_end_matches(".md");
        let mut url = format!(
            "https://learn.microsoft.com/{}/azure/backup/{page}",
            lang.locale()
        );
        if !anchor.is_empty() {
            url.push('#');
            url.push_str(anchor);
        }
        Some(url)
    }

    /// What a paste may quote from this entry in `lang`, for matching: each message (with its
    /// position), then other text users see in their tools: an error's title without its codes,
    /// and log lines the steps quote (emphasised spans, failing lines of log samples).
    pub fn match_texts(&self, lang: Lang) -> Vec<(Option<usize>, String)> {
        let Some(ed) = self.editions.get(&lang) else {
            return vec![];
        };
        let mut out: Vec<(Option<usize>, String)> = ed
            .messages
            .iter()
            .enumerate()
            .map(|(i, m)| (Some(i), m.text.clone()))
            .collect();
        if self.kind == Kind::Error {
            let mut title = ed.title.clone();
            for c in &self.codes {
                title = title.replace(c.as_str(), " ");
            }
            let title = title.trim_matches(|c: char| c.is_whitespace() || "-,/".contains(c));
            if !title.is_empty() {
                out.push((None, title.to_string()));
            }
        }
        for text in std::iter::once(&ed.cause).chain(&ed.steps).chain(&ed.notes) {
            out.extend(quoted_log_text(text).into_iter().map(|t| (None, t)));
        }
        out
    }

    /// The message for `code` in `lang` (or the entry's first message).
    pub fn message_for(&self, lang: Lang, code: Option<&str>) -> Option<&str> {
        let ed = self.edition(lang);
        if let Some(code) = code {
            if let Some(m) = ed.messages.iter().find(|m| {
                m.code
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(code))
            }) {
                return Some(&m.text);
            }
        }
        ed.messages.first().map(|m| m.text.as_str())
    }
}

/// Log text quoted in a step: emphasised spans of some length (`*The shadow copy provider timed
/// out...*`, `**Faulting application name: IaaSBcdrExtension.exe**`) and lines of code samples that
/// report a failure.
fn quoted_log_text(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let parts: Vec<&str> = text.split('*').collect();
    for (i, p) in parts.iter().enumerate() {
        // A bold label ("**Windows VMs**: ...") is not a log line.
        let inside = i > 0 && i + 1 < parts.len() && !label_before_colon(&parts, i);
        let edges_tight = p.starts_with(|c: char| !c.is_whitespace() && c != '.')
            && p.ends_with(|c: char| !c.is_whitespace());
        if inside
            && edges_tight
            && p.chars().count() >= 25
            && !p.contains('`')
            && !p.contains("](")
            && reads_like_log_text(p)
        {
            // Each sentence alone too: a log shows the first, a person pastes one.
            let sentences: Vec<&str> = p.split_inclusive(". ").map(str::trim).collect();
            if sentences.len() > 1 {
                out.extend(
                    sentences
                        .iter()
                        .filter(|x| x.chars().count() >= 25)
                        .map(|x| x.to_string()),
                );
            }
            out.push(p.trim().to_string());
        }
    }
    let mut in_fence = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        let lower = t.to_lowercase();
        if in_fence && t.len() >= 15 && (lower.contains("fail") || lower.contains("error")) {
            out.push(t.to_string());
        }
    }
    out
}

/// A log line or message reads like one: it has punctuation of its own (a sentence, a
/// `name: value`, a path, a registry value) or is a sentence of six words or more. A portal path
/// (`Azure Portal > VM > Settings`) or a name (`Recovery Services 자격 증명 모음`, `Windows Azure
/// Guest Agent`) is not: people say those in any conversation about a vault or an agent.
fn reads_like_log_text(span: &str) -> bool {
    if span.contains(" > ") {
        return false;
    }
    span.contains(['.', ':', '\\', '=', '(', '%']) || span.split_whitespace().count() >= 6
}

/// True when the emphasised span `i` is directly followed by a colon (`**Label**:`).
fn label_before_colon(parts: &[&str], i: usize) -> bool {
    parts[i + 1..]
        .iter()
        .find(|p| !p.is_empty())
        .is_some_and(|p| p.starts_with(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_log_lines_are_found() {
        let t = "Check for: *The shadow copy provider timed out while holding writes.* Then **Running**.\n```\n2017-11-02 Failed to FITHAW: /boot\nREG ADD x\n```";
        assert_eq!(
            quoted_log_text(t),
            vec![
                "The shadow copy provider timed out while holding writes.",
                "2017-11-02 Failed to FITHAW: /boot"
            ]
        );
    }

    #[test]
    fn names_and_portal_paths_are_not_log_text() {
        let t = "Click **Recovery Services 자격 증명 모음** then **Open Azure Portal > VM > Settings > Extensions**; the **Windows Azure Guest Agent** service. **VMs with SQL Server backup configured can cause snapshot task delay** and **Faulting application name: IaaSBcdrExtension.exe**";
        assert_eq!(
            quoted_log_text(t),
            vec![
                "VMs with SQL Server backup configured can cause snapshot task delay",
                "Faulting application name: IaaSBcdrExtension.exe"
            ]
        );
    }

    #[test]
    fn page_url_uses_locale_and_anchor() {
        let e = Entry {
            id: "some-code".into(),
            kind: Kind::Error,
            codes: vec!["SomeCode".into()],
            shared_codes: vec![],
            sources: BTreeMap::from([(Lang::En, "en-US/x.md#code---a-title".into())]),
            editions: BTreeMap::from([(Lang::En, Localized::default())]),
        };
        assert_eq!(
            e.page_url(Lang::Ko).unwrap(),
            "https://learn.microsoft.com/en-us/azure/backup/x#code---a-title"
        );
    }
}
