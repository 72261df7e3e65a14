//! A document cut at its headings: each section with its level, anchor, title, body and parent.

use super::ids::slug;

pub(super) struct Section {
    pub level: usize,
    pub anchor: String,
    pub title: String,
    pub body: Vec<String>,
    pub h2: String,
    pub parent: Option<usize>,
}

pub(super) fn strip_front_matter(text: &str) -> &str {
    let t = text.trim_start_matches('\u{feff}');
    if let Some(rest) = t.strip_prefix("---") {
        if let Some(end) = rest.find("\n---") {
            let after = &rest[end + 4..];
            return after.split_once('\n').map(|x| x.1).unwrap_or("");
        }
    }
    t
}

pub(super) fn split_sections(text: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut h2 = String::new();
    let mut in_fence = false;
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        let hashes = line.bytes().take_while(|&b| b == b'#').count();
        if !in_fence && hashes > 0 && line[hashes..].starts_with(' ') {
            let rest = line[hashes..].trim();
            let (anchor, title) = match rest
                .strip_prefix("<a name=\"")
                .and_then(|r| r.split_once("\"></a>"))
            {
                Some((a, t)) => (a.to_string(), t.trim().to_string()),
                None => (slug(rest), rest.to_string()),
            };
            // A heading ends where a trailing `<br>` would break it.
            let title = ["<br/>", "<br />", "<br>"]
                .iter()
                .fold(title, |t, br| t.replace(br, " "))
                .trim()
                .to_string();
            if hashes <= 2 {
                h2 = anchor.clone();
            }
            while stack.last().is_some_and(|&(lvl, _)| lvl >= hashes) {
                stack.pop();
            }
            let parent = stack.last().map(|&(_, i)| i);
            stack.push((hashes, out.len()));
            out.push(Section {
                level: hashes,
                anchor,
                title,
                body: vec![],
                h2: h2.clone(),
                parent,
            });
        } else if let Some(s) = out.last_mut() {
            s.body.push(line.to_string());
        }
    }
    out
}
