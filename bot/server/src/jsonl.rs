//! `match --jsonl`: JSON lines in, one JSON line out per line in, same order, constant memory.

use backup_bot_core::message_of;
use backup_bot_index::{Match, Matcher};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};

/// A line longer than this gets an error reply (and is skipped without being held in memory).
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// Reads every line of `input`, writes one reply line per input line.
pub fn run(matcher: &Matcher, input: impl Read, mut out: impl Write) -> std::io::Result<()> {
    let mut input = BufReader::with_capacity(64 * 1024, input);
    let mut line: Vec<u8> = Vec::new();
    loop {
        // Flush only before the next read could wait: a stream of lines is written in blocks,
        // an interactive caller still sees each reply at once.
        if !input.buffer().contains(&b'\n') {
            out.flush()?;
        }
        line.clear();
        let (read, too_long) = read_line_capped(&mut input, &mut line, MAX_LINE_BYTES)?;
        if read == 0 {
            break;
        }
        let reply = if too_long {
            Some(json!({"error": format!("line longer than {} bytes: skipped", MAX_LINE_BYTES)}))
        } else {
            reply_for(matcher, &line)
        };
        // A blank line still gets its reply, so replies stay in step with the input.
        match reply {
            Some(v) => serde_json::to_writer(&mut out, &v)?,
            None => out.write_all(QUIET_REPLY.as_bytes())?,
        }
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// The input line: only `text` is read (other keys are allowed and ignored).
#[derive(serde::Deserialize)]
struct Input<'a> {
    #[serde(borrow)]
    text: Option<std::borrow::Cow<'a, str>>,
}

/// The reply to chatter (no match, no candidate): most lines, written without building JSON.
const QUIET_REPLY: &str = r#"{"matched":false,"entry":null,"codes":[],"title":null,"message":null,"confidence":0.0,"reason":"no match","entries":[],"candidates":[]}"#;

/// The reply to one line; `None` for [`QUIET_REPLY`].
fn reply_for(matcher: &Matcher, line: &[u8]) -> Option<Value> {
    let trimmed = trim_ascii(line);
    Some(match serde_json::from_slice::<Input>(trimmed) {
        Ok(Input { text: Some(text) }) => {
            let m = matcher.find(&text);
            if m.best.is_none() && m.candidates.is_empty() {
                return None;
            }
            match_json(matcher, &m)
        }
        Ok(Input { text: None }) => json!({"error": "missing `text`"}),
        Err(e) if e.is_data() && trimmed.starts_with(b"{") => {
            json!({"error": format!("`text` must be a string: {e}")})
        }
        Err(e) => json!({"error": format!("not a JSON object with `text`: {e}")}),
    })
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map(|i| i + 1)
        .unwrap_or(start);
    &b[start..end]
}

/// Reads one line into `buf`, keeping at most `cap` bytes; returns (bytes read, was it cut).
fn read_line_capped(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<(usize, bool)> {
    let mut read = 0;
    let mut too_long = false;
    loop {
        let avail = input.fill_buf()?;
        if avail.is_empty() {
            return Ok((read, too_long));
        }
        let (chunk, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (&avail[..=i], true),
            None => (avail, false),
        };
        let n = chunk.len();
        if !too_long {
            if buf.len() + n > cap + 1 {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        input.consume(n);
        read += n;
        if done {
            return Ok((read, too_long));
        }
    }
}

/// The match as the CLI prints it.
pub fn match_json(matcher: &Matcher, m: &Match) -> Value {
    let entries = matcher.entries();
    let candidates: Vec<Value> = m
        .candidates
        .iter()
        .map(|c| {
            let e = &entries[c.entry];
            json!({"entry": e.id, "codes": e.codes, "confidence": round(c.confidence), "reason": c.reason.as_str()})
        })
        .collect();
    match &m.best {
        Some(best) => {
            let e = &entries[best.entry];
            json!({
                "matched": true,
                "entry": e.id,
                "codes": e.codes,
                "title": e.edition(m.lang).title,
                "message": message_of(e, best, m.lang),
                "confidence": round(best.confidence),
                "reason": format!("{}: {}", best.reason.as_str(), best.detail),
                "entries": m.named.iter().map(|c| entries[c.entry].id.clone()).collect::<Vec<_>>(),
                "candidates": candidates,
            })
        }
        None => json!({
            "matched": false,
            "entry": null,
            "codes": [],
            "title": null,
            "message": null,
            "confidence": round(m.candidates.first().map(|c| c.confidence).unwrap_or(0.0)),
            "reason": "no match",
            "entries": [],
            "candidates": candidates,
        }),
    }
}

fn round(x: f32) -> f64 {
    (x as f64 * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_reader_skips_long_lines_and_keeps_going() {
        let data = format!("{}\nshort\n", "x".repeat(100));
        let mut r = std::io::BufReader::with_capacity(8, data.as_bytes());
        let mut buf = Vec::new();
        let (n, long) = read_line_capped(&mut r, &mut buf, 10).unwrap();
        assert_eq!((n, long), (101, true));
        assert!(buf.is_empty());
        buf.clear();
        let (n, long) = read_line_capped(&mut r, &mut buf, 10).unwrap();
        assert_eq!((n, long, buf.as_slice()), (6, false, &b"short\n"[..]));
        buf.clear();
        assert_eq!(read_line_capped(&mut r, &mut buf, 10).unwrap(), (0, false));
    }
}
