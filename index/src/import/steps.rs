//! A section's blocks to cause, steps and notes: step headers, lead-ins, lists that belong to a
//! step, code-only paragraphs, callouts moved to the notes.

use crate::markdown::Block;

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

/// A paragraph that introduces the list after it: it ends with a colon, or (the Korean edition
/// often drops the colon) it ends with "…려면" ("to …") or speaks of what follows (다음, 아래).
fn introduces_list(p: &str) -> bool {
    let t = p.trim_end();
    t.ends_with(':')
        || t.ends_with("려면")
        || ((t.contains("다음") || t.contains("아래")) && t.ends_with('.'))
}

/// A paragraph that continues the one before it ("But …", "However, …", "그러나 …"): it is not a
/// step of its own.
fn continues(p: &str) -> bool {
    let t = p.trim_start();
    ["But ", "However,", "However ", "그러나 ", "하지만 "]
        .iter()
        .any(|w| t.starts_with(w))
}

/// Splits a section's blocks into cause, steps and notes.
pub(super) fn cause_and_steps(
    blocks: &[Block],
    with_cause: bool,
) -> (String, Vec<String>, Vec<String>) {
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
            if sentences.len() > 1 && !continues(&sentences[1]) {
                return (sentences[0].clone(), vec![sentences[1..].join(" ")], notes);
            }
            if sentences.len() > 1 {
                return (paras[0].clone(), vec![], notes);
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
    // A list that describes the cause (before any step) continues it.
    let mut list_into_cause = false;
    // A lead-in heads the first step of its list.
    let mut lead: Option<String> = None;
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
                if continues(p) {
                    if steps.is_empty() && !cause.is_empty() {
                        cause = format!("{cause}\n\n{}", inline(p));
                    } else {
                        attach_or_push(&mut steps, inline(p));
                    }
                    continue;
                }
                let next_is_list = matches!(iter.peek(), Some(Block::Item { .. }));
                let next_numbered = matches!(iter.peek(), Some(Block::Item { numbered: true, .. }));
                if introduces_list(p) && next_is_list {
                    if next_numbered {
                        lead = Some(inline(p));
                    } else if with_cause && steps.is_empty() && !cause.is_empty() {
                        cause = format!("{cause}\n\n{}", inline(p));
                        list_into_cause = true;
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
                let last_item = !matches!(iter.peek(), Some(Block::Item { .. }));
                if list_into_cause {
                    // The intro paragraph, a blank line, then the items one per line.
                    let sep = if cause.ends_with('\n') { "" } else { "\n\n" };
                    cause = format!("{cause}{sep}- {}\n", indent_rest(&text, "  "));
                    if last_item {
                        cause = cause.trim_end().to_string();
                    }
                    list_into_cause = !last_item;
                    continue;
                }
                if let Some(l) = lead.take() {
                    steps.push(format!("{l}\n\n{text}"));
                    continue;
                }
                if open_header || merge_next_list {
                    let item = format!("- {}", indent_rest(&text, "  "));
                    // Items of one list stay one list: no blank line between them.
                    match steps.last_mut() {
                        Some(last) if merge_next_list && last_line_is_item(last) => {
                            last.push('\n');
                            last.push_str(&item);
                        }
                        _ => attach_or_push(&mut steps, item),
                    }
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

/// True when the text ends inside a `- ` list item (its last unindented line starts one).
fn last_line_is_item(text: &str) -> bool {
    text.lines()
        .rev()
        .find(|l| !l.starts_with(' '))
        .is_some_and(|l| l.starts_with("- "))
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
pub(super) fn inline(s: &str) -> String {
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
#[cfg(test)]
mod tests {
    use super::*;

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

    fn para(p: &str) -> Block {
        Block::Para(p.into())
    }

    fn item(numbered: bool, t: &str) -> Block {
        Block::Item {
            numbered,
            text: t.into(),
        }
    }

    #[test]
    fn a_list_that_describes_the_cause_is_not_a_step() {
        let blocks = [
            para("This error happens because of changed permissions."),
            para("Default permissions are as follows:"),
            item(false, "Everyone: (R,W)"),
            item(false, "BUILTIN\\Administrators: (F)"),
            para("If you see other permissions, follow these steps:"),
            item(true, "Fix permissions."),
            item(true, "Trigger a backup."),
        ];
        let (cause, steps, _) = cause_and_steps(&blocks, true);
        assert_eq!(
            cause,
            "This error happens because of changed permissions.\n\nDefault permissions are as follows:\n\n- Everyone: (R,W)\n- BUILTIN\\Administrators: (F)"
        );
        assert_eq!(
            steps,
            [
                "If you see other permissions, follow these steps:\n\nFix permissions.",
                "Trigger a backup."
            ]
        );
    }

    #[test]
    fn korean_intros_without_a_colon_are_recognised() {
        let blocks = [
            para("이 오류는 권한 변경으로 인해 발생합니다."),
            para("기본 권한은 다음과 같습니다."),
            item(false, "Everyone: (R,W)"),
            para("확장을 제거하려면"),
            item(true, "**설정**을 선택합니다."),
        ];
        let (cause, steps, _) = cause_and_steps(&blocks, true);
        assert!(
            cause.ends_with("기본 권한은 다음과 같습니다.\n\n- Everyone: (R,W)"),
            "{cause}"
        );
        assert_eq!(steps, ["확장을 제거하려면\n\n**설정**을 선택합니다."]);
    }

    #[test]
    fn a_paragraph_that_continues_is_no_step() {
        let one = [para(
            "Typically the agent is present. But migrated VMs lack it.",
        )];
        let (cause, steps, _) = cause_and_steps(&one, true);
        assert_eq!(
            cause,
            "Typically the agent is present. But migrated VMs lack it."
        );
        assert!(steps.is_empty());
        let split = [
            para("Typically the agent is present."),
            item(true, "Install it."),
            para("However, classic VMs need a property set."),
            item(true, "Retry."),
        ];
        let (_, steps, _) = cause_and_steps(&split, true);
        assert_eq!(
            steps,
            [
                "Install it.\n\nHowever, classic VMs need a property set.",
                "Retry."
            ]
        );
    }
}
