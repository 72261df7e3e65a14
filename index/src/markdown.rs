//! A small reader for the DocFX Markdown of the source documents: HTML remnants (`<br/>`, `<ol>`,
//! `<li>`, stray `</ol>`) turned into Markdown lines, then lines grouped into blocks (paragraphs,
//! list items, code fences, callouts, tables). Only what the importer needs.

/// A block of a section's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph; its lines joined by `\n`.
    Para(String),
    /// One top-level list item, with its nested content as Markdown lines (dedented).
    Item { numbered: bool, text: String },
    /// A fenced code block, fences included.
    Code(String),
    /// A `> [!NOTE]` callout (or any quote), without the `>` markers.
    Note(String),
    /// A table: rows of cells, the header row first, the `---` row left out.
    Table(Vec<Vec<String>>),
}

/// Turns the HTML remnants of DocFX Markdown into plain Markdown lines.
///
/// `<br>` in any spelling starts a continuation line (indented under its list item, if any);
/// `<li>` starts a list item; `<ol>`, `</ol>`, `<ul>`, `</ul>`, `</li>` go. Table rows are kept as
/// they are (their cells are read by [`cell_parts`]).
pub fn clean_lines(raw: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in raw {
        let t = line.trim_start();
        if is_fence(t) {
            in_fence = !in_fence;
            out.push(line.to_string());
            continue;
        }
        if in_fence || t.starts_with('|') || t.is_empty() {
            out.push(line.trim_end().to_string());
            continue;
        }
        let indent = line.len() - t.len();
        let marker = list_marker(t).map(|(len, _)| len).unwrap_or(0);
        let cont = " ".repeat(indent + marker);
        let item_prefix = if marker > 0 {
            format!("{}{}", " ".repeat(indent), &t[..marker])
        } else {
            format!("{}1. ", " ".repeat(indent))
        };
        let mut s = replace_ci(line, "</li>", "");
        s = replace_ci(&s, "<ol>", "\u{1}");
        s = replace_ci(&s, "<ul>", "\u{1}");
        s = replace_ci(&s, "</ul>", "\u{2}");
        s = replace_ci(&s, "</ol>", "\u{2}");
        for br in ["<br/>", "<br />", "<br>"] {
            s = replace_ci(&s, br, "\u{3}");
        }
        s = replace_ci(&s, "<li>", "\u{4}");
        if !t.starts_with('|') {
            s = s.replace(" | ", " ");
        }
        // Walk the markers: \u{1} list start, \u{2} list end, \u{3} line break, \u{4} item.
        let mut pieces: Vec<String> = Vec::new();
        let mut cur = String::new();
        let mut after_list_end = false;
        for ch in s.chars() {
            match ch {
                '\u{1}' => {}
                '\u{2}' => after_list_end = true,
                '\u{3}' => {
                    pieces.push(std::mem::take(&mut cur));
                    cur.push_str(&cont);
                }
                '\u{4}' => {
                    pieces.push(std::mem::take(&mut cur));
                    cur.push_str(&item_prefix);
                }
                c => {
                    if after_list_end && !c.is_whitespace() {
                        // Text after `</ol>` is a paragraph of its own.
                        pieces.push(std::mem::take(&mut cur));
                        pieces.push(String::new());
                        after_list_end = false;
                    }
                    cur.push(c);
                }
            }
        }
        pieces.push(cur);
        // A trailing `<br>` adds nothing.
        while pieces.len() > 1 && pieces.last().is_some_and(|p| p.trim().is_empty()) {
            pieces.pop();
        }
        let n = pieces.len();
        for (i, p) in pieces.into_iter().enumerate() {
            let mut p = p.trim_end().to_string();
            if i > 0 {
                // "<li> text": the item's text starts right after its marker.
                if let Some(rest) = p.strip_prefix(item_prefix.as_str()) {
                    p = format!("{item_prefix}{}", rest.trim_start());
                }
            }
            if p.trim().is_empty() {
                // An empty piece between two breaks is a paragraph break; elsewhere nothing.
                if i > 0 && i + 1 < n && out.last().is_some_and(|l: &String| !l.is_empty()) {
                    out.push(String::new());
                }
                continue;
            }
            out.push(p);
        }
    }
    out
}

fn replace_ci(s: &str, pat: &str, with: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (i, _) in lower.match_indices(pat) {
        out.push_str(&s[last..i]);
        out.push_str(with);
        last = i + pat.len();
    }
    out.push_str(&s[last..]);
    out
}

/// `(marker length, numbered)` when the line starts a list item.
pub fn list_marker(t: &str) -> Option<(usize, bool)> {
    if t.starts_with("* ") || t.starts_with("- ") {
        return Some((2, false));
    }
    let digits = t.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && t[digits..].starts_with(". ") {
        return Some((digits + 2, true));
    }
    None
}

fn is_fence(t: &str) -> bool {
    t.strip_prefix("```").is_some_and(|rest| {
        rest.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Groups cleaned lines into blocks.
pub fn blocks(lines: &[String]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let t = line.trim_start();
        if t.is_empty() {
            i += 1;
            continue;
        }
        if is_fence(t) {
            let (code, next) = take_fence(lines, i);
            i = next;
            out.push(Block::Code(code));
            continue;
        }
        if t.starts_with('>') {
            let mut note = Vec::new();
            while i < lines.len() && lines[i].trim_start().starts_with('>') {
                let q = lines[i].trim_start().trim_start_matches('>').trim();
                if !q.starts_with("[!") {
                    note.push(q.to_string());
                }
                i += 1;
            }
            out.push(Block::Note(note.join("\n").trim().to_string()));
            continue;
        }
        if t.starts_with('|') {
            let mut rows = Vec::new();
            while i < lines.len() && lines[i].trim_start().starts_with('|') {
                let row = lines[i].trim();
                let cells: Vec<String> = row
                    .trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_string())
                    .collect();
                if !cells
                    .iter()
                    .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
                {
                    rows.push(cells);
                }
                i += 1;
            }
            out.push(Block::Table(rows));
            continue;
        }
        if let Some((mlen, numbered)) = list_marker(t).filter(|_| indent_of(line) < 2) {
            let base = indent_of(line) + mlen;
            let mut text = vec![t[mlen..].to_string()];
            i += 1;
            while i < lines.len() {
                let l = &lines[i];
                let lt = l.trim_start();
                if lt.is_empty() {
                    // A blank line ends the item unless indented content follows.
                    let next = lines[i..].iter().find(|x| !x.trim().is_empty());
                    match next {
                        Some(nx) if indent_of(nx) >= 2 => {
                            text.push(String::new());
                            i += 1;
                            continue;
                        }
                        _ => break,
                    }
                }
                if indent_of(l) < 2 {
                    break;
                }
                let cut = indent_of(l).min(base);
                if is_fence(lt) {
                    let (code, next) = take_fence(lines, i);
                    for c in code.lines() {
                        text.push(format!("{}{c}", " ".repeat(indent_of(l) - cut)));
                    }
                    i = next;
                    continue;
                }
                text.push(l[cut..].to_string());
                i += 1;
            }
            out.push(Block::Item {
                numbered,
                text: text.join("\n").trim_end().to_string(),
            });
            continue;
        }
        let mut para = Vec::new();
        while i < lines.len() {
            let l = &lines[i];
            let lt = l.trim_start();
            if lt.is_empty() || is_fence(lt) || lt.starts_with('|') || lt.starts_with('>') {
                break;
            }
            if !para.is_empty() && list_marker(lt).is_some() && indent_of(l) < 2 {
                break;
            }
            para.push(lt.to_string());
            i += 1;
        }
        out.push(Block::Para(para.join("\n")));
    }
    out
}

fn take_fence(lines: &[String], start: usize) -> (String, usize) {
    let ind = indent_of(&lines[start]);
    let mut code = vec![lines[start].trim().to_string()];
    let mut i = start + 1;
    while i < lines.len() {
        let l = &lines[i];
        let cut = indent_of(l).min(ind);
        code.push(l[cut..].trim_end().to_string());
        i += 1;
        if is_fence(l.trim_start()) && l.trim() == "```" {
            break;
        }
    }
    (code.join("\n"), i)
}

/// Splits a table cell into its parts: top-level `<li>` items become separate parts, nested ones
/// `- ` lines inside their part, `<br>` line breaks.
pub fn cell_parts(cell: &str) -> Vec<String> {
    let mut s = cell.to_string();
    for br in ["<br/>", "<br />", "<br>"] {
        s = replace_ci(&s, br, "\u{3}");
    }
    for (tag, m) in [
        ("<ol>", '\u{1}'),
        ("<ul>", '\u{1}'),
        ("</ol>", '\u{2}'),
        ("</ul>", '\u{2}'),
        ("<li>", '\u{4}'),
        ("</li>", '\u{5}'),
    ] {
        s = replace_ci(&s, tag, &m.to_string());
    }
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    for ch in s.chars() {
        match ch {
            '\u{1}' => depth += 1,
            '\u{2}' => depth = depth.saturating_sub(1),
            '\u{5}' => {}
            '\u{3}' => cur.push('\n'),
            '\u{4}' => {
                if depth <= 1 {
                    parts.push(std::mem::take(&mut cur));
                } else {
                    cur.push_str("\n- ");
                }
            }
            c => cur.push(c),
        }
    }
    parts.push(cur);
    parts
        .into_iter()
        .map(|p| {
            p.lines()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn br_continues_a_list_item_and_li_starts_one() {
        let lines = clean_lines(&["* one.<br/>more <br><br> <li> two"]);
        assert_eq!(lines, vec!["* one.", "  more", "", "* two"]);
    }

    #[test]
    fn ol_in_a_paragraph_becomes_a_list_and_text_after_it_a_paragraph() {
        let lines = clean_lines(&["Intro. <br> <ol> <li>A. <li>B.</ol> After."]);
        let b = blocks(&lines);
        assert_eq!(b.len(), 4, "{b:?}");
        assert_eq!(b[0], Block::Para("Intro.".into()));
        assert_eq!(
            b[2],
            Block::Item {
                numbered: true,
                text: "B.".into()
            }
        );
        assert_eq!(b[3], Block::Para("After.".into()));
    }

    #[test]
    fn stray_closing_ol_is_dropped() {
        assert_eq!(
            clean_lines(&["* Mount again.</ol>"]),
            vec!["* Mount again."]
        );
    }

    #[test]
    fn nested_items_and_fences_stay_in_their_item() {
        let lines: Vec<String> = [
            "* Top:",
            "  * nested",
            "",
            "   ```console",
            "   REG ADD x",
            "   ```",
            "",
            "* Next",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let b = blocks(&lines);
        assert_eq!(b.len(), 2, "{b:?}");
        let Block::Item { text, .. } = &b[0] else {
            panic!("{b:?}")
        };
        assert!(
            text.contains("* nested") && text.contains("REG ADD x"),
            "{text}"
        );
    }

    #[test]
    fn cell_parts_split_top_level_items() {
        let parts = cell_parts("<ol><li>One <br>x<li>Two: <ul><li>a<li>b </ul><li>Three</ol>");
        assert_eq!(parts, vec!["One\nx", "Two:\n- a\n- b", "Three"]);
    }
}
