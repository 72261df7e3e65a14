//! `backup-bot console`: the bot in a terminal, through the same runtime as the chat platforms
//! (its state in memory). A local channel: paste failures, ask `@backup-bot …`, type
//! `/backup-error …` or `/help`, press buttons by their number (while a reply has some). No tokens, no network. Reads piped input too.

use backup_bot_core::chat::Decider;
use backup_bot_core::{render_text, Action, CommandCall, Incoming, Message, Reply};
use backup_bot_index::Matcher;
use backup_bot_runtime::{Escalation, Failure, Platform, Post, RetryPolicy, Runtime, Sent, State};
use std::io::{BufRead, IsTerminal, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

const CHANNEL: &str = "console";

/// The buttons of the last message that had some.
struct Pressable {
    ts: String,
    thread_ts: Option<String>,
    ephemeral: bool,
    action_ids: Vec<String>,
}

/// The terminal: where replies are written, the next message id, the buttons to press.
struct Screen {
    out: Box<dyn Write + Send>,
    next_ts: u64,
    buttons: Option<Pressable>,
    /// What was typed, by message id (the paste an escalation keeps), the last few hundred.
    typed: std::collections::BTreeMap<u64, String>,
}

/// How many typed messages the console remembers for escalations.
const TYPED_LIMIT: usize = 256;

/// The console as a platform.
struct Console(Mutex<Screen>);

impl Console {
    fn screen(&self) -> MutexGuard<'_, Screen> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The next message id (messages and replies share one sequence).
    fn ts(&self) -> String {
        let mut s = self.screen();
        s.next_ts += 1;
        s.next_ts.to_string()
    }

    /// A message typed: its id, its text remembered.
    fn typed(&self, text: String) -> Message {
        let mut s = self.screen();
        s.next_ts += 1;
        let id = s.next_ts;
        s.typed.insert(id, text.clone());
        while s.typed.len() > TYPED_LIMIT {
            s.typed.pop_first();
        }
        message(text, id.to_string())
    }

    /// Writes a reply under `heading` and keeps its buttons.
    fn show(
        &self,
        m: &Matcher,
        heading: &str,
        reply: &Reply,
        ts: &str,
        thread_ts: Option<&str>,
        ephemeral: bool,
    ) -> Result<(), Failure> {
        let mut s = self.screen();
        writeln!(s.out, "{heading}").map_err(Failure::never)?;
        for line in render_text(m, reply).lines() {
            writeln!(s.out, "  {line}").map_err(Failure::never)?;
        }
        let card = backup_bot_core::card(m, reply);
        if !card.buttons.is_empty() {
            s.buttons = Some(Pressable {
                ts: ts.to_string(),
                thread_ts: thread_ts.map(str::to_string),
                ephemeral,
                action_ids: card.buttons.into_iter().map(|b| b.action_id).collect(),
            });
        }
        Ok(())
    }
}

impl Platform for Console {
    type Context = ();

    fn name(&self) -> &'static str {
        "console"
    }

    fn kind(&self) -> backup_bot_core::escalation::Platform {
        backup_bot_core::escalation::Platform::Console
    }

    async fn read_paste(&self, _: &str, thread: &str) -> Result<Option<String>, Failure> {
        let id: u64 = thread.parse().map_err(Failure::never)?;
        Ok(self.screen().typed.get(&id).cloned())
    }

    fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            first: Duration::from_millis(10),
            times: 0,
        }
    }

    async fn send(&self, m: &Matcher, post: &Post<'_>) -> Result<Sent, Failure> {
        let id = self.ts();
        self.show(
            m,
            "bot (in the thread):",
            post.reply,
            &id,
            post.thread_ts,
            false,
        )?;
        Ok(Sent {
            channel: post.channel.to_string(),
            ts: id,
        })
    }

    async fn update(&self, m: &Matcher, _: &str, ts: &str, reply: &Reply) -> Result<(), Failure> {
        self.show(m, "bot (edited its reply):", reply, ts, None, false)
    }

    async fn delete(&self, _: &str, _: &str) -> Result<(), Failure> {
        let mut s = self.screen();
        writeln!(s.out, "bot removed its reply.").map_err(Failure::never)?;
        s.buttons = None;
        Ok(())
    }

    async fn respond(&self, m: &Matcher, _: &(), reply: &Reply) -> Result<Option<Sent>, Failure> {
        let id = self.ts();
        self.show(m, "bot (only you see this):", reply, &id, None, true)?;
        Ok(Some(Sent {
            channel: CHANNEL.to_string(),
            ts: id,
        }))
    }
}

/// Runs the console until end of input or `/quit`.
pub async fn run(
    decider: Decider,
    state: Arc<State>,
    escalation: Arc<Escalation>,
    mut input: impl BufRead,
    out: impl Write + Send + 'static,
) -> std::io::Result<()> {
    let runtime = Runtime::new(
        Arc::new(decider),
        state,
        Console(Mutex::new(Screen {
            out: Box::new(out),
            next_ts: 0,
            buttons: None,
            typed: Default::default(),
        })),
        escalation,
    );
    let console = runtime.platform();
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        writeln!(
            console.screen().out,
            "backup-bot console: paste a failure, ask @backup-bot …, type /backup-error help (or /help), \
             or a button's number. \
             Lines between two lines of \"\"\" are one message. /quit ends."
        )?;
    }
    let mut block: Option<Vec<String>> = None;
    loop {
        if interactive && block.is_none() {
            let mut s = console.screen();
            write!(s.out, "> ")?;
            s.out.flush()?;
        }
        // A line that is not UTF-8 is read lossily: one bad byte never ends the session.
        let mut raw = Vec::new();
        if input.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&raw)
            .trim_end_matches(['\n', '\r'])
            .to_string();
        // Reminders of unacknowledged escalations that fell due while waiting for this line.
        runtime.remind_due().await;
        // A block between lines of `"""` is one message.
        if line.trim() == "\"\"\"" {
            match block.take() {
                None => {
                    block = Some(Vec::new());
                    continue;
                }
                Some(b) => {
                    let text = b.join("\n");
                    let incoming = Incoming::Message(console.typed(text));
                    step(&runtime, incoming).await?;
                    continue;
                }
            }
        }
        if let Some(b) = block.as_mut() {
            b.push(line);
            continue;
        }
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if t == "/quit" || t == "/exit" {
            break;
        }
        let waiting = console.screen().buttons.is_some();
        let incoming = if let Some(rest) = command_text(t) {
            Incoming::Command(CommandCall {
                channel: CHANNEL.to_string(),
                user: Some("you".to_string()),
                text: rest.to_string(),
                ..Default::default()
            })
        } else if let Some(question) = t.strip_prefix(MENTION) {
            // A mention: a direct question, as in a channel.
            Incoming::Message(Message {
                direct: true,
                ..console.typed(question.trim().to_string())
            })
        } else if let (true, Ok(n)) = (waiting, t.parse::<usize>()) {
            // A number is a button press only while a reply with buttons waits.
            let pressed = console.screen().buttons.as_ref().and_then(|b| {
                b.action_ids.get(n.wrapping_sub(1)).map(|id| Action {
                    channel: CHANNEL.to_string(),
                    user: Some("you".to_string()),
                    action_id: id.clone(),
                    message_ts: b.ts.clone(),
                    thread_ts: b.thread_ts.clone(),
                    ephemeral: b.ephemeral,
                    ..Default::default()
                })
            });
            match pressed {
                Some(a) => Incoming::Action(a),
                None => {
                    writeln!(console.screen().out, "(no button [{n}] to press)")?;
                    continue;
                }
            }
        } else {
            Incoming::Message(console.typed(line.clone()))
        };
        step(&runtime, incoming).await?;
    }
    if let Some(b) = block {
        // Input ended inside a block: it is still one message.
        let incoming = Incoming::Message(console.typed(b.join("\n")));
        step(&runtime, incoming).await?;
    }
    Ok(())
}

/// How the bot is mentioned in the console.
const MENTION: &str = "@backup-bot";

/// The command's text, for `/backup-error …` and `/help` (a channel's own help command).
fn command_text(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("/backup-error") {
        if rest.is_empty() || rest.starts_with(char::is_whitespace) {
            return Some(rest.trim());
        }
    }
    (line == "/help").then_some("help")
}

fn message(text: String, ts: String) -> Message {
    Message {
        channel: CHANNEL.to_string(),
        user: Some("you".to_string()),
        ts,
        text,
        ..Message::default()
    }
}

async fn step(runtime: &Runtime<Console>, incoming: Incoming) -> std::io::Result<()> {
    if runtime.handle(incoming, None, &()).await == 0 {
        writeln!(runtime.platform().screen().out, "(quiet)")?;
    }
    runtime.platform().screen().out.flush()
}
