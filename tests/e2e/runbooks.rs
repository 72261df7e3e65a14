//! A team's own runbooks, end to end: folders linted with the shipped content, answered beside
//! it, and reloaded by the running `backup-bot serve` (Slack over HTTP against the fake Slack)
//! when a file changes or on SIGHUP, keeping the old content when the new set is broken.
//! Waits poll with a deadline; no sleep is an assertion and no speed is asserted.

use crate::fake_slack::FakeSlack;
use crate::support::free_port;
use crate::support::slack::{fixture, now, request, sign, url_encode};
use crate::support::{bin, root, run, run_in, temp_dir};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "test-signing-secret";
const CODE: &str = "TeamNightlyVaultLocked";

/// A runbook entry for [`CODE`] whose title ends with `version`.
fn runbook(id: &str, code: &str, version: &str) -> String {
    format!(
        "+++\nid = \"{id}\"\nkind = \"error\"\ncodes = [\"{code}\"]\n+++\n\n<!-- en -->\n# {code} - Vault locked by the team policy ({version})\n\n## Messages\n- `{code}`: The nightly backup could not write to the vault because of the team's lock policy.\n\n## Steps\n1. Check the change-freeze calendar.\n2. Ask the on-call storage engineer for an exception.\n\n## Links\n- [Team wiki](https://wiki.example.com/backup/vault-lock)\n"
    )
}

/// The bot, running `serve` with the team's folder; killed when dropped.
struct Bot {
    child: Child,
    addr: String,
    logs: Arc<Mutex<String>>,
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Bot {
    fn start(fake: &FakeSlack, dirs: &str, watch: &str) -> Bot {
        let port = free_port();
        let mut child = bin()
            .arg("serve")
            .current_dir(temp_dir(&format!("runbooks-serve-{port}")))
            .env_remove("BACKUP_BOT_CONFIG")
            .env("BACKUP_BOT__SLACK__BOT_TOKEN", "xoxb-test-token")
            .env("BACKUP_BOT__SLACK__API_URL", fake.api_url())
            .env("BACKUP_BOT__SLACK__MODE", "http")
            .env("BACKUP_BOT__SLACK__SIGNING_SECRET", SECRET)
            .env("BACKUP_BOT__HTTP__LISTEN", format!("127.0.0.1:{port}"))
            .env("BACKUP_BOT__CONTENT__DIRS", dirs)
            .env("BACKUP_BOT__CONTENT__WATCH", watch)
            .env("BACKUP_BOT_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let logs = Arc::new(Mutex::new(String::new()));
        let err = child.stderr.take().unwrap();
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let bot = Bot {
            child,
            addr: format!("127.0.0.1:{port}"),
            logs,
        };
        until("the bot to start", || {
            request(&bot.addr, "GET", "/healthz", &[], "").0 == 200
        });
        bot
    }

    fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    /// `/backup-error TEXT`: the answer's plain text.
    fn command(&self, text: &str) -> String {
        let form = fixture("slash_command.txt").trim().replace(
            "command=/weather&text=94070",
            &format!("command=/backup-error&text={}", url_encode(text)),
        );
        let v: Value = serde_json::from_str(&self.signed("/slack/commands", &form)).unwrap();
        v["text"].as_str().unwrap_or_default().to_string()
    }

    fn signed(&self, path: &str, body: &str) -> String {
        let ts = now();
        let content_type = if body.starts_with('{') {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        let headers = [
            ("Content-Type", content_type.to_string()),
            ("X-Slack-Request-Timestamp", ts.to_string()),
            ("X-Slack-Signature", sign(SECRET, ts, body)),
        ];
        let (status, answer) = request(&self.addr, "POST", path, &headers, body);
        assert_eq!(status, 200, "{path}: {answer}");
        answer
    }

    /// Pastes `text` in a channel (an Events API message).
    fn paste(&self, event_id: &str, ts: &str, text: &str) {
        let mut v: Value = serde_json::from_str(&fixture("message.json")).unwrap();
        v["event_id"] = json!(event_id);
        v["event"]["ts"] = json!(ts);
        v["event"]["text"] = json!(text);
        self.signed("/slack/events", &v.to_string());
    }
}

/// Polls `ok` until it holds, failing after a generous deadline (the machine may be loaded).
fn until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

fn title_version(answer: &str) -> Option<String> {
    let first = answer.lines().next()?;
    let v = first.rsplit_once('(')?.1.strip_suffix(')')?;
    Some(v.to_string())
}

#[test]
fn a_runbook_is_answered_changed_live_and_a_broken_set_keeps_the_old_index() {
    let fake = FakeSlack::start();
    let dir = temp_dir("runbooks-live");
    std::fs::write(dir.join("vault.md"), runbook("team-vault", CODE, "v1")).unwrap();
    let bot = Bot::start(&fake, dir.to_str().unwrap(), "1s");

    // Answered from the folder, beside the shipped content: a command and a paste.
    let answer = bot.command(CODE);
    assert_eq!(title_version(&answer).as_deref(), Some("v1"), "{answer}");
    assert!(bot
        .command("UserErrorFsFreezeFailed")
        .starts_with("UserErrorFsFreezeFailed"));
    bot.paste(
        "EvRb1",
        "1700000700.000100",
        &format!("nightly job failed: {CODE}"),
    );
    let posts = fake.wait_for("chat.postMessage", 1, Duration::from_secs(30));
    assert!(
        posts[0].body["text"].as_str().unwrap().contains("(v1)"),
        "{}",
        posts[0].body
    );

    // Changed on disk: the running bot answers the new version, without a restart.
    std::fs::write(dir.join("vault.md"), runbook("team-vault", CODE, "v2")).unwrap();
    until("the changed runbook", || {
        title_version(&bot.command(CODE)).as_deref() == Some("v2")
    });
    // A file added: its code is known too.
    std::fs::write(
        dir.join("quota.md"),
        runbook("team-quota", "TeamSnapshotQuotaAlert", "q1"),
    )
    .unwrap();
    until("the added runbook", || {
        bot.command("TeamSnapshotQuotaAlert")
            .starts_with("TeamSnapshotQuotaAlert")
    });

    // A broken file: the old index stays, and the log says which file and line.
    std::fs::write(dir.join("broken.md"), "no front matter here").unwrap();
    std::fs::write(dir.join("vault.md"), runbook("team-vault", CODE, "v3")).unwrap();
    until("the log to say why", || {
        bot.logs().contains("content not reloaded")
    });
    let logs = bot.logs();
    assert!(logs.contains("broken.md:1: missing front matter"), "{logs}");
    assert_eq!(
        title_version(&bot.command(CODE)).as_deref(),
        Some("v2"),
        "the old index answers"
    );
    assert!(bot
        .command("TeamSnapshotQuotaAlert")
        .starts_with("TeamSnapshotQuotaAlert"));

    // Fixed: the next change loads.
    std::fs::remove_file(dir.join("broken.md")).unwrap();
    until("the fixed set", || {
        title_version(&bot.command(CODE)).as_deref() == Some("v3")
    });
    // The log never carries the paste's text.
    assert!(!bot.logs().contains("nightly job failed"));
}

#[test]
fn sighup_reloads_the_runbooks() {
    let fake = FakeSlack::start();
    let dir = temp_dir("runbooks-hup");
    std::fs::write(dir.join("vault.md"), runbook("team-vault", CODE, "v1")).unwrap();
    let bot = Bot::start(&fake, dir.to_str().unwrap(), "off");
    assert_eq!(title_version(&bot.command(CODE)).as_deref(), Some("v1"));
    std::fs::write(dir.join("vault.md"), runbook("team-vault", CODE, "v2")).unwrap();
    // Not watched: nothing changes until the signal.
    assert_eq!(title_version(&bot.command(CODE)).as_deref(), Some("v1"));
    let status = std::process::Command::new("kill")
        .args(["-HUP", &bot.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    until("the reload on SIGHUP", || {
        title_version(&bot.command(CODE)).as_deref() == Some("v2")
    });
    assert!(bot.logs().contains("content reloaded"), "{}", bot.logs());
}

#[test]
fn content_lint_checks_folders_with_the_shipped_content() {
    // The example runbook in deploy/ passes.
    let out = run(&["content", "lint", "deploy/runbooks"], b"");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // A runbook that reuses a shipped code: both files named.
    let one = temp_dir("runbooks-lint-one");
    std::fs::write(
        one.join("mine.md"),
        runbook("team-freeze", "UserErrorFsFreezeFailed", "x"),
    )
    .unwrap();
    let out = run(&["content", "lint", one.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "{}:4: duplicate code `UserErrorFsFreezeFailed` (also in shipped/user-error-fs-freeze-failed.md:",
            one.join("mine.md").display()
        )),
        "{stdout}"
    );
    // Two folders that clash with each other: both files named.
    let two = temp_dir("runbooks-lint-two");
    let three = temp_dir("runbooks-lint-three");
    std::fs::write(two.join("a.md"), runbook("team-a", CODE, "a")).unwrap();
    std::fs::write(three.join("b.md"), runbook("team-a", "TeamOther", "b")).unwrap();
    let out = run(
        &[
            "content",
            "lint",
            two.to_str().unwrap(),
            three.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "{}:2: duplicate id `team-a` (also in {})",
            three.join("b.md").display(),
            two.join("a.md").display()
        )),
        "{stdout}"
    );
    // serve refuses to start on such a set, with the same words.
    let fake = FakeSlack::start();
    let out = bin()
        .arg("serve")
        .current_dir(&one)
        .env_remove("BACKUP_BOT_CONFIG")
        .env("BACKUP_BOT__SLACK__BOT_TOKEN", "xoxb-test-token")
        .env("BACKUP_BOT__SLACK__API_URL", fake.api_url())
        .env("BACKUP_BOT__SLACK__MODE", "http")
        .env("BACKUP_BOT__SLACK__SIGNING_SECRET", SECRET)
        .env(
            "BACKUP_BOT__HTTP__LISTEN",
            format!("127.0.0.1:{}", free_port()),
        )
        .env("BACKUP_BOT__CONTENT__DIRS", one.to_str().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("duplicate code `UserErrorFsFreezeFailed`") && err.contains("mine.md:4"),
        "{err}"
    );
}

#[test]
fn ask_and_config_check_read_the_configured_folders() {
    let dir = temp_dir("runbooks-config");
    let runbooks = root().join("deploy/runbooks");
    std::fs::write(
        dir.join("backup-bot.toml"),
        format!("[content]\ndirs = [{:?}]\n", runbooks.display().to_string()),
    )
    .unwrap();
    let out = run_in(
        &dir,
        &["ask", "--json", "job failed: ExampleVaultLockedByPolicy"],
        b"",
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["entry"], "example-vault-locked-by-policy", "{v}");
    let out = run_in(&dir, &["config", "check"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "[content]\ndirs = [{:?}]\nwatch = \"2s\"",
            runbooks.display().to_string()
        )),
        "{text}"
    );
    // The console answers from them too.
    let out = run_in(
        &dir,
        &["console"],
        b"job failed: ExampleVaultLockedByPolicy\n",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Recovery Services vault locked"), "{text}");
    // A folder that does not exist is an error that names it.
    let missing = dir.join("nowhere");
    std::fs::write(
        dir.join("backup-bot.toml"),
        format!("[content]\ndirs = [{:?}]\n", missing.display().to_string()),
    )
    .unwrap();
    let out = run_in(&dir, &["ask", "x"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere"));
    assert!(Path::new(&runbooks).is_dir());
}
