//! `backup-bot stats`: per entry, the answers given and what people said of them, the entries
//! that do not help first; a table a person reads at a glance, or JSON.

use anyhow::{Context, Result};
use backup_bot_store::{EntryStats, Store};
use std::fmt::Write as _;

/// Reads the statistics of the last `since_secs` seconds from the store `url`.
pub fn run(url: &str, since_secs: u64, json: bool) -> Result<String> {
    let rows = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?
        .block_on(async {
            let store = Store::open(url).await?;
            let since = backup_bot_core::now().saturating_sub(since_secs);
            let rows = store
                .stats(since)
                .await
                .with_context(|| format!("reading the statistics from {}", store.shown()));
            store.close().await;
            rows
        })?;
    Ok(if json {
        json_of(&rows, since_secs)
    } else {
        table(&rows, since_secs)
    })
}

fn json_of(rows: &[EntryStats], since_secs: u64) -> String {
    serde_json::json!({ "since_secs": since_secs, "entries": rows }).to_string() + "\n"
}

/// A table, the entries that do not help first, with their escalations and the median times
/// to acknowledge and to resolve them.
fn table(rows: &[EntryStats], since_secs: u64) -> String {
    let mut s = String::new();
    let days = since_secs as f64 / 86_400.0;
    if rows.is_empty() {
        let _ = writeln!(s, "no answers or feedback in the last {days:.0} day(s)");
        return s;
    }
    let width = rows
        .iter()
        .map(|r| r.entry.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        s,
        "{:<width$}  {:>7}  {:>5}  {:>13}  {:>5}  {:>11}  {:>9}  {:>10}",
        "entry",
        "answers",
        "fixed",
        "still failing",
        "wrong",
        "escalations",
        "to ack",
        "to resolve"
    );
    for r in rows {
        let _ = writeln!(
            s,
            "{:<width$}  {:>7}  {:>5}  {:>13}  {:>5}  {:>11}  {:>9}  {:>10}",
            r.entry,
            r.answers,
            r.fixed,
            r.still_failing,
            r.wrong,
            r.escalations,
            took(r.ack_secs),
            took(r.resolve_secs)
        );
    }
    let _ = writeln!(
        s,
        "{} entr{} in the last {days:.0} day(s); those that do not help first",
        rows.len(),
        if rows.len() == 1 { "y" } else { "ies" }
    );
    s
}

/// A median time as `45s`, `12m`, `3h 5m`; `-` when there is none.
fn took(secs: Option<u64>) -> String {
    match secs {
        None => "-".to_string(),
        Some(s) if s < 60 => format!("{s}s"),
        Some(s) if s < 3_600 => format!("{}m", s / 60),
        Some(s) => format!("{}h {}m", s / 3_600, s % 3_600 / 60),
    }
}
