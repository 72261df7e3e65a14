//! Shared by the end-to-end tests: paths of the repository, running the binary, the real
//! `serve` against the fake Slack (`slack`) and the fake Discord (`discord`), PostgreSQL
//! scratch databases and a TCP proxy that can be cut (`postgres`), escalation on Slack
//! (`slack_escalation`), the fault suite's table (`faults`).

#[path = "support/discord.rs"]
pub mod discord;
#[path = "support/faults.rs"]
pub mod faults;
#[path = "support/postgres.rs"]
pub mod postgres;
#[path = "support/slack.rs"]
pub mod slack;
#[path = "support/slack_escalation.rs"]
pub mod slack_escalation;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The repository's top folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The built binary.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_backup-bot"))
}

/// Runs the binary with `args` and `stdin`, from `dir`.
pub fn run_in(dir: &std::path::Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Runs the binary from the repository's top folder.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    run_in(&root(), args, stdin)
}

/// A fresh empty folder under the target directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Matches JSON lines through `match --jsonl`; one reply per case.
pub fn match_lines(texts: &[String]) -> Vec<serde_json::Value> {
    let input: String = texts
        .iter()
        .map(|t| serde_json::json!({ "text": t }).to_string() + "\n")
        .collect();
    let out = run(&["match", "--jsonl"], input.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
