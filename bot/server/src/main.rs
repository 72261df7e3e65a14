//! The `backup-bot` binary: answers pasted backup failures; content tools.

mod config;
mod console;
mod content;
mod health;
mod jsonl;
mod listener;
mod logs;
mod serve;
mod stats;

use anyhow::{Context, Result};
use backup_bot_core::{question_reply, render_text};
use backup_bot_index::import;
use backup_bot_index::{entry, Lang};
use clap::{Parser, Subcommand};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Matching allocates many small, short-lived buffers on several threads: mimalloc serves them
/// faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub(crate) mod embedded {
    include!(concat!(env!("OUT_DIR"), "/content.rs"));
}

#[derive(Parser)]
#[command(
    name = "backup-bot",
    version,
    about = "Recognises Azure VM backup failures in pasted text and answers with the fix",
    after_help = "Examples:\n  backup-bot console\n  backup-bot ask \"error code 380008\"\n  backup-bot serve --config /etc/backup-bot/backup-bot.toml\n\n\
                  Exit codes: 0 success; 1 `content lint` found problems; 2 any other error \
                  (usage, configuration, content, a platform or the network)."
)]
struct Cli {
    /// Read entries from this folder instead of the content built into the binary.
    #[arg(long, global = true, value_name = "DIR")]
    content: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Answer a text as the bot would (a direct question: always some answer).
    #[command(
        after_help = "Examples:\n  backup-bot ask \"error code 380008\"\n  backup-bot ask --json UserErrorFsFreezeFailed\n  tail -n 50 agent.log | backup-bot ask -"
    )]
    Ask {
        /// Print the match as JSON instead of the reply.
        #[arg(long)]
        json: bool,
        /// The configuration file, for `content.dirs` (else BACKUP_BOT_CONFIG, else
        /// ./backup-bot.toml if present).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// The text (several words are joined by spaces; `-` reads standard input).
        #[arg(required = true)]
        text: Vec<String>,
    },
    /// Match JSON lines `{"text": ...}` from standard input, one JSON line out per line in.
    #[command(
        after_help = "Example:\n  printf '{\"text\": \"error code 380008\"}\\n' | backup-bot match --jsonl"
    )]
    Match {
        /// Read and write JSON lines (the only format).
        #[arg(long, required = true)]
        jsonl: bool,
        /// The configuration file, for `content.dirs`.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// A local chat in the terminal: paste failures, use /backup-error, press buttons by number.
    #[command(
        after_help = "Examples:\n  backup-bot console\n  printf 'backup failed: UserErrorFsFreezeFailed\\n1\\n' | backup-bot console"
    )]
    Console {
        /// The configuration file, for `content.dirs`.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Run the chat adapters the configuration enables, and the HTTP listener.
    #[command(
        after_help = "Example:\n  BACKUP_BOT__SLACK__BOT_TOKEN=xoxb-… BACKUP_BOT__SLACK__APP_TOKEN=xapp-… backup-bot serve\n\n\
                      Check the configuration first with `backup-bot config check`."
    )]
    Serve {
        /// The configuration file (else BACKUP_BOT_CONFIG, else ./backup-bot.toml if present).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Per entry: answers given, fixed, still failing, wrong answer; the entries that do not
    /// help first (from the store `storage.url` names).
    #[command(
        after_help = "Examples:\n  backup-bot stats\n  backup-bot stats --since 7d --json --config /etc/backup-bot/backup-bot.toml"
    )]
    Stats {
        /// How far back, such as 7d or 12h.
        #[arg(long, default_value = "30d")]
        since: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Discord tools.
    #[command(subcommand)]
    Discord(DiscordCommand),
    /// Content tools.
    #[command(subcommand)]
    Content(ContentCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Examples:\n  backup-bot completions bash > /etc/bash_completion.d/backup-bot\n  backup-bot completions zsh > \"${fpath[1]}/_backup-bot\"\n  backup-bot completions fish > ~/.config/fish/completions/backup-bot.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum DiscordCommand {
    /// Register /backup-error (a bulk overwrite: running it again changes nothing).
    #[command(
        after_help = "Example:\n  BACKUP_BOT__DISCORD__TOKEN=… BACKUP_BOT__DISCORD__GUILDS=1184721109823746048 backup-bot discord register-commands"
    )]
    RegisterCommands {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate the configuration and print it, every secret redacted; exits 0 only when
    /// `serve` would start with it.
    #[command(
        after_help = "Examples:\n  backup-bot config check --config /etc/backup-bot/backup-bot.toml\n  BACKUP_BOT__DISCORD__TOKEN=… backup-bot config check"
    )]
    Check {
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ContentCommand {
    /// Import the troubleshooting documents (DocFX Markdown) into entry files.
    #[command(after_help = "Example:\n  backup-bot content import content/sources/*/*.md")]
    Import {
        /// Source documents, any number; editions of one document share its file name
        /// (`ko-KR/x.md`, `en-US/x.md`) and are paired.
        #[arg(required = true)]
        sources: Vec<PathBuf>,
        /// Language of each source, in order (ko or en); guessed from the path when left out.
        #[arg(long)]
        lang: Vec<String>,
        /// Where to write the entry files.
        #[arg(long, default_value = "content/entries")]
        out: PathBuf,
        /// Curated symptoms (`<entry-id>.toml`) to merge; default: `symptoms` beside the output
        /// folder, when it exists.
        #[arg(long, value_name = "DIR")]
        symptoms: Option<PathBuf>,
    },
    /// Check entry folders together with the shipped content (or `--content DIR`): prints
    /// `file:line: reason` and exits non-zero on any problem, a clash between folders too.
    #[command(after_help = "Example:\n  backup-bot content lint /etc/backup-bot/runbooks")]
    Lint {
        /// The folders to check (the folder the shipped content is built from stands for it).
        #[arg(default_value = "content/entries", num_args = 1..)]
        dirs: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("backup-bot: {}", said_once(&e));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes, each said once: a cause whose text the message already holds (a
/// library's error quoted in its context) is not repeated.
fn said_once(e: &anyhow::Error) -> String {
    let mut said = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if said.contains(text.trim()) {
            continue;
        }
        if !said.is_empty() {
            said.push_str(": ");
        }
        said.push_str(&text);
    }
    said
}

/// What would stop `serve` with these settings, beyond the configuration itself: no platform,
/// content that does not load.
fn serve_problems(settings: &config::Settings, base: Option<PathBuf>) -> Vec<String> {
    let mut problems: Vec<String> = settings.missing_platform().into_iter().collect();
    let source = content::Source {
        base,
        dirs: settings.content_dirs.clone(),
    };
    if let Err(e) = source.matcher() {
        problems.push(said_once(&e));
    }
    problems
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Ask { json, config, text } => {
            let matcher = source(cli.content, config.as_deref())?.matcher()?;
            let text = if text == ["-"] {
                std::io::read_to_string(std::io::stdin()).context("reading standard input")?
            } else {
                text.join(" ")
            };
            let mut out = std::io::stdout().lock();
            if json {
                let m = matcher.ask(&text);
                writeln!(out, "{}", jsonl::match_json(&matcher, &m))?;
            } else {
                let reply = question_reply(&matcher, &text);
                write!(out, "{}", render_text(&matcher, &reply))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Match { jsonl: _, config } => {
            let matcher = source(cli.content, config.as_deref())?.matcher()?;
            jsonl::run(&matcher, std::io::stdin().lock(), std::io::stdout())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Console { config } => {
            let matcher = source(cli.content, config.as_deref())?.matcher()?;
            // With a configuration: its noise policy and its on-call setup (named, not pinged).
            let (policy, escalation) = match config.as_deref() {
                Some(path) => {
                    let settings = config::load(Some(path))?;
                    // The console is its own channel: an allow-list of chat channels is not its.
                    let mut policy = settings.policy.clone();
                    policy.allow = None;
                    (policy, serve::escalation(&settings))
                }
                None => Default::default(),
            };
            let decider = backup_bot_core::Decider::new(matcher, policy);
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting the runtime")?
                .block_on(async {
                    let state = backup_bot_runtime::State::open("memory").await?;
                    console::run(
                        decider,
                        state,
                        escalation,
                        std::io::stdin().lock(),
                        std::io::stdout(),
                    )
                    .await
                    .context("console")
                })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Config(ConfigCommand::Check { config }) => {
            let settings = config::load(config.as_deref())?;
            print!("{}", settings.redacted());
            let problems = serve_problems(&settings, cli.content);
            for p in &problems {
                eprintln!("backup-bot: serve would not start: {p}");
            }
            Ok(if problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Command::Stats {
            since,
            json,
            config,
        } => {
            let settings = config::load(config.as_deref())?;
            let secs = config::long_duration(&since)
                .with_context(|| format!("--since `{since}` is not a duration such as 30d"))?;
            print!("{}", stats::run(&settings.storage_url(), secs, json)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Discord(DiscordCommand::RegisterCommands { config }) => {
            let settings = config::load(config.as_deref())?;
            logs::init(settings.log_format);
            for c in serve::register_discord(&settings)? {
                println!("registered {c}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { config } => {
            let settings = config::load(config.as_deref())?;
            if let Some(missing) = settings.missing_platform() {
                eprintln!("backup-bot: {missing}");
                return Ok(ExitCode::from(2));
            }
            logs::init(settings.log_format);
            let source = content::Source {
                base: cli.content,
                dirs: settings.content_dirs.clone(),
            };
            serve::run(settings, source)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "backup-bot", &mut script);
            match std::io::stdout().write_all(&script) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
                _ => Ok(ExitCode::SUCCESS),
            }
        }
        Command::Content(ContentCommand::Import {
            sources,
            lang,
            out,
            symptoms,
        }) => {
            import_cmd(&sources, &lang, &out, symptoms.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Content(ContentCommand::Lint { dirs }) => {
            let source = content::Source::for_lint(cli.content, &dirs);
            let files = source.files()?;
            let problems = backup_bot_index::content::lint_set(&files);
            for p in &problems {
                println!("{p}");
            }
            if problems.is_empty() {
                let mut checked = vec![match &source.base {
                    Some(b) => b.display().to_string(),
                    None => "the shipped content".to_string(),
                }];
                checked.extend(source.dirs.iter().map(|d| d.display().to_string()));
                eprintln!(
                    "{} file(s) in {}: no problems",
                    files.len(),
                    checked.join(", ")
                );
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("{} problem(s)", problems.len());
                Ok(ExitCode::from(1))
            }
        }
    }
}

/// The content for `ask`, `match` and `console`: `--content DIR` or the shipped entries, and the
/// configuration's `content.dirs`.
fn source(base: Option<PathBuf>, config: Option<&Path>) -> Result<content::Source> {
    let dirs = config::load_content_dirs(config)?;
    Ok(content::Source { base, dirs })
}

fn import_cmd(
    sources: &[PathBuf],
    langs: &[String],
    out: &Path,
    symptoms: Option<&Path>,
) -> Result<()> {
    let mut texts = Vec::new();
    for (i, path) in sources.iter().enumerate() {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let lang = match langs.get(i) {
            Some(l) => {
                Lang::parse(l).with_context(|| format!("unknown language `{l}` (ko or en)"))?
            }
            None => guess_lang(path, &text).with_context(|| {
                format!(
                    "{}: cannot tell its language; add --lang ko or --lang en",
                    path.display()
                )
            })?,
        };
        let dir = path
            .parent()
            .and_then(|p| p.file_name())
            .map(|d| d.to_string_lossy().to_string())
            .unwrap_or_else(|| lang.locale().to_string());
        let file = path.file_name().unwrap_or_default().to_string_lossy();
        texts.push((lang, format!("{dir}/{file}"), text));
    }
    let mut entries = import::import_texts(&texts)?;
    let beside = out.parent().unwrap_or(Path::new(".")).join("symptoms");
    let symptoms_dir = symptoms.or(beside.is_dir().then_some(beside.as_path()));
    if let Some(dir) = symptoms_dir {
        let files = import::symptoms::read_dir(dir)?;
        import::symptoms::merge(&mut entries, &files)?;
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut written = 0;
    for e in &entries {
        let path = out.join(format!("{}.md", e.id));
        let text = entry::write(e);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            written += 1;
        }
    }
    let ids: std::collections::HashSet<String> =
        entries.iter().map(|e| format!("{}.md", e.id)).collect();
    for f in backup_bot_index::entry_files(out)? {
        let name = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if !ids.contains(&name) {
            eprintln!(
                "note: {} is not produced by this import (kept; retire it by hand)",
                f.display()
            );
        }
    }
    eprintln!(
        "{} entries ({} written) in {}",
        entries.len(),
        written,
        out.display()
    );
    Ok(())
}

fn guess_lang(path: &Path, text: &str) -> Option<Lang> {
    let p = path.to_string_lossy().to_lowercase();
    if p.contains("ko-kr") {
        return Some(Lang::Ko);
    }
    if p.contains("en-us") {
        return Some(Lang::En);
    }
    text.lines()
        .find_map(|l| l.strip_prefix("ms.contentlocale:"))
        .and_then(|l| Lang::parse(l.trim()))
}
