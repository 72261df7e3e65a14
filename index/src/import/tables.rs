//! Tables. A table of error details (the jobs and restore tables: "Error details | Workaround")
//! gives one entry per row: the message (and its alternatives), then the guidance and the
//! workaround as steps. Any other table (a "Cause | Solution" table in a section) is part of its
//! section: each row becomes one step, its first cell in bold.

use super::errors::clean_message;
use super::links::resolve_links;
use super::steps::inline;
use super::{Part, Source};
use crate::entry::{Localized, Message};
use crate::markdown::{self, Block};

/// True when the header names error details: its rows are entries of their own.
pub(super) fn is_error_table(rows: &[Vec<String>]) -> bool {
    rows.first().and_then(|h| h.first()).is_some_and(|c| {
        let c = c.to_lowercase();
        c.contains("error details") || c.contains("오류 세부 정보")
    })
}

/// A table that is part of its section: each row one numbered item, the first cell in bold.
pub(super) fn row_items(rows: &[Vec<String>]) -> Vec<Block> {
    rows.iter()
        .skip(1)
        .filter_map(|cells| {
            let parts: Vec<String> = cells
                .iter()
                .map(|c| markdown::cell_parts(c).join("\n"))
                .filter(|c| !c.is_empty())
                .collect();
            let (first, rest) = parts.split_first()?;
            let head = format!("**{}**", first.trim_end_matches(['.', ' ']));
            let text = if rest.is_empty() {
                head
            } else {
                format!("{head}: {}", rest.join("\n\n"))
            };
            Some(Block::Item {
                numbered: true,
                text,
            })
        })
        .collect()
}

pub(super) fn table_row(cells: &[String], src: &Source, anchor: &str) -> Option<Part> {
    let details = cells.first()?;
    let workaround = cells.get(1).map(String::as_str).unwrap_or("");
    let mut messages = Vec::new();
    let mut steps: Vec<String> = Vec::new();
    let lowered = details
        .replace("**or**", "\u{0}")
        .replace("**OR**", "\u{0}");
    for alt in lowered.split('\u{0}') {
        let mut parts: Vec<String> = Vec::new();
        for p in markdown::cell_parts(alt) {
            if parts.is_empty() {
                parts.extend(p.lines().map(str::to_string));
            } else {
                parts.push(p);
            }
        }
        let mut it = parts.into_iter();
        if let Some(msg) = it.next() {
            let msg = clean_message(&msg.replace('\n', " "));
            let msg = msg.trim_end_matches(':').trim().to_string();
            if !msg.is_empty() {
                messages.push(Message {
                    code: None,
                    text: msg,
                });
            }
        }
        for g in it {
            let g = inline(&g);
            if !steps.contains(&g) {
                steps.push(g);
            }
        }
    }
    if !workaround.trim().eq_ignore_ascii_case("none") {
        for w in markdown::cell_parts(workaround) {
            let w = inline(&w);
            if !steps.contains(&w) {
                steps.push(w);
            }
        }
    }
    if messages.is_empty() {
        return None;
    }
    let mut loc = Localized {
        title: messages[0].text.clone(),
        messages,
        symptoms: vec![],
        cause: String::new(),
        steps,
        notes: vec![],
        links: vec![],
    };
    resolve_links(&mut loc, src);
    Some(Part {
        codes: vec![],
        anchor: anchor.to_string(),
        localized: loc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn error_tables_and_section_tables() {
        assert!(is_error_table(&table(&[&["Error details", "Workaround"]])));
        assert!(is_error_table(&table(&[&["오류 세부 정보", "해결 방법"]])));
        let t = table(&[
            &["Cause", "Solution"],
            &["The VM can't get the address.", "Enable DHCP."],
        ]);
        assert!(!is_error_table(&t));
        assert_eq!(
            row_items(&t),
            [Block::Item {
                numbered: true,
                text: "**The VM can't get the address**: Enable DHCP.".into()
            }]
        );
    }
}
