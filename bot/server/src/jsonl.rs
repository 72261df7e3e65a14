//! `match --jsonl`: JSON lines in, one JSON line out per line in, same order, constant memory.

use backup_bot_core::message_of;
use backup_bot_index::{Match, Matcher};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::sync::{mpsc, Mutex};

/// A line longer than this gets an error reply (and is skipped without being held in memory).
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// Lines are handed to workers in batches of at most this many lines...
const BATCH_LINES: usize = 512;
/// ... or this many bytes, so memory stays bounded whatever the input.
const BATCH_BYTES: usize = 1024 * 1024;

/// Lines of input stored end to end: one allocation per batch, not per line.
#[derive(Default)]
struct Batch {
    data: Vec<u8>,
    /// End of each line in `data`, and whether the line was too long (then it holds nothing).
    lines: Vec<(usize, bool)>,
}

impl Batch {
    fn iter(&self) -> impl Iterator<Item = Option<&[u8]>> {
        let mut start = 0;
        self.lines.iter().map(move |&(end, too_long)| {
            let line = &self.data[start..end];
            start = end;
            (!too_long).then_some(line)
        })
    }
}

/// Reads every line of `input`, writes one reply line per input line, in input order.
///
/// The reading thread cuts the input into batches; workers (one per core, at most four) match
/// them; a writer puts the replies back in order. Channels are bounded, so memory stays
/// constant however long the input is. A batch is handed out early when the input has no
/// complete line waiting, so an interactive caller gets each reply at once.
pub fn run<W: Write + Send>(matcher: &Matcher, input: impl Read, out: W) -> std::io::Result<()> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Batch)>(workers * 2);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::sync_channel::<(u64, Vec<u8>)>(workers * 2);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            scope.spawn(move || loop {
                let job = work_rx.lock().map(|rx| rx.recv());
                let Ok(Ok((seq, batch))) = job else { break };
                let mut buf = Vec::with_capacity(batch.lines.len() * 160);
                for line in batch.iter() {
                    write_reply(matcher, line, &mut buf);
                }
                if done_tx.send((seq, buf)).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        let writer = scope.spawn(move || write_in_order(done_rx, out));
        let read = read_batches(input, &work_tx);
        drop(work_tx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("writer stopped")));
        read.and(written)
    })
}

fn read_batches(input: impl Read, work: &mpsc::SyncSender<(u64, Batch)>) -> std::io::Result<()> {
    let mut input = BufReader::with_capacity(64 * 1024, input);
    let mut batch = Batch::default();
    let mut seq = 0u64;
    loop {
        let (read, too_long) = read_line_capped(&mut input, &mut batch.data, MAX_LINE_BYTES)?;
        if read == 0 {
            break;
        }
        batch.lines.push((batch.data.len(), too_long));
        let waiting = input.buffer().contains(&b'\n');
        if batch.lines.len() >= BATCH_LINES || batch.data.len() >= BATCH_BYTES || !waiting {
            if work.send((seq, std::mem::take(&mut batch))).is_err() {
                return Ok(());
            }
            seq += 1;
        }
    }
    if !batch.lines.is_empty() {
        let _ = work.send((seq, batch));
    }
    Ok(())
}

fn write_in_order(done: mpsc::Receiver<(u64, Vec<u8>)>, out: impl Write) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(256 * 1024, out);
    let mut pending: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
    let mut next = 0u64;
    for (seq, buf) in done {
        pending.insert(seq, buf);
        while let Some(buf) = pending.remove(&next) {
            out.write_all(&buf)?;
            next += 1;
        }
        if pending.is_empty() {
            out.flush()?;
        }
    }
    out.flush()
}

/// Appends the reply to one line (and a newline) to `out`.
fn write_reply(matcher: &Matcher, line: Option<&[u8]>, out: &mut Vec<u8>) {
    let reply = match line {
        None => {
            Some(json!({"error": format!("line longer than {} bytes: skipped", MAX_LINE_BYTES)}))
        }
        Some(text) => {
            // A fault in matching one line must not take the run down: that line gets an error.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reply_for(matcher, text)))
                .unwrap_or_else(|_| {
                    Some(json!({"error": "internal error while matching this line"}))
                })
        }
    };
    // A blank line still gets its reply, so replies stay in step with the input.
    match reply {
        Some(v) => {
            let _ = serde_json::to_writer(&mut *out, &v);
        }
        None => out.extend_from_slice(QUIET_REPLY.as_bytes()),
    }
    out.push(b'\n');
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

/// Appends one line to `buf`, keeping at most `cap` bytes of it: a longer line is read to its
/// end but nothing of it stays in `buf`. Returns (bytes read, was it too long).
fn read_line_capped(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<(usize, bool)> {
    let start = buf.len();
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
            if buf.len() - start + n > cap + 1 {
                too_long = true;
                buf.truncate(start);
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
        buf.extend_from_slice(b"kept");
        let (n, long) = read_line_capped(&mut r, &mut buf, 10).unwrap();
        assert_eq!((n, long), (101, true));
        assert_eq!(buf, b"kept", "what came before stays");
        let (n, long) = read_line_capped(&mut r, &mut buf, 10).unwrap();
        assert_eq!((n, long, buf.as_slice()), (6, false, &b"keptshort\n"[..]));
        assert_eq!(read_line_capped(&mut r, &mut buf, 10).unwrap(), (0, false));
    }
}
