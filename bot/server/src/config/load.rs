//! Reading the configuration: the file's TOML syntax first (an error names the line, never shows
//! it), then the file, the platforms' own variable names and the `BACKUP_BOT__` variables merged,
//! then every key checked on its own so that all the wrong ones are named at once (and left
//! out, so that the other keys' values are checked in the same run).

use super::scrub::scrub;
use super::{ids, locate, validate, Raw, Settings};
use anyhow::{anyhow, bail, Result};
use config::{Map, Value, ValueKind};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The keys that hold secrets: their values never print.
pub(super) const SECRET_KEYS: [&str; 5] = [
    "slack.bot_token",
    "slack.app_token",
    "slack.signing_secret",
    "discord.token",
    "pagerduty.routing_key",
];

/// The names the platforms' own tooling uses, read when the `BACKUP_BOT__` name is not set.
pub(super) const FALLBACKS: [(&str, &str); 4] = [
    ("SLACK_BOT_TOKEN", "slack.bot_token"),
    ("SLACK_APP_TOKEN", "slack.app_token"),
    ("SLACK_SIGNING_SECRET", "slack.signing_secret"),
    ("DISCORD_TOKEN", "discord.token"),
];

/// The keys read from a variable as comma-separated lists.
const LIST_KEYS: [&str; 5] = [
    "escalation.responders",
    "slack.channels",
    "discord.channels",
    "discord.guilds",
    "content.dirs",
];

/// The merged configuration, or the problems found reading it, and the secret values to keep
/// out of any message.
pub(super) struct Read {
    pub raw: Option<Raw>,
    pub problems: Vec<String>,
    pub secrets: Vec<String>,
}

/// Reads the file (if any) and the environment.
pub(super) fn read(path: Option<&Path>) -> anyhow::Result<Read> {
    let mut secrets: Vec<String> = FALLBACKS
        .iter()
        .filter_map(|(var, _)| std::env::var(var).ok())
        .collect();
    let mut b = config::Config::builder();
    if let Some(p) = path {
        let text = std::fs::read_to_string(p)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", p.display()))?;
        if let Err(e) = toml::from_str::<toml::Table>(&text) {
            return Ok(Read {
                raw: None,
                problems: vec![syntax(&text, &e)],
                secrets,
            });
        }
        b = b.add_source(config::File::from_str(&text, config::FileFormat::Toml));
    }
    let mut env = config::Environment::with_prefix("BACKUP_BOT")
        .prefix_separator("__")
        .separator("__")
        .list_separator(",")
        .try_parsing(true);
    for key in LIST_KEYS {
        env = env.with_list_parse_key(key);
    }
    b = b.add_source(Fallbacks).add_source(env);
    let merged = match b.build() {
        Ok(c) => c.cache,
        Err(e) => {
            return Ok(Read {
                raw: None,
                problems: vec![e.to_string()],
                secrets,
            })
        }
    };
    let table = match merged.kind {
        ValueKind::Table(t) => t,
        _ => Map::new(),
    };
    for key in SECRET_KEYS {
        if let Some(v) = lookup(&table, key) {
            secrets.push(v);
        }
    }
    let mut problems = Vec::new();
    let mut leaves = Vec::new();
    collect_leaves(&table, &mut Vec::new(), &mut leaves);
    let mut table = table;
    for (path, value) in leaves {
        if let Err(e) = Raw::deserialize(nest(&path, value)) {
            let p = describe(&path, &e.to_string());
            if !problems.contains(&p) {
                problems.push(p);
            }
            // Left out, so that the other keys' values are checked too.
            remove(&mut table, &path);
        }
    }
    let raw = match Raw::deserialize(Value::new(None, ValueKind::Table(table))) {
        Ok(raw) => Some(raw),
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    secrets.retain(|s| !s.is_empty());
    Ok(Read {
        raw,
        problems: problems.iter().map(|p| scrub(p, &secrets)).collect(),
        secrets,
    })
}

/// Reads the file (if any) and the environment into settings; every problem is named at once,
/// and no secret is shown.
pub fn load(flag: Option<&Path>) -> Result<Settings> {
    let path = locate(flag)?;
    let read = read(path.as_deref())?;
    let mut problems = read.problems;
    let settings = read
        .raw
        .map(|raw| validate(raw, path.clone(), &mut problems));
    match settings {
        Some(s) if problems.is_empty() => Ok(s),
        _ => Err(anyhow!(report(path.as_deref(), &problems, &read.secrets))),
    }
}

/// The runbook folders, for the commands that use nothing else of the configuration (`ask`,
/// `match`, `console`): a problem with another key (a platform's token, say) is said once as a
/// note and does not stop them; one with `content.*`, or a file that cannot be read, does.
pub fn load_content_dirs(flag: Option<&Path>) -> Result<Vec<PathBuf>> {
    let path = locate(flag)?;
    let read = read(path.as_deref())?;
    let mut problems = read.problems;
    let Some(settings) = read
        .raw
        .map(|raw| validate(raw, path.clone(), &mut problems))
    else {
        bail!(report(path.as_deref(), &problems, &read.secrets));
    };
    let about_content = |p: &String| p.starts_with("content.") || p.contains("`content.");
    if problems.iter().any(about_content) {
        let content: Vec<String> = problems.into_iter().filter(about_content).collect();
        bail!(report(path.as_deref(), &content, &read.secrets));
    }
    if !problems.is_empty() {
        eprintln!(
            "backup-bot: note (not used by this command): {}",
            report(path.as_deref(), &problems, &read.secrets)
        );
    }
    Ok(settings.content_dirs)
}

/// The problems as one message, secrets replaced.
fn report(path: Option<&Path>, problems: &[String], secrets: &[String]) -> String {
    let from = match path {
        Some(p) => format!(
            "configuration in {} (and BACKUP_BOT__ variables)",
            p.display()
        ),
        None => "configuration from BACKUP_BOT__ variables".to_string(),
    };
    let said = match problems {
        [one] => format!("{from}: {one}"),
        _ => {
            let mut s = format!("{from}: {} problems", problems.len());
            for p in problems {
                s.push_str("\n  - ");
                s.push_str(p);
            }
            s
        }
    };
    scrub(&said, secrets)
}

/// The platforms' own variable names as a configuration source, under the `BACKUP_BOT__`
/// variables (which win) and over the file.
#[derive(Debug, Clone)]
struct Fallbacks;

impl config::Source for Fallbacks {
    fn clone_into_box(&self) -> Box<dyn config::Source + Send + Sync> {
        Box::new(self.clone())
    }

    fn collect(&self) -> Result<Map<String, Value>, config::ConfigError> {
        let origin = "the environment".to_string();
        Ok(FALLBACKS
            .iter()
            .filter_map(|(var, key)| {
                let v = std::env::var(var).ok().filter(|v| !v.is_empty())?;
                Some((
                    key.to_string(),
                    Value::new(Some(&origin), ValueKind::String(v)),
                ))
            })
            .collect())
    }
}

/// A TOML syntax error by line and column, without the line itself (it may hold a token).
fn syntax(text: &str, e: &toml::de::Error) -> String {
    let at = match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!(" at line {line}, column {column}")
        }
        None => String::new(),
    };
    format!(
        "TOML syntax error{at}: {} (the line is not shown: it may hold a secret)",
        e.message().trim()
    )
}

/// The string at a dotted key, if any.
fn lookup(table: &Map<String, Value>, key: &str) -> Option<String> {
    let (section, name) = key.split_once('.')?;
    match &table.get(section)?.kind {
        ValueKind::Table(t) => t.get(name).map(|v| v.to_string()),
        _ => None,
    }
}

/// Every value that is not a table, with its path.
fn collect_leaves(
    table: &Map<String, Value>,
    at: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Value)>,
) {
    for (k, v) in table {
        at.push(k.clone());
        match &v.kind {
            ValueKind::Table(t) if !t.is_empty() => collect_leaves(t, at, out),
            _ => out.push((at.clone(), v.clone())),
        }
        at.pop();
    }
}

/// `table` without the value at `path` (and without the tables that leaves empty).
fn remove(table: &mut Map<String, Value>, path: &[String]) {
    match path {
        [] => {}
        [last] => {
            table.remove(last);
        }
        [first, rest @ ..] => {
            if let Some(Value {
                kind: ValueKind::Table(t),
                ..
            }) = table.get_mut(first)
            {
                remove(t, rest);
                if t.is_empty() {
                    table.remove(first);
                }
            }
        }
    }
}

/// A table holding only `value` at `path`.
fn nest(path: &[String], value: Value) -> Value {
    path.iter().rev().fold(value, |inner, k| {
        let mut m = Map::new();
        m.insert(k.clone(), inner);
        Value::new(None, ValueKind::Table(m))
    })
}

/// A key as written in the file: `channels."C0123".mode`.
fn dotted(path: &[String]) -> String {
    path.iter()
        .map(|k| {
            if !k.is_empty() && k.bytes().all(|c| c.is_ascii_lowercase() || c == b'_') {
                k.clone()
            } else {
                format!("{k:?}")
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// One key's problem, said plainly: an unknown key by its full name, a list or id by example.
fn describe(path: &[String], message: &str) -> String {
    if let Some((_, rest)) = message.split_once("unknown field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        let depth = path
            .iter()
            .position(|k| k == field)
            .map_or(path.len(), |i| i + 1);
        return format!("unknown key `{}`", dotted(&path[..depth]));
    }
    let listed = (1..=path.len())
        .map(|n| dotted(&path[..n]))
        .find_map(|k| ids::example(&k).map(|e| (k, e)));
    match listed {
        Some((key, example)) => format!("{key}: takes {example}"),
        None => format!("{}: {message}", dotted(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_names_the_line_not_its_text() {
        let text = "[slack]\nbot_token = \"xoxb-123-secret\nmode = \"socket\"\n";
        let e = toml::from_str::<toml::Table>(text).unwrap_err();
        let said = syntax(text, &e);
        assert!(said.contains("line 2"), "{said}");
        assert!(!said.contains("xoxb"), "{said}");
    }

    #[test]
    fn keys_are_named_as_written() {
        let p = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            describe(
                &p(&["slack", "bot_tokn"]),
                "unknown field `bot_tokn`, expected one of"
            ),
            "unknown key `slack.bot_tokn`"
        );
        assert_eq!(
            describe(&p(&["slak", "bot_token"]), "unknown field `slak`, expected"),
            "unknown key `slak`"
        );
        assert_eq!(
            describe(
                &p(&["channels", "C0123", "colour"]),
                "unknown field `colour`"
            ),
            "unknown key `channels.\"C0123\".colour`"
        );
        assert!(
            describe(&p(&["discord", "guilds", "a"]), "data did not match")
                .starts_with("discord.guilds: takes Discord server (guild) ids, e.g.")
        );
    }
}
