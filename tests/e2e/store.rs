//! The store end to end: the real `serve` against the fake Slack, killed and started again on
//! the same SQLite file; two replicas on one PostgreSQL; PostgreSQL going away for one replica;
//! `stats` on what a run left; a store that refuses.

use crate::fake_slack::FakeSlack;
use crate::support::slack::*;
use crate::support::{run_in, temp_dir};
use serde_json::Value;
use std::time::Duration;

const SKU: &str = "backup failed: UserErrorSkuNotAvailable";

fn text(call: &crate::fake_slack::Call) -> String {
    call.body["text"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_restart_on_the_same_file_keeps_claims_replies_and_walks() {
    let fake = FakeSlack::start();
    let dir = temp_dir("store-restart");
    // No storage.url: serve keeps its state in ./backup-bot.db.
    let bot = start_slack(&fake, false, &dir, &[]);
    let paste = message_event("EvR1", "1700000300.000100", PASTE);
    assert_eq!(send_event(&bot, &paste, &[]), 200);
    let posts = fake.wait_for("chat.postMessage", 1, Duration::from_secs(15));
    settle();
    let answer = posts[0].body.clone();
    let answer_ts = "1700000001.000100";
    assert!(dir.join("backup-bot.db").exists());
    // A guided walk: step 1, then step 2.
    assert_eq!(
        press(&bot, &fake, answer_ts, "1700000300.000100", "guide.start"),
        200
    );
    let posts = fake.wait_for("chat.postMessage", 2, Duration::from_secs(15));
    settle();
    assert!(
        text(&posts[1]).starts_with("Step 1/2"),
        "{}",
        text(&posts[1])
    );
    assert_eq!(action_ids(&posts[1].body)[0], "guide.next:1");
    let step1_ts = "1700000002.000100";
    assert_eq!(
        press(&bot, &fake, step1_ts, "1700000300.000100", "guide.next:1"),
        200
    );
    let posts = fake.wait_for("chat.postMessage", 3, Duration::from_secs(15));
    settle();
    assert!(
        text(&posts[2]).starts_with("Step 2/2"),
        "{}",
        text(&posts[2])
    );
    assert_eq!(
        press(
            &bot,
            &fake,
            answer_ts,
            "1700000300.000100",
            "feedback.still_failing"
        ),
        200
    );
    fake.wait_for("chat.postMessage", 4, Duration::from_secs(15));
    settle();

    // SIGKILL, and a new process on the same file.
    drop(bot);
    let bot = start_slack(&fake, false, &dir, &[]);
    // Slack retries the first event: no second reply.
    let retry = [("X-Slack-Retry-Num", "1".to_string())];
    assert_eq!(send_event(&bot, &paste, &retry), 200);
    quiet_for(&fake, "chat.postMessage", 4, Duration::from_millis(800));
    // The walk, started again, resumes at the step it had reached.
    assert_eq!(
        press(&bot, &fake, answer_ts, "1700000300.000100", "guide.start"),
        200
    );
    let posts = fake.wait_for("chat.postMessage", 5, Duration::from_secs(15));
    assert!(
        text(&posts[4]).starts_with("Step 2/2"),
        "{}",
        text(&posts[4])
    );
    // The person edits the paste: the reply is updated in place.
    assert_eq!(
        send_event(&bot, &edit_event("EvR2", "1700000300.000100", SKU), &[]),
        200
    );
    let updates = fake.wait_for("chat.update", 1, Duration::from_secs(15));
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].body["ts"], answer_ts);
    assert!(text(&updates[0]).starts_with("UserErrorSkuNotAvailable"));
    quiet_for(&fake, "chat.postMessage", 5, Duration::from_millis(300));
    assert!(answer["text"]
        .as_str()
        .unwrap()
        .starts_with("UserErrorFsFreezeFailed"));
    drop(bot);

    // `stats` reads what the run left: one answer, said to be still failing.
    let out = run_in(&dir, &["stats", "--json"], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["entries"].as_array().unwrap();
    let fs = rows
        .iter()
        .find(|r| r["entry"] == "user-error-fs-freeze-failed")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(
        (fs["answers"].as_u64(), fs["still_failing"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(fs["escalations"], 0);
    let out = run_in(&dir, &["stats", "--since", "7d"], b"");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.lines().next().unwrap().starts_with("entry"),
        "{table}"
    );
    assert!(table.contains("user-error-fs-freeze-failed"), "{table}");
}

#[test]
fn a_store_that_refuses_stops_serve_with_one_line() {
    let fake = FakeSlack::start();
    let dir = temp_dir("store-refuses");
    let out = crate::support::bin()
        .arg("serve")
        .current_dir(&dir)
        .env_remove("BACKUP_BOT_CONFIG")
        .env("BACKUP_BOT__SLACK__BOT_TOKEN", TOKEN)
        .env("BACKUP_BOT__SLACK__API_URL", fake.api_url())
        .env("BACKUP_BOT__SLACK__MODE", "http")
        .env("BACKUP_BOT__SLACK__SIGNING_SECRET", SECRET)
        .env(
            "BACKUP_BOT__STORAGE__URL",
            "sqlite:///proc/no-such-dir/bot.db",
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("storage.url")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains("sqlite:///proc/no-such-dir/bot.db"),
        "{err}"
    );
    // A malformed URL is refused before anything starts, its password hidden.
    let out = crate::support::bin()
        .args(["config", "check"])
        .current_dir(&dir)
        .env_remove("BACKUP_BOT_CONFIG")
        .env("BACKUP_BOT__STORAGE__URL", "mysql://bot:hunter2@db/x")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("mysql://bot:[redacted]@db/x"),
        "{err}"
    );
    assert!(!err.contains("hunter2"));
    // config check shows the URL with its password redacted.
    let out = crate::support::bin()
        .args(["config", "check"])
        .current_dir(&dir)
        .env_remove("BACKUP_BOT_CONFIG")
        .env("BACKUP_BOT__STORAGE__URL", "postgres://bot:hunter2@db/x")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("postgres://bot:[redacted]@db/x"), "{shown}");
    assert!(!shown.contains("hunter2"));
}
