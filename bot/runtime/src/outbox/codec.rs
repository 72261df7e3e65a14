//! A reply as the outbox keeps it: JSON that names entries by id (positions change when the
//! content is reloaded), read back on the content of the moment. A reply whose entry is gone
//! reads back as nothing. Escalation cards (`Reply::Laid`) are not kept: their own path posts
//! them.

use backup_bot_core::Reply;
use backup_bot_index::{Candidate, Lang, Matcher, Reason};
use serde_json::{json, Value};

fn lang(l: Lang) -> &'static str {
    l.as_str()
}

fn lang_of(v: &Value) -> Option<Lang> {
    match v.as_str()? {
        "ko" => Some(Lang::Ko),
        "en" => Some(Lang::En),
        _ => None,
    }
}

const REASONS: [Reason; 8] = [
    Reason::ExactCode,
    Reason::CorrectedCode,
    Reason::NumericCode,
    Reason::Message,
    Reason::Symptom,
    Reason::Title,
    Reason::Question,
    Reason::Words,
];

fn reason_of(v: &Value) -> Option<Reason> {
    let s = v.as_str()?;
    REASONS.into_iter().find(|r| r.as_str() == s)
}

fn id(m: &Matcher, i: usize) -> Option<&str> {
    m.entries().get(i).map(|e| e.id.as_str())
}

fn ids<'m>(m: &'m Matcher, v: &[usize]) -> Option<Vec<&'m str>> {
    v.iter().map(|&i| id(m, i)).collect()
}

fn pos(m: &Matcher, v: &Value) -> Option<usize> {
    m.entry_by_id(v.as_str()?)
}

fn positions(m: &Matcher, v: &Value) -> Option<Vec<usize>> {
    v.as_array()?.iter().map(|x| pos(m, x)).collect()
}

/// `reply` (decided on `m`) as kept; `None` for a reply the outbox does not keep.
pub fn encode(m: &Matcher, reply: &Reply) -> Option<Value> {
    let v = match reply {
        Reply::Answer {
            lang: l,
            found,
            also,
            truncated,
        } => json!({
            "kind": "answer", "lang": lang(*l), "truncated": truncated, "also": ids(m, also)?,
            "entry": id(m, found.entry)?, "confidence": found.confidence,
            "reason": found.reason.as_str(), "code": found.code,
            "message": found.message.map(|(ml, i)| json!([lang(ml), i])),
            "detail": found.detail, "at": found.at,
        }),
        Reply::Suggest {
            lang: l,
            did_you_mean,
            candidates,
        } => json!({"kind": "suggest", "lang": lang(*l), "did_you_mean": did_you_mean,
                    "candidates": ids(m, candidates)?}),
        Reply::Unknown { lang: l } => json!({"kind": "unknown", "lang": lang(*l)}),
        Reply::UnknownCode {
            lang: l,
            near_codes,
            related,
        } => {
            let near: Option<Vec<Value>> = near_codes
                .iter()
                .map(|(i, c)| Some(json!([id(m, *i)?, c])))
                .collect();
            json!({"kind": "unknown_code", "lang": lang(*l), "near": near?, "related": ids(m, related)?})
        }
        Reply::Pointer {
            lang: l,
            entry,
            minutes_ago,
            earlier,
        } => json!({"kind": "pointer", "lang": lang(*l), "entry": id(m, *entry)?,
                    "minutes_ago": minutes_ago, "earlier": earlier}),
        Reply::Step {
            lang: l,
            entry,
            step,
        } => json!({"kind": "step", "lang": lang(*l), "entry": id(m, *entry)?, "step": step}),
        Reply::Thanks { lang: l } => json!({"kind": "thanks", "lang": lang(*l)}),
        Reply::OfferEscalation { lang: l, entry } => {
            json!({"kind": "offer_escalation", "lang": lang(*l), "entry": entry})
        }
        Reply::EscalationNotSetUp { lang: l } => {
            json!({"kind": "escalation_not_set_up", "lang": lang(*l)})
        }
        Reply::Help { lang: l } => json!({"kind": "help", "lang": lang(*l)}),
        Reply::Notice { lang: l, text } => {
            json!({"kind": "notice", "lang": lang(*l), "text": text})
        }
        Reply::Laid { .. } => return None,
    };
    Some(v)
}

/// A kept reply, on the content `m` of the moment; `None` when it cannot be read or an entry
/// it names is gone.
pub fn decode(m: &Matcher, v: &Value) -> Option<Reply> {
    let l = lang_of(&v["lang"])?;
    let u = |k: &str| v[k].as_u64().and_then(|n| usize::try_from(n).ok());
    Some(match v["kind"].as_str()? {
        "answer" => Reply::Answer {
            lang: l,
            found: Candidate {
                entry: pos(m, &v["entry"])?,
                confidence: v["confidence"].as_f64()? as f32,
                reason: reason_of(&v["reason"])?,
                code: v["code"].as_str().map(str::to_string),
                message: v["message"].as_array().and_then(|a| {
                    Some((
                        lang_of(a.first()?)?,
                        usize::try_from(a.get(1)?.as_u64()?).ok()?,
                    ))
                }),
                detail: v["detail"].as_str().unwrap_or_default().to_string(),
                at: u("at").unwrap_or(0),
            },
            also: positions(m, &v["also"])?,
            truncated: v["truncated"].as_bool().unwrap_or(false),
        },
        "suggest" => Reply::Suggest {
            lang: l,
            did_you_mean: v["did_you_mean"].as_bool().unwrap_or(false),
            candidates: positions(m, &v["candidates"])?,
        },
        "unknown" => Reply::Unknown { lang: l },
        "unknown_code" => Reply::UnknownCode {
            lang: l,
            near_codes: v["near"]
                .as_array()?
                .iter()
                .map(|x| Some((pos(m, &x[0])?, x[1].as_str()?.to_string())))
                .collect::<Option<Vec<_>>>()?,
            related: positions(m, &v["related"])?,
        },
        "pointer" => Reply::Pointer {
            lang: l,
            entry: pos(m, &v["entry"])?,
            minutes_ago: v["minutes_ago"].as_u64()?,
            earlier: v["earlier"].as_str()?.to_string(),
        },
        "step" => Reply::Step {
            lang: l,
            entry: pos(m, &v["entry"])?,
            step: u("step")?,
        },
        "thanks" => Reply::Thanks { lang: l },
        "offer_escalation" => Reply::OfferEscalation {
            lang: l,
            entry: v["entry"].as_str().map(str::to_string),
        },
        "escalation_not_set_up" => Reply::EscalationNotSetUp { lang: l },
        "help" => Reply::Help { lang: l },
        "notice" => Reply::Notice {
            lang: l,
            text: v["text"].as_str()?.to_string(),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn matcher() -> Matcher {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../content/entries");
        Matcher::new(backup_bot_index::load_dir(&dir).unwrap()).unwrap()
    }

    #[test]
    fn every_kept_reply_reads_back_as_it_was() {
        let m = matcher();
        let found = m
            .find("backup failed: UserErrorFsFreezeFailed")
            .best
            .unwrap();
        let korean = m
            .find("VM 에이전트가 응답하지 않습니다 UserErrorGuestAgentStatusUnavailable")
            .best
            .unwrap();
        let (a, b) = (found.entry, korean.entry);
        let replies = vec![
            Reply::Answer {
                lang: Lang::En,
                found: found.clone(),
                also: vec![b],
                truncated: true,
            },
            Reply::Answer {
                lang: Lang::Ko,
                found: korean,
                also: vec![],
                truncated: false,
            },
            Reply::Suggest {
                lang: Lang::En,
                did_you_mean: true,
                candidates: vec![a, b],
            },
            Reply::Unknown { lang: Lang::Ko },
            Reply::UnknownCode {
                lang: Lang::En,
                near_codes: vec![(a, "UserErrorFsFreezeFailed".into())],
                related: vec![b],
            },
            Reply::Pointer {
                lang: Lang::En,
                entry: a,
                minutes_ago: 4,
                earlier: "1.2".into(),
            },
            Reply::Step {
                lang: Lang::En,
                entry: a,
                step: 1,
            },
            Reply::Thanks { lang: Lang::En },
            Reply::OfferEscalation {
                lang: Lang::En,
                entry: Some(m.entries()[a].id.clone()),
            },
            Reply::EscalationNotSetUp { lang: Lang::Ko },
            Reply::Help { lang: Lang::En },
            Reply::Notice {
                lang: Lang::En,
                text: "muted for 1h".into(),
            },
        ];
        for r in replies {
            let kept = encode(&m, &r).expect("kept");
            assert_eq!(decode(&m, &kept), Some(r));
        }
        // Entries are kept by id: a content without the entry reads nothing back.
        let kept = encode(
            &m,
            &Reply::Step {
                lang: Lang::En,
                entry: a,
                step: 0,
            },
        )
        .unwrap();
        let other: Vec<_> = m
            .entries()
            .iter()
            .filter(|e| e.id != m.entries()[a].id)
            .cloned()
            .collect();
        let smaller = Matcher::new(other).unwrap();
        assert_eq!(decode(&smaller, &kept), None);
        assert_eq!(decode(&m, &json!({"kind": "nonsense", "lang": "en"})), None);
    }
}
