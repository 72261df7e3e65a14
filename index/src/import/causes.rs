//! Error sections that list their causes (or steps) as links to subsections of the same document
//! ("**Cause 1: [The agent is installed …](#anchor)**", "**Step 1: [Remove lock …](#anchor)**"):
//! the links are taken out of the section, and the entry's steps become the linked subsections'
//! steps in order, the first step of each cause headed by it ("**Cause 2 of 5** — …"), so a walk
//! one step at a time always says which cause it is on.
//!
//! A section that does not use that form but sends the reader from a step's sub-item to a
//! subsection for the steps ("For Windows VMs follow these [steps](#anchor) …") gets the same:
//! the subsection becomes one of its causes, its steps inlined after that step.

use super::steps::inline;
use super::Part;
use crate::entry::{Lang, Localized};
use crate::markdown::Block;

/// What a reference line names: one of several causes, or one of several steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RefKind {
    Cause,
    Step,
}

/// One "**Cause N: [title](#anchor)**" or "**Step N: …**" line of an error section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Ref {
    pub kind: RefKind,
    pub title: String,
    /// The subsection the line links to; `None` when the line names its cause without a link.
    pub anchor: Option<String>,
}

/// Reads a reference line: `**Cause 2: [text](#a)**`, `**원인 2: …**`, `**Step 1: …**`,
/// `**1단계: …**` (bold optional).
pub(super) fn parse_ref(line: &str) -> Option<Ref> {
    let t = line.trim();
    let t = t.strip_prefix("**")?.trim_end();
    let t = t.strip_suffix("**").unwrap_or(t).trim();
    let numbered = |rest: &str| -> Option<usize> {
        let d = rest.bytes().take_while(u8::is_ascii_digit).count();
        (d > 0).then_some(d)
    };
    let (kind, rest) = if let Some(r) = t.strip_prefix("Cause ").or(t.strip_prefix("원인 ")) {
        (RefKind::Cause, &r[numbered(r)?..])
    } else if let Some(r) = t.strip_prefix("Step ") {
        (RefKind::Step, &r[numbered(r)?..])
    } else {
        let d = numbered(t)?;
        (RefKind::Step, t[d..].trim_start().strip_prefix("단계")?)
    };
    let rest = rest.trim_start().strip_prefix(':')?.trim();
    if rest.is_empty() {
        return None;
    }
    let linked = rest
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(')'))
        .and_then(|r| r.split_once("](#"))
        .filter(|(text, anchor)| !text.contains(']') && !anchor.contains(')'));
    Some(match linked {
        Some((text, anchor)) => Ref {
            kind,
            title: text.trim().to_string(),
            anchor: Some(anchor.trim().to_string()),
        },
        None => Ref {
            kind,
            title: rest.to_string(),
            anchor: None,
        },
    })
}

/// Takes the reference lines out of a section's paragraphs (a paragraph may mix an introduction
/// and its references, one per line). Returns the remaining blocks and the references in order.
pub(super) fn take_refs(blocks: Vec<Block>) -> (Vec<Block>, Vec<Ref>) {
    let mut refs = Vec::new();
    let mut kept = Vec::new();
    for b in blocks {
        let Block::Para(p) = &b else {
            kept.push(b);
            continue;
        };
        let mut rest: Vec<&str> = Vec::new();
        for line in p.lines() {
            match parse_ref(line) {
                Some(r) => refs.push(r),
                None => rest.push(line),
            }
        }
        if rest.len() == p.lines().count() {
            kept.push(b);
        } else if rest.iter().any(|l| !l.trim().is_empty()) {
            kept.push(Block::Para(rest.join("\n")));
        }
    }
    (kept, refs)
}

/// The cause of a section with references: its own text (paragraphs, lists), then the list of
/// causes it names, each linked to its subsection.
pub(super) fn cause_text(blocks: &[Block], refs: &[Ref], lang: Lang) -> String {
    let mut parts: Vec<String> = Vec::new();
    for b in blocks {
        match b {
            Block::Para(p) => parts.push(inline(p)),
            Block::Item { text, .. } => {
                let item = format!("- {}", inline(text).replace('\n', "\n  "));
                match parts.last_mut() {
                    Some(last) if last.starts_with("- ") => {
                        last.push('\n');
                        last.push_str(&item);
                    }
                    _ => parts.push(item),
                }
            }
            Block::Code(c) => parts.push(c.clone()),
            Block::Note(_) | Block::Table(_) => {}
        }
    }
    let causes: Vec<&Ref> = refs.iter().filter(|r| r.kind == RefKind::Cause).collect();
    if !causes.is_empty() {
        let list: Vec<String> = causes
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let label = label(RefKind::Cause, i + 1, None, lang);
                match &r.anchor {
                    Some(a) => format!("- {label}: [{}](#{a})", r.title),
                    None => format!("- {label}: {}", r.title),
                }
            })
            .collect();
        parts.push(list.join("\n"));
    }
    parts.join("\n\n")
}

/// "Cause 2", "Cause 2 of 5", "원인 2", "원인 2/5", "Step 1 of 2", "1/2단계".
fn label(kind: RefKind, n: usize, of: Option<usize>, lang: Lang) -> String {
    match (kind, lang, of) {
        (RefKind::Cause, Lang::En, None) => format!("Cause {n}"),
        (RefKind::Cause, Lang::En, Some(t)) => format!("Cause {n} of {t}"),
        (RefKind::Cause, Lang::Ko, None) => format!("원인 {n}"),
        (RefKind::Cause, Lang::Ko, Some(t)) => format!("원인 {n}/{t}"),
        (RefKind::Step, Lang::En, None) => format!("Step {n}"),
        (RefKind::Step, Lang::En, Some(t)) => format!("Step {n} of {t}"),
        (RefKind::Step, Lang::Ko, None) => format!("{n}단계"),
        (RefKind::Step, Lang::Ko, Some(t)) => format!("{n}/{t}단계"),
    }
}

/// The steps of a section with references: each linked subsection's steps in order, the first
/// one headed by its cause or step. A reference without a subsection (no link, or a link that
/// leads nowhere in this document) is one step of its own: its heading and its text.
pub(super) fn expand(refs: &[Ref], generals: &[Part], lang: Lang) -> Vec<String> {
    let mut steps = Vec::new();
    for kind in [RefKind::Cause, RefKind::Step] {
        let of_kind: Vec<&Ref> = refs.iter().filter(|r| r.kind == kind).collect();
        for (i, r) in of_kind.iter().enumerate() {
            let title = r.title.trim_end_matches(['.', ' ']);
            let head = format!(
                "**{}** — {title}.",
                label(kind, i + 1, Some(of_kind.len()), lang)
            );
            let target = r
                .anchor
                .as_deref()
                .and_then(|a| generals.iter().find(|g| g.anchor.eq_ignore_ascii_case(a)))
                .filter(|g| !g.localized.steps.is_empty());
            match target {
                Some(g) => {
                    let mut own = g.localized.steps.clone();
                    own[0] = format!("{head}\n\n{}", own[0]);
                    steps.extend(own);
                }
                None => steps.push(head),
            }
        }
    }
    steps
}

/// A sub-item of an error section's step that links to a subsection of the same document for
/// the steps: one of the section's causes, though the section does not say "Cause N".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StepLink {
    /// The step (from 0) the sub-item belongs to.
    pub step: usize,
    pub anchor: String,
}

/// The sub-items of `steps` that hold one link, to an anchor of the same document (`](#a)`).
pub(super) fn step_links(steps: &[String]) -> Vec<StepLink> {
    let mut out = Vec::new();
    for (step, s) in steps.iter().enumerate() {
        for line in s.lines().skip(1) {
            if !line.trim_start().starts_with("- ") || line.matches("](").count() != 1 {
                continue;
            }
            let Some((_, rest)) = line.split_once("](#") else {
                continue;
            };
            let anchor = rest.split(')').next().unwrap_or("").trim();
            if !anchor.is_empty() {
                out.push(StepLink {
                    step,
                    anchor: anchor.to_string(),
                });
            }
        }
    }
    out
}

/// Inlines the subsections a section's steps link to as its causes, as for a section that names
/// them: each linked sub-item leaves its step, the subsection's steps follow that step, the first
/// headed by its cause ("**Cause 1 of 2** — …"), and the cause lists them, linked. A link to no
/// subsection with steps (or to another page) stays as it is.
pub(super) fn inline_step_links(
    loc: &mut Localized,
    links: &[StepLink],
    generals: &[Part],
    lang: Lang,
) {
    let found: Vec<(&StepLink, &Part)> = links
        .iter()
        .filter_map(|l| {
            generals
                .iter()
                .find(|g| g.anchor.eq_ignore_ascii_case(&l.anchor))
                .filter(|g| !g.localized.steps.is_empty())
                .map(|g| (l, g))
        })
        .collect();
    if found.is_empty() {
        return;
    }
    let of = found.len();
    let mut steps = Vec::new();
    let mut n = 0;
    for (i, s) in loc.steps.iter().enumerate() {
        let here: Vec<&(&StepLink, &Part)> = found.iter().filter(|(l, _)| l.step == i).collect();
        let kept: Vec<&str> = s
            .lines()
            .filter(|line| !here.iter().any(|(l, _)| is_item_to(line, &l.anchor)))
            .collect();
        steps.push(kept.join("\n").trim_end().to_string());
        for (_, g) in here {
            n += 1;
            let title = g.localized.title.trim_end_matches(['.', ' ']);
            let head = format!(
                "**{}** — {title}.",
                label(RefKind::Cause, n, Some(of), lang)
            );
            let mut own = g.localized.steps.clone();
            own[0] = format!("{head}\n\n{}", own[0]);
            steps.extend(own);
        }
    }
    loc.steps = steps;
    let list: Vec<String> = found
        .iter()
        .enumerate()
        .map(|(i, (l, g))| {
            let label = label(RefKind::Cause, i + 1, None, lang);
            format!("- {label}: [{}](#{})", g.localized.title, l.anchor)
        })
        .collect();
    let list = list.join("\n");
    loc.cause = match loc.cause.trim() {
        "" => list,
        own => format!("{own}\n\n{list}"),
    };
}

/// A sub-item that links to this anchor (relative, or made absolute already).
fn is_item_to(line: &str, anchor: &str) -> bool {
    line.trim_start().starts_with("- ") && line.contains(&format!("#{anchor})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Localized;

    #[test]
    fn reference_lines_in_both_languages() {
        let r = parse_ref("**Cause 2: [The agent is out of date](#the-agent-x)**  ").unwrap();
        assert_eq!(r.kind, RefKind::Cause);
        assert_eq!(r.title, "The agent is out of date");
        assert_eq!(r.anchor.as_deref(), Some("the-agent-x"));
        let r = parse_ref("**1단계: [잠금 제거](#remove_lock)**").unwrap();
        assert_eq!(
            (r.kind, r.anchor.as_deref()),
            (RefKind::Step, Some("remove_lock"))
        );
        let r = parse_ref("**Cause 5: Backup service can't delete because of a lock**").unwrap();
        assert_eq!(r.anchor, None);
        assert!(parse_ref("**Cause**: the agent").is_none());
        assert!(parse_ref("Step 1: plain text without bold").is_none());
    }

    #[test]
    fn each_cause_brings_its_own_steps_headed_by_it() {
        let general = |anchor: &str, steps: &[&str]| Part {
            codes: vec![],
            anchor: anchor.into(),
            localized: Localized {
                steps: steps.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
        };
        let generals = [
            general("a", &["Restart it.", "Reinstall it."]),
            general("b", &["Update it."]),
        ];
        let refs = [
            parse_ref("**Cause 1: [Agent unresponsive](#a)**").unwrap(),
            parse_ref("**Cause 2: [Agent out of date.](#b)**").unwrap(),
            parse_ref("**Cause 3: A lock on the resource group**").unwrap(),
        ];
        assert_eq!(
            expand(&refs, &generals, Lang::En),
            [
                "**Cause 1 of 3** — Agent unresponsive.\n\nRestart it.",
                "Reinstall it.",
                "**Cause 2 of 3** — Agent out of date.\n\nUpdate it.",
                "**Cause 3 of 3** — A lock on the resource group.",
            ]
        );
    }

    #[test]
    fn a_steps_link_to_a_subsection_becomes_a_cause_with_its_steps() {
        let general = |anchor: &str, title: &str, steps: &[&str]| Part {
            codes: vec![],
            anchor: anchor.into(),
            localized: Localized {
                title: title.into(),
                steps: steps.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
        };
        let generals = [
            general(
                "win",
                "Agent unresponsive (Windows)",
                &["Restart it.", "Reinstall it."],
            ),
            general("lin", "Agent out of date (Linux)", &["Update it."]),
        ];
        let mut loc = Localized {
            cause: "The agent might be stopped.".into(),
            steps: vec![
                "Check the agent status; restart the agent.\n   - For Windows follow these [steps](#win).\n   - For Linux follow these [steps](#lin).".into(),
                "Check the extensions, see [this](https://example.com/x#y).".into(),
            ],
            ..Default::default()
        };
        let links = step_links(&loc.steps);
        assert_eq!(links.len(), 2, "{links:?}");
        inline_step_links(&mut loc, &links, &generals, Lang::En);
        assert_eq!(
            loc.steps,
            [
                "Check the agent status; restart the agent.",
                "**Cause 1 of 2** — Agent unresponsive (Windows).\n\nRestart it.",
                "Reinstall it.",
                "**Cause 2 of 2** — Agent out of date (Linux).\n\nUpdate it.",
                "Check the extensions, see [this](https://example.com/x#y).",
            ]
        );
        assert_eq!(
            loc.cause,
            "The agent might be stopped.\n\n- Cause 1: [Agent unresponsive (Windows)](#win)\n- Cause 2: [Agent out of date (Linux)](#lin)"
        );
        // A link that leads to no subsection stays where it is.
        let mut alone = Localized {
            steps: vec!["Do this.\n   - See [there](#nowhere).".into()],
            ..Default::default()
        };
        let links = step_links(&alone.steps);
        inline_step_links(&mut alone, &links, &generals, Lang::En);
        assert_eq!(alone.steps, ["Do this.\n   - See [there](#nowhere)."]);
    }
}
