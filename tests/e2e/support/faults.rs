//! The fault suite's table: every case that counts replies says its row here. A row is printed,
//! appended to `fault-table.md` in the test binary's scratch folder (which `.ci/run` prints
//! after the tests, so CI shows the whole table), and then held to the suite's promise:
//! nothing lost, nothing doubled.

use std::io::Write;
use std::path::PathBuf;

/// One case of the fault suite, as counted by its test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// What went wrong, in a few words ("429 storm, then 500s, then recovery").
    pub case: String,
    /// Events sent to the bot (retries by the platform included).
    pub events: usize,
    /// Replies the bot owed.
    pub expected: usize,
    /// Replies the platform kept (each one posted, whatever it answered).
    pub seen: usize,
    /// Threads (or sources) answered more than once.
    pub doubled: usize,
    /// Replies owed and never seen.
    pub lost: usize,
}

impl Row {
    /// The row as a line of the Markdown table.
    pub fn line(&self) -> String {
        format!(
            "| {} | {} | {} | {} | {} | {} |",
            self.case, self.events, self.expected, self.seen, self.doubled, self.lost
        )
    }
}

/// Where the rows of this run are gathered.
pub fn table_path() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fault-table.md")
}

/// Prints and keeps `row`, then asserts nothing was lost or doubled and every reply owed was seen
/// exactly once.
pub fn record(row: Row) {
    let line = row.line();
    println!("{line}");
    // One write of one line, appended: rows of tests running at once do not interleave.
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(table_path())
    {
        let _ = f.write_all(format!("{line}\n").as_bytes());
    }
    assert_eq!(
        (row.lost, row.doubled, row.seen),
        (0, 0, row.expected),
        "fault case {line}"
    );
}
