//! `escalate [note]`, `escalate CODE note` and `status`, as typed after `/backup-error` or after
//! the bot's mention.

/// An escalation command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Escalate {
    /// Escalate the thread it was typed in, with an optional note.
    Here { note: Option<String> },
    /// Escalate a code from anywhere (a new thread), with an optional note.
    Code { code: String, note: Option<String> },
    /// The open escalations of the channel.
    Status,
}

/// The longest note kept.
pub const MAX_NOTE_CHARS: usize = 500;

/// Parses `text`; `is_code` says whether a word is a known error code. `None`: not an
/// escalation command.
pub fn parse(text: &str, is_code: impl Fn(&str) -> bool) -> Option<Escalate> {
    let t = text.trim();
    let (first, rest) = split_word(t);
    match first.to_ascii_lowercase().as_str() {
        "status" if rest.is_empty() => Some(Escalate::Status),
        "escalate" => {
            let (word, after) = split_word(rest);
            if !word.is_empty() && is_code(word) {
                Some(Escalate::Code {
                    code: word.to_string(),
                    note: note(after),
                })
            } else {
                Some(Escalate::Here { note: note(rest) })
            }
        }
        _ => None,
    }
}

fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    }
}

fn note(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| crate::reply::short(s, MAX_NOTE_CHARS))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(w: &str) -> bool {
        w.eq_ignore_ascii_case("UserErrorFsFreezeFailed")
    }

    #[test]
    fn escalate_takes_a_note_a_code_or_both() {
        assert_eq!(
            parse("escalate", known),
            Some(Escalate::Here { note: None })
        );
        assert_eq!(
            parse("  Escalate  sap-01 is down  ", known),
            Some(Escalate::Here {
                note: Some("sap-01 is down".into())
            })
        );
        assert_eq!(
            parse(
                "escalate UserErrorFsFreezeFailed sap-01 since Monday",
                known
            ),
            Some(Escalate::Code {
                code: "UserErrorFsFreezeFailed".into(),
                note: Some("sap-01 since Monday".into())
            })
        );
        assert_eq!(
            parse("escalate UserErrorFsFreezeFailed", known),
            Some(Escalate::Code {
                code: "UserErrorFsFreezeFailed".into(),
                note: None
            })
        );
        assert_eq!(parse("status", known), Some(Escalate::Status));
        assert_eq!(parse("status please", known), None);
        assert_eq!(parse("escalated things", known), None);
        assert_eq!(parse("UserErrorFsFreezeFailed", known), None);
        let long = format!("escalate {}", "x ".repeat(1_000));
        match parse(&long, known) {
            Some(Escalate::Here { note: Some(n) }) => {
                assert!(n.chars().count() <= MAX_NOTE_CHARS)
            }
            other => panic!("{other:?}"),
        }
    }
}
