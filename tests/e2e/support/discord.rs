//! The real `serve` against the fake Discord: its command line, and the running bot, killed when
//! dropped, its log read as it comes (a full pipe would stop the bot under load).

use super::{bin, free_port, temp_dir};
use crate::fake_discord::{self as fd, FakeDiscord};
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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

/// The binary with `args`, from a fresh folder, pointed at the fake Discord.
pub fn command(fake: &FakeDiscord, args: &[&str], extra: &[(&str, &str)]) -> Command {
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

/// Starts `serve` against the fake Discord; waits until it is connected to the gateway.
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
