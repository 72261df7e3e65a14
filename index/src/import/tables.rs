//! Rows of the jobs and restore tables: the message (and its alternatives), then the guidance and
//! the workaround as steps.

use super::errors::clean_message;
use super::links::resolve_links;
use super::steps::inline;
use super::{Part, Source};
use crate::entry::{Localized, Message};
use crate::markdown;

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
