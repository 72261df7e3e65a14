//! What the bot says, platform-neutral: a [`Reply`] becomes a [`Card`] (title, fields, steps,
//! buttons), which adapters render (Block Kit, embeds) and the console prints as text.

use crate::words::{words, Words};
use backup_bot_index::{Candidate, Entry, Lang, Matcher, Reason};

/// Action ids of buttons: part of the interface (data after a colon).
pub mod action {
    pub const GUIDE_START: &str = "guide.start";
    pub const GUIDE_NEXT: &str = "guide.next";
    pub const FIXED: &str = "feedback.fixed";
    pub const STILL_FAILING: &str = "feedback.still_failing";
    pub const WRONG: &str = "feedback.wrong";
    pub const SUGGEST_PICK: &str = "suggest.pick";
    pub const ESCALATION_OPEN: &str = "escalation.open";
}

/// A reply, before rendering.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// An entry found; `also` names the other entries of the same paste; `truncated` says that
    /// part of the text was left out (longer than the matcher reads).
    Answer {
        lang: Lang,
        found: Candidate,
        also: Vec<usize>,
        truncated: bool,
    },
    /// Not sure (or a search): the closest entries as buttons.
    Suggest {
        lang: Lang,
        did_you_mean: bool,
        candidates: Vec<usize>,
    },
    /// Asked directly, nothing close.
    Unknown { lang: Lang },
    /// Asked about a code that no entry has: the nearest known codes `(entry, code)` and the
    /// entries nearest in meaning (never the code itself: user text is not echoed).
    UnknownCode {
        lang: Lang,
        near_codes: Vec<(usize, String)>,
        related: Vec<usize>,
    },
    /// The same code was answered in this channel a moment ago.
    Pointer {
        lang: Lang,
        entry: usize,
        minutes_ago: u64,
        earlier: String,
    },
    /// One step of a guided walk (0-based).
    Step {
        lang: Lang,
        entry: usize,
        step: usize,
    },
    /// Feedback recorded: thanks.
    Thanks { lang: Lang },
    /// Still failing: offer escalation; the button names the entry (by id) it is about.
    OfferEscalation { lang: Lang, entry: Option<String> },
    /// Escalation is not configured yet.
    EscalationNotSetUp { lang: Lang },
    /// Usage and the known codes.
    Help { lang: Lang },
    /// A one-line notice (mute, unmute, errors in a command).
    Notice { lang: Lang, text: String },
    /// A card laid out already (an escalation's card, its reminders, `status`): user text in
    /// it is unsanitised (the renderers sanitise it), and `card.pings` are the only mentions.
    Laid { card: Card },
}

/// A button: its label and its action id (with data after a colon).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    pub action_id: String,
}

/// A reply laid out for rendering. Text fields are Markdown-ish: `**bold**`, `` `code` ``,
/// fenced code blocks, `[text](url)` links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Card {
    /// Codes and title.
    pub title: String,
    /// (label, text) pairs: error message, cause.
    pub fields: Vec<(String, String)>,
    /// Label of the steps, and the steps.
    pub steps_label: String,
    pub steps: Vec<String>,
    /// First step's number (guided walks show one step with its own number).
    pub first_step: usize,
    pub notes: Vec<String>,
    pub links: Vec<(String, String)>,
    /// A small line: confidence, source.
    pub context: String,
    /// A link to the full entry (for renderers that must shorten).
    pub full_url: Option<String>,
    pub buttons: Vec<Button>,
    /// Whom the message pings (escalations only): the renderers write these mentions, and
    /// only these, outside the sanitised text.
    pub pings: Vec<crate::escalation::Target>,
}

/// "Code1 / Code2 — title" (the title alone when it already starts with the code).
pub fn headline(e: &Entry, lang: Lang) -> String {
    let title = e.edition(lang).title.as_str();
    let named: Vec<&str> = e.codes.iter().map(String::as_str).collect();
    if named.is_empty() || title.contains(named[0]) {
        title.to_string()
    } else {
        format!("{} — {title}", named.join(" / "))
    }
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

/// A button that picks an entry: it names the entry by id, so it works after a restart or a
/// reload.
fn pick_button(e: &Entry, lang: Lang) -> Button {
    button(
        &short(&headline(e, lang), 75),
        format!("{}:{}", action::SUGGEST_PICK, e.id),
    )
}

fn button(label: &str, action_id: impl Into<String>) -> Button {
    Button {
        label: label.to_string(),
        action_id: action_id.into(),
    }
}

/// Lays a reply out.
pub fn card(m: &Matcher, reply: &Reply) -> Card {
    let entries = m.entries();
    match reply {
        Reply::Answer {
            lang,
            found,
            also,
            truncated,
        } => {
            let w = words(*lang);
            let e = &entries[found.entry];
            let ed = e.edition(*lang);
            let mut c = entry_card(e, *lang, w);
            if let Some(msg) = message_of(e, found, *lang) {
                c.fields.insert(0, (w.message.to_string(), msg.to_string()));
            }
            c.steps = ed.steps.clone();
            if !also.is_empty() {
                let names: Vec<String> =
                    also.iter().map(|&i| headline(&entries[i], *lang)).collect();
                c.notes.push(format!("{}: {}", w.also, names.join("; ")));
            }
            c.context = format!(
                "{} {:.2} ({})",
                w.confidence,
                found.confidence,
                reason_word(found.reason, w),
            );
            if let Some(url) = e.page_url(*lang) {
                c.context.push_str(&format!(" · {}: {url}", w.source));
            }
            if *truncated {
                c.context.push('\n');
                c.context.push_str(w.truncated);
            }
            c.buttons = vec![
                button(w.guide, action::GUIDE_START),
                button(w.fixed, action::FIXED),
                button(w.still_failing, action::STILL_FAILING),
                button(w.wrong, action::WRONG),
            ];
            c
        }
        Reply::Suggest {
            lang,
            did_you_mean,
            candidates,
        } => {
            let w = words(*lang);
            Card {
                title: if *did_you_mean {
                    w.did_you_mean
                } else {
                    w.search_results
                }
                .to_string(),
                buttons: candidates
                    .iter()
                    .map(|&i| pick_button(&entries[i], *lang))
                    .collect(),
                ..Card::default()
            }
        }
        Reply::Unknown { lang } => Card {
            title: words(*lang).unknown.to_string(),
            ..Card::default()
        },
        Reply::UnknownCode {
            lang,
            near_codes,
            related,
        } => {
            let w = words(*lang);
            let mut fields = Vec::new();
            if !near_codes.is_empty() {
                let codes: Vec<String> = near_codes.iter().map(|(_, c)| format!("`{c}`")).collect();
                fields.push((w.nearest_codes.to_string(), codes.join(" · ")));
            }
            if !related.is_empty() {
                let names: Vec<String> = related
                    .iter()
                    .map(|&i| headline(&entries[i], *lang))
                    .collect();
                fields.push((w.nearest_entries.to_string(), names.join("\n")));
            }
            let picks = near_codes
                .iter()
                .map(|(i, _)| *i)
                .chain(related.iter().copied());
            Card {
                title: if fields.is_empty() {
                    w.unknown_code_alone
                } else {
                    w.unknown_code
                }
                .to_string(),
                fields,
                buttons: picks.map(|i| pick_button(&entries[i], *lang)).collect(),
                ..Card::default()
            }
        }
        Reply::Pointer {
            lang,
            entry,
            minutes_ago,
            earlier: _,
        } => {
            let w = words(*lang);
            Card {
                title: format!(
                    "{} ({}): {}",
                    w.pointer,
                    w.minutes_ago(*minutes_ago),
                    headline(&entries[*entry], *lang)
                ),
                full_url: entries[*entry].page_url(*lang),
                ..Card::default()
            }
        }
        Reply::Step { lang, entry, step } => {
            let w = words(*lang);
            let e = &entries[*entry];
            let ed = e.edition(*lang);
            let total = ed.steps.len();
            let mut buttons = Vec::new();
            if step + 1 < total {
                buttons.push(button(
                    w.next,
                    format!("{}:{}", action::GUIDE_NEXT, step + 1),
                ));
            }
            buttons.push(button(w.fixed, action::FIXED));
            buttons.push(button(w.still_failing, action::STILL_FAILING));
            Card {
                title: format!("{} {}/{} — {}", w.step, step + 1, total, headline(e, *lang)),
                steps: ed.steps.get(*step).cloned().into_iter().collect(),
                first_step: step + 1,
                full_url: e.page_url(*lang),
                buttons,
                ..Card::default()
            }
        }
        Reply::Thanks { lang } => notice(words(*lang).thanks),
        Reply::OfferEscalation { lang, entry } => {
            let w = words(*lang);
            let id = match entry {
                Some(e) => format!("{}:{e}", action::ESCALATION_OPEN),
                None => action::ESCALATION_OPEN.to_string(),
            };
            Card {
                title: w.offer_escalation.to_string(),
                buttons: vec![button(w.escalate, id)],
                ..Card::default()
            }
        }
        Reply::Laid { card } => card.clone(),
        Reply::EscalationNotSetUp { lang } => notice(words(*lang).escalation_not_set_up),
        Reply::Help { lang } => {
            let w = words(*lang);
            let mut codes: Vec<&str> = m
                .codes()
                .filter(|c| !c.bytes().all(|b| b.is_ascii_digit()))
                .collect();
            codes.sort_unstable();
            Card {
                title: w.help_title.to_string(),
                fields: vec![
                    (w.usage.to_string(), w.usage_text.to_string()),
                    (
                        w.known_codes.to_string(),
                        codes
                            .iter()
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                ],
                ..Card::default()
            }
        }
        Reply::Notice { text, .. } => notice(text),
    }
}

fn notice(text: &str) -> Card {
    Card {
        title: text.to_string(),
        ..Card::default()
    }
}

fn entry_card(e: &Entry, lang: Lang, w: &Words) -> Card {
    let ed = e.edition(lang);
    let mut fields = Vec::new();
    if !ed.cause.is_empty() {
        fields.push((w.cause.to_string(), ed.cause.clone()));
    }
    Card {
        title: headline(e, lang),
        fields,
        steps_label: w.steps.to_string(),
        first_step: 1,
        notes: ed.notes.clone(),
        links: ed
            .links
            .iter()
            .map(|l| (l.text.clone(), l.url.clone()))
            .collect(),
        full_url: e.page_url(lang),
        ..Card::default()
    }
}

fn reason_word(r: Reason, w: &Words) -> &'static str {
    match r {
        Reason::ExactCode => w.reason_exact,
        Reason::CorrectedCode => w.reason_corrected,
        Reason::NumericCode => w.reason_numeric,
        Reason::Message => w.reason_message,
        Reason::Title => w.reason_title,
        Reason::Symptom => w.reason_symptom,
        Reason::Question => w.reason_picked,
        Reason::Words => w.reason_words,
    }
}

/// Cuts text to `max` characters, with an ellipsis.
pub fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Renders a card as plain text, as the console prints it and as chat fallbacks carry it.
/// Buttons are numbered choices.
pub fn text(card: &Card) -> String {
    let mut s = String::new();
    s.push_str(&card.title);
    s.push('\n');
    for (label, value) in &card.fields {
        if value.contains('\n') || value.chars().count() > 60 {
            s.push_str(&format!("\n{label}:\n{value}\n"));
        } else {
            s.push_str(&format!("{label}: {value}\n"));
        }
    }
    if !card.steps.is_empty() {
        if !card.steps_label.is_empty() {
            s.push_str(&format!("\n{}:\n", card.steps_label));
        } else {
            s.push('\n');
        }
        for (i, step) in card.steps.iter().enumerate() {
            let mut lines = step.lines();
            s.push_str(&format!(
                "{:>2}. {}\n",
                card.first_step + i,
                lines.next().unwrap_or("")
            ));
            for l in lines {
                s.push_str(&format!("    {l}\n"));
            }
        }
    }
    if !card.notes.is_empty() {
        s.push('\n');
        for n in &card.notes {
            s.push_str(&format!("  * {n}\n"));
        }
    }
    if !card.links.is_empty() {
        s.push('\n');
        for (t, u) in &card.links {
            s.push_str(&format!("  - {t}: {u}\n"));
        }
    }
    if !card.context.is_empty() {
        s.push_str(&format!("\n({})\n", card.context));
    } else if let Some(url) = &card.full_url {
        if card.steps.is_empty() {
            s.push_str(&format!("{url}\n"));
        }
    }
    if !card.buttons.is_empty() {
        s.push('\n');
        for (i, b) in card.buttons.iter().enumerate() {
            s.push_str(&format!("  [{}] {}\n", i + 1, b.label));
        }
    }
    s
}
