//! Decides what the bot says. A paste or a question becomes a [`Plan`]; rendering turns a plan into
//! text. No I/O, no platform types: adapters (and the CLI) render and send.

use backup_bot_index::{Candidate, Entry, Lang, Match, Matcher};
use std::fmt::Write as _;

/// What to do with a text.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Nothing to say (chatter, or not sure enough for a paste).
    Quiet,
    /// Answer with these entries (the first is the best), in this language.
    Answer { lang: Lang, found: Vec<Candidate> },
    /// Not sure: offer the closest entries.
    Suggest {
        lang: Lang,
        candidates: Vec<Candidate>,
    },
    /// Asked directly, nothing close.
    Unknown { lang: Lang },
}

/// A paste seen in a channel: answer or stay quiet.
pub fn plan_paste(m: &Matcher, text: &str) -> Plan {
    let found = m.find(text);
    match found.best {
        Some(_) => Plan::Answer {
            lang: found.lang,
            found: found.named,
        },
        None => Plan::Quiet,
    }
}

/// A direct question (a mention, a DM, the CLI's `ask`): always some answer.
pub fn plan_question(m: &Matcher, text: &str) -> Plan {
    let found = m.ask(text);
    plan_from_question(found)
}

fn plan_from_question(found: Match) -> Plan {
    if found.best.is_some() {
        return Plan::Answer {
            lang: found.lang,
            found: found.named,
        };
    }
    let candidates: Vec<Candidate> = found
        .candidates
        .into_iter()
        .filter(|c| c.confidence > 0.05)
        .take(3)
        .collect();
    if candidates.is_empty() {
        Plan::Unknown { lang: found.lang }
    } else {
        Plan::Suggest {
            lang: found.lang,
            candidates,
        }
    }
}

struct Words {
    code: &'static str,
    message: &'static str,
    cause: &'static str,
    steps: &'static str,
    notes: &'static str,
    links: &'static str,
    also: &'static str,
    confidence: &'static str,
    source: &'static str,
    did_you_mean: &'static str,
    unknown: &'static str,
}

const KO: Words = Words {
    code: "코드",
    message: "오류 메시지",
    cause: "원인",
    steps: "해결 단계",
    notes: "참고",
    links: "링크",
    also: "이 메시지에 있는 다른 오류",
    confidence: "신뢰도",
    source: "출처",
    did_you_mean: "확실하지 않습니다. 다음 중 하나인가요?",
    unknown: "이 오류는 모르겠습니다. 오류 코드(예: UserErrorFsFreezeFailed)나 포털의 오류 메시지를 그대로 붙여 넣어 보세요.",
};

const EN: Words = Words {
    code: "Code",
    message: "Error message",
    cause: "Cause",
    steps: "Steps",
    notes: "Notes",
    links: "Links",
    also: "Also named in this message",
    confidence: "confidence",
    source: "source",
    did_you_mean: "I'm not sure. Did you mean one of these?",
    unknown: "I don't know this one. Paste the error code (such as UserErrorFsFreezeFailed) or the error message exactly as the portal shows it.",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Ko => &KO,
        Lang::En => &EN,
    }
}

/// Renders a plan as plain text, as a console or the CLI shows it.
pub fn render_text(m: &Matcher, plan: &Plan) -> String {
    let mut s = String::new();
    match plan {
        Plan::Quiet => {}
        Plan::Unknown { lang } => s.push_str(words(*lang).unknown),
        Plan::Suggest { lang, candidates } => {
            let w = words(*lang);
            let _ = writeln!(s, "{}", w.did_you_mean);
            for (i, c) in candidates.iter().enumerate() {
                let e = &m.entries()[c.entry];
                let _ = writeln!(s, "  [{}] {}", i + 1, headline(e, *lang));
            }
        }
        Plan::Answer { lang, found } => {
            let w = words(*lang);
            let Some(best) = found.first() else {
                return s;
            };
            let e = &m.entries()[best.entry];
            render_entry(&mut s, e, best, *lang);
            if found.len() > 1 {
                let _ = writeln!(s, "\n{}:", w.also);
                for c in &found[1..] {
                    let _ = writeln!(s, "  - {}", headline(&m.entries()[c.entry], *lang));
                }
            }
        }
    }
    s
}

/// "Code1 / Code2 — title".
pub fn headline(e: &Entry, lang: Lang) -> String {
    let title = e.edition(lang).title.as_str();
    let named: Vec<&str> = e.codes.iter().map(String::as_str).collect();
    if named.is_empty() || title.contains(named[0]) {
        title.to_string()
    } else {
        format!("{} — {title}", named.join(" / "))
    }
}

fn render_entry(s: &mut String, e: &Entry, c: &Candidate, lang: Lang) {
    let w = words(lang);
    let ed = e.edition(lang);
    let _ = writeln!(s, "{}", headline(e, lang));
    if !e.codes.is_empty() {
        let _ = writeln!(s, "{}: {}", w.code, e.codes.join(", "));
    }
    if let Some(msg) = message_of(e, c, lang) {
        let _ = writeln!(s, "{}: {}", w.message, msg);
    }
    if !ed.cause.is_empty() {
        let _ = writeln!(s, "\n{}:\n{}", w.cause, ed.cause);
    }
    if !ed.steps.is_empty() {
        let _ = writeln!(s, "\n{}:", w.steps);
        for (i, step) in ed.steps.iter().enumerate() {
            let mut lines = step.lines();
            let _ = writeln!(s, "{:>2}. {}", i + 1, lines.next().unwrap_or(""));
            for l in lines {
                let _ = writeln!(s, "    {l}");
            }
        }
    }
    if !ed.notes.is_empty() {
        let _ = writeln!(s, "\n{}:", w.notes);
        for n in &ed.notes {
            let _ = writeln!(s, "  - {n}");
        }
    }
    if !ed.links.is_empty() {
        let _ = writeln!(s, "\n{}:", w.links);
        for l in &ed.links {
            let _ = writeln!(s, "  - {}: {}", l.text, l.url);
        }
    }
    let _ = write!(s, "\n({} {:.2}, {}", w.confidence, c.confidence, c.detail);
    if let Some(url) = e.page_url(lang) {
        let _ = write!(s, " · {}: {url}", w.source);
    }
    s.push_str(")\n");
}

/// The error message to show for a found entry: the one for the code that was found, else the
/// one that matched, in the reply's language.
pub fn message_of<'a>(e: &'a Entry, c: &Candidate, lang: Lang) -> Option<&'a str> {
    let code = c.code.as_deref().map(|code| {
        if code.bytes().all(|b| b.is_ascii_digit()) {
            // A numeric code's message is the one of the named code it stands beside.
            let i = e.codes.iter().position(|x| x == code).unwrap_or(0);
            e.codes.get(i + 1).map(String::as_str).unwrap_or(code)
        } else {
            code
        }
    });
    if code.is_none() {
        if let Some((mlang, idx)) = c.message {
            let want = e.lang_for(lang);
            let ed = e.edition(want);
            let i = if mlang == want {
                idx
            } else {
                idx.min(ed.messages.len().saturating_sub(1))
            };
            if let Some(m) = ed.messages.get(i) {
                return Some(&m.text);
            }
        }
    }
    e.message_for(lang, code)
}
