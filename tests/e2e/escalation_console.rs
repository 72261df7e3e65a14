//! Escalation in the console, with its numbered buttons: the whole flow (paste, walk, still
//! failing, escalate, a reminder, acknowledge, resolve), asking by mention and by command, and
//! `status`.

use crate::support::{bin, temp_dir};
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

const CONFIG: &str = "[escalation]\nslack_oncall = \"S0ONCALL\"\nslack_oncall_secondary = \"U0SECOND\"\nack_timeout = \"1s\"\n";

/// Runs the console with the configuration, typing each group of lines after a pause (so a
/// reminder can fall due), and returns what it printed.
fn session(name: &str, groups: &[&str], pause: Duration) -> String {
    let dir = temp_dir(name);
    std::fs::write(dir.join("backup-bot.toml"), CONFIG).unwrap();
    let mut child = bin()
        .args(["console", "--config", "backup-bot.toml"])
        .current_dir(&dir)
        .env_remove("BACKUP_BOT_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
    let writer = std::thread::spawn(move || {
        for g in groups {
            let _ = input.write_all(g.as_bytes());
            let _ = input.flush();
            std::thread::sleep(pause);
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_console_shows_the_whole_escalation_flow_with_numbered_buttons() {
    let out = session(
        "esc-console-flow",
        &[
            // The paste (with a secret and a broadcast), the walk's first step, still failing.
            "backup failed: UserErrorFsFreezeFailed <!channel> sig=abcdEFGH1234567890abcdEFGH12\n1\n3\n",
            // Escalate: the card with [1] I'm on it, [2] Resolve.
            "1\n",
            // (a pause: the reminder falls due) then acknowledge.
            "1\n",
            // Resolve (the console has no form: resolved at once).
            "1\n",
        ],
        Duration::from_millis(1_600),
    );
    let card_at = out
        .find("🚨 Escalated: UserErrorFsFreezeFailed")
        .expect(&out);
    let card = &out[card_at..];
    assert!(card.contains("On call: @S0ONCALL"), "{card}");
    assert!(
        card.contains("[1] I'm on it") && card.contains("[2] Resolve"),
        "{card}"
    );
    assert!(
        card.contains("sig=[masked]") && !card.contains("abcdEFGH1234567890"),
        "{card}"
    );
    assert!(
        card.contains("Steps tried") && card.contains("— you, "),
        "{card}"
    );
    assert!(out.contains("Escalated to on-call as #1."));
    // The reminder names the primary target.
    assert!(out.contains("@S0ONCALL ⏰ Escalation #1"), "{out}");
    // Acknowledged, then resolved: the card edited in place each time.
    let acked = out.find("🟠 Acknowledged").expect(&out);
    let resolved = out.find("🟢 Resolved").expect(&out);
    assert!(acked < resolved);
    assert!(out[resolved..].contains("you resolved"), "{out}");
    // No more reminders once acknowledged.
    assert!(!out[acked..].contains("⏰"), "{}", &out[acked..]);
}

#[test]
fn the_console_escalates_by_mention_and_by_command_and_lists_them() {
    let out = session(
        "esc-console-ask",
        &[
            "@backup-bot escalate sap-01 is down\n",
            "/backup-error escalate UserErrorFsFreezeFailed sap-02 since Monday\n",
            "/backup-error status\n",
        ],
        Duration::from_millis(50),
    );
    assert!(
        out.contains("🚨 Escalated: A backup failure (no troubleshooting entry named)"),
        "{out}"
    );
    assert!(out.contains("Note: sap-01 is down"), "{out}");
    assert!(out.contains("Note: sap-02 since Monday"), "{out}");
    let status = &out[out.find("Open escalations in this channel: 2").expect(&out)..];
    let first = status.find("#1 — A backup failure").expect(status);
    let second = status.find("#2 — UserErrorFsFreezeFailed").expect(status);
    assert!(first < second, "oldest first: {status}");
}
