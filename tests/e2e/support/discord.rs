//! The real `serve` against the fake Discord: starting it (REST through `discord.api_url`, the
//! gateway from the fake's `GET /gateway`), a user's paste, waiting for what the fake received.

use super::{bin, free_port, temp_dir};
use crate::fake_discord::{self as fd, FakeDiscord, CHANNEL_ID};
use serde_json::Value;
use std::io::Read;
use std::process::{Child, Stdio};
use std::time::Duration;

pub const PASTE: &str =
    "2026-11-20T03:12:44Z ERROR backup job for erp-app02 failed: UserErrorFsFreezeFailed";
/// Message creation in the fake's channel.
pub const POSTS: &str = "POST /api/v10/channels/2001/messages";

/// `serve` (or another command) against the fake Discord; killed when dropped. Its log is read
/// as it comes (a full pipe would stop the bot under load).
pub struct Bot {
    pub child: Child,
    log: Option<std::thread::JoinHandle<String>>,
}

impl Bot {
    /// Stops the bot and returns what it logged.
    pub fn logs(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default()
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary with `args`, from a fresh folder, pointed at the fake, with extra variables.
pub fn command(fake: &FakeDiscord, args: &[&str], extra: &[(&str, &str)]) -> std::process::Command {
    let port = free_port();
    let dir = temp_dir(&format!("discord-{port}"));
    let mut cmd = bin();
    cmd.args(args)
        .current_dir(&dir)
        .env_remove("BACKUP_BOT_CONFIG")
        .env("BACKUP_BOT__DISCORD__TOKEN", "fake-discord-token")
        .env("BACKUP_BOT__DISCORD__API_URL", fake.origin())
        .env("BACKUP_BOT__DISCORD__APPLICATION_ID", fd::APP_ID)
        .env("BACKUP_BOT__HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .env("BACKUP_BOT_LOG", "info");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd
}

/// Starts `serve` and waits until its gateway session is up.
pub fn start(fake: &FakeDiscord, extra: &[(&str, &str)]) -> Bot {
    let mut child = command(fake, &["serve"], extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        let mut err = String::new();
        let _ = stderr.read_to_string(&mut err);
        err
    });
    let bot = Bot {
        child,
        log: Some(log),
    };
    assert!(
        fake.wait_connected(Duration::from_secs(20)),
        "the bot connects to the gateway"
    );
    bot
}

/// A message from a person in the fake's channel.
pub fn paste(id: &str, content: &str) -> Value {
    fd::message(id, CHANNEL_ID, fd::user("4001", "alice", false), content)
}

/// Lets the bot finish recording what it just posted (it does so right after Discord answers).
pub fn settle() {
    std::thread::sleep(Duration::from_millis(300));
}

/// Waits `wait`, then asserts `n` calls starting with `prefix` were made.
pub fn quiet_for(fake: &FakeDiscord, prefix: &str, n: usize, wait: Duration) {
    std::thread::sleep(wait);
    assert_eq!(
        fake.calls(prefix).len(),
        n,
        "{prefix}: {:#?}",
        fake.calls(prefix)
    );
}

/// The custom ids of a message body's buttons.
pub fn custom_ids(body: &Value) -> Vec<String> {
    body["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .map(|b| b["custom_id"].as_str().unwrap_or("").to_string())
        .collect()
}
