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

fn is_lead_in(p: &str) -> bool {
    let l = p.to_lowercase();
    p.trim_end().ends_with(':')
        && (l.contains("follow")
            || l.contains("resolve")
            || l.contains("해결")
            || l.contains("다음 단계"))
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
}
