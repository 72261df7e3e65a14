//! `backup-bot console`: the core in a terminal. A local channel: paste failures, type
//! `/backup-error …`, press buttons by their number. No tokens, no network. Reads piped input too.

use backup_bot_core::now;
use backup_bot_core::{render_text, Action, CommandCall, Core, Effect, Incoming, Message, Reply};
use backup_bot_index::Matcher;
use std::io::{BufRead, IsTerminal, Write};

const CHANNEL: &str = "console";

/// The buttons of the last message that had some.
struct Pressable {
    ts: String,
    thread_ts: Option<String>,
    ephemeral: bool,
    action_ids: Vec<String>,
}

/// Runs the console until end of input or `/quit`.
pub fn run(core: &mut Core, input: impl BufRead, mut out: impl Write) -> std::io::Result<()> {
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        writeln!(
            out,
            "backup-bot console: paste a failure, type /backup-error help, or a button's number. \
             Lines between two lines of \"\"\" are one message. /quit ends."
        )?;
    }
    let mut next_ts = 0u64;
    let mut ts = || {
        next_ts += 1;
        format!("{next_ts}")
    };
    let mut buttons: Option<Pressable> = None;
    let mut block: Option<Vec<String>> = None;
    let mut lines = input.lines();
    loop {
        if interactive && block.is_none() {
            write!(out, "> ")?;
            out.flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = line?;
        // A block between lines of `"""` is one message.
        if line.trim() == "\"\"\"" {
            match block.take() {
                None => {
                    block = Some(Vec::new());
                    continue;
                }
                Some(b) => {
                    let text = b.join("\n");
                    let incoming = Incoming::Message(message(text, ts()));
                    step(core, incoming, &mut out, &mut buttons, &mut ts)?;
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
        let incoming = if let Some(rest) = t.strip_prefix("/backup-error") {
            Incoming::Command(CommandCall {
                channel: CHANNEL.to_string(),
                user: Some("you".to_string()),
                text: rest.trim().to_string(),
            })
        } else if let Ok(n) = t.parse::<usize>() {
            match buttons
                .as_ref()
                .and_then(|b| b.action_ids.get(n.wrapping_sub(1)).map(|id| (b, id)))
            {
                Some((b, id)) => Incoming::Action(Action {
                    channel: CHANNEL.to_string(),
                    user: Some("you".to_string()),
                    action_id: id.clone(),
                    message_ts: b.ts.clone(),
                    thread_ts: b.thread_ts.clone(),
                    ephemeral: b.ephemeral,
                }),
                None => {
                    writeln!(out, "(no button [{n}] to press)")?;
                    continue;
                }
            }
        } else {
            Incoming::Message(message(line.clone(), ts()))
        };
        step(core, incoming, &mut out, &mut buttons, &mut ts)?;
    }
    if let Some(b) = block {
        // Input ended inside a block: it is still one message.
        let incoming = Incoming::Message(message(b.join("\n"), ts()));
        step(core, incoming, &mut out, &mut buttons, &mut ts)?;
    }
    Ok(())
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

fn step(
    core: &mut Core,
    incoming: Incoming,
    out: &mut impl Write,
    buttons: &mut Option<Pressable>,
    ts: &mut impl FnMut() -> String,
) -> std::io::Result<()> {
    // The content of this moment: the replies are rendered and reported with it.
    let (m, effects) = core.decide(incoming, now());
    if effects.is_empty() {
        writeln!(out, "(quiet)")?;
    }
    for effect in effects {
        match effect {
            Effect::Post {
                channel,
                thread_ts,
                reply,
                source_ts,
            } => {
                let id = ts();
                writeln!(out, "bot (in the thread):")?;
                show(&m, &reply, out)?;
                core.posted(&m, &channel, &id, &reply, source_ts.as_deref(), now());
                remember(&m, buttons, &reply, id, thread_ts, false);
            }
            Effect::Update { ts: id, reply, .. } => {
                writeln!(out, "bot (edited its reply):")?;
                show(&m, &reply, out)?;
                remember(&m, buttons, &reply, id, None, false);
            }
            Effect::Delete { .. } => {
                writeln!(out, "bot removed its reply.")?;
                *buttons = None;
            }
            Effect::Respond { reply } => {
                let id = ts();
                writeln!(out, "bot (only you see this):")?;
                show(&m, &reply, out)?;
                core.responded(&m, CHANNEL, &id, &reply);
                remember(&m, buttons, &reply, id, None, true);
            }
        }
    }
    Ok(())
}

fn show(m: &Matcher, reply: &Reply, out: &mut impl Write) -> std::io::Result<()> {
    for line in render_text(m, reply).lines() {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

fn remember(
    m: &Matcher,
    buttons: &mut Option<Pressable>,
    reply: &Reply,
    ts: String,
    thread_ts: Option<String>,
    ephemeral: bool,
) {
    let card = backup_bot_core::card(m, reply);
    if !card.buttons.is_empty() {
        *buttons = Some(Pressable {
            ts,
            thread_ts,
            ephemeral,
            action_ids: card.buttons.into_iter().map(|b| b.action_id).collect(),
        });
    }
}
