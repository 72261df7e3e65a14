//! Logs on standard error: `log.format = "human"` (the default; colour only on a terminal, and
//! never with `NO_COLOR`) or `"json"` (one object per line: `timestamp`, `level`, `target`,
//! `message` and the event's fields, such as its ids). `BACKUP_BOT_LOG` sets the level. The
//! client libraries' own logs carry payloads (pastes) and request details: they are held at
//! warnings whatever `BACKUP_BOT_LOG` says. Every line, ours or a library's, is written with
//! its URLs' passwords and queries redacted (slack-morphism logs a Socket Mode URL, one-time
//! ticket included, when it cannot connect).

use crate::config::LogFormat;
use std::io::IsTerminal as _;
use tracing_subscriber::EnvFilter;

/// Installs the log format for the whole process (the first call wins).
pub fn init(format: LogFormat) {
    let builder = tracing_subscriber::fmt()
        .with_writer(|| Redacting(std::io::stderr()))
        .with_env_filter(filter());
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
        LogFormat::Human => builder.with_ansi(colour()).try_init(),
    };
}

/// Standard error, each line's URLs redacted on the way (the formatter writes a line at once).
struct Redacting(std::io::Stderr);

impl std::io::Write for Redacting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        if text.contains("://") {
            self.0
                .write_all(crate::config::scrub::urls(&text).as_bytes())?;
        } else {
            self.0.write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Colour codes only for a person at a terminal.
fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn filter() -> EnvFilter {
    let mut f =
        EnvFilter::try_from_env("BACKUP_BOT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    for quiet in [
        "slack_morphism",
        "hyper",
        "serenity",
        "reqwest",
        "tungstenite",
    ] {
        f = f.add_directive(format!("{quiet}=warn").parse().expect("a valid directive"));
    }
    // Their reconnection loops say each failed try; the links say it once per change instead.
    for tries in [
        "slack_morphism::hyper_tokio::socket_mode",
        "serenity::gateway",
    ] {
        f = f.add_directive(format!("{tries}=off").parse().expect("a valid directive"));
    }
    f
}
