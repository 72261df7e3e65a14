//! Error sections: the code and message labels, codes recovered from the heading when the
//! translation garbled them, and the section's cause and steps.

use super::causes::{cause_text, step_links, take_refs, Ref, StepLink};
use super::ids::is_numeric;
use super::links::resolve_links;
use super::sections::Section;
use super::steps::{cause_and_steps, inline};
use super::{Part, Source};
use crate::entry::{Localized, Message};
use crate::markdown::{self, Block};

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

/// True when the line carries an error code or error message label.
pub(super) fn has_label(line: &str) -> bool {
    !labels(line).is_empty()
}

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

/// Reads an error section; with the references it makes to subsections as its causes or steps,
/// and the links of its steps' sub-items to subsections (their steps are filled in once the
/// whole edition is read).
pub(super) fn error_section(
    sec: &Section,
    lines: &[String],
    src: &Source,
) -> (Part, Vec<Ref>, Vec<StepLink>) {
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
                    // "A / B": the message that follows belongs to the first named code.
                    let mut first_named = true;
                    for item in value
                        .split([',', '/'])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                    {
                        let code = recover_code(item, &heading_ids, &sec.anchor, &codes);
                        if !is_numeric(&code) && first_named {
                            last_code = Some(code.clone());
                            first_named = false;
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
    let (blocks, refs) = take_refs(blocks);
    let (cause, steps, notes) = if refs.is_empty() {
        cause_and_steps(&blocks, true)
    } else {
        let notes = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Note(n) => Some(inline(n)),
                _ => None,
            })
            .collect();
        (cause_text(&blocks, &refs, src.lang), vec![], notes)
    };
    let links = if refs.is_empty() {
        step_links(&steps)
    } else {
        vec![]
    };
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
    let part = Part {
        codes,
        anchor: sec.anchor.clone(),
        localized: loc,
    };
    (part, refs, links)
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

pub(super) fn clean_message(s: &str) -> String {
    let s = s.replace("**", "");
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.trim().to_string()
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::slug;

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
}
