//! Rendering is a pure function: a core [`Card`] becomes Block Kit blocks and a fallback text,
//! within Slack's limits (at most 50 blocks, section text at most 3,000 characters, header at most
//! 150, button text at most 75). Every piece of text passes through the one sanitiser; the
//! card's `pings` (an escalation's on-call targets) are the only mentions written, unsanitised,
//! at the start of the first section and of the fallback text.

use backup_bot_core::escalation::{Platform, Target};
use backup_bot_core::sanitize;
use backup_bot_core::Card;
use slack_morphism::prelude::*;

pub const MAX_BLOCKS: usize = 50;
pub const MAX_SECTION: usize = 3000;
pub const MAX_HEADER: usize = 150;
pub const MAX_BUTTON: usize = 75;
/// Fallback text is cut here (Slack truncates long `text` anyway).
pub const MAX_FALLBACK: usize = 3000;

/// A rendered message: blocks and the `text` fallback.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub blocks: Vec<SlackBlock>,
    pub text: String,
}

impl Rendered {
    pub fn content(&self) -> SlackMessageContent {
        SlackMessageContent::new()
            .with_text(self.text.clone())
            .with_blocks(self.blocks.clone())
    }
}

use backup_bot_core::reply::short as cut;

/// Content Markdown to Slack mrkdwn, sanitised: escaping first, then `**b**` → `*b*`,
/// `[t](u)` → `<u|t>`, fence languages dropped.
pub fn mrkdwn(md: &str) -> String {
    let escaped = sanitize::slack(md);
    let mut out = String::with_capacity(escaped.len());
    for (i, line) in escaped.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let t = line.trim_start();
        if t.starts_with("```") {
            out.push_str(&line[..line.len() - t.len()]);
            out.push_str("```");
            continue;
        }
        out.push_str(&links(&line.replace("**", "*")));
    }
    out
}

/// `[text](url)` → `<url|text>`.
fn links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let Some(mid) = rest[open..].find("](").map(|m| open + m) else {
            break;
        };
        let Some(end) = rest[mid + 2..].find(')').map(|e| mid + 2 + e) else {
            break;
        };
        let text = &rest[open + 1..mid];
        let url = &rest[mid + 2..end];
        if text.contains('[') || !(url.starts_with("https://") || url.starts_with("http://")) {
            out.push_str(&rest[..open + 1]);
            rest = &rest[open + 1..];
            continue;
        }
        out.push_str(&rest[..open]);
        out.push_str(&format!("<{url}|{}>", text.replace('|', "/")));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn section(text: String) -> SlackBlock {
    SlackBlock::Section(
        SlackSectionBlock::new()
            .with_text(SlackBlockText::MarkDown(SlackBlockMarkDownText::new(text))),
    )
}

/// A section for `md`, shortened with a pointer to the full entry when it is too long.
fn section_md(md: &str, full: Option<&str>) -> SlackBlock {
    let text = mrkdwn(md);
    if text.chars().count() <= MAX_SECTION {
        return section(text);
    }
    let more = match full {
        Some(u) => format!("… <{}|full entry>", sanitize::slack(u)),
        None => "…".to_string(),
    };
    let keep = MAX_SECTION - more.chars().count() - 1;
    section(format!("{}\n{more}", cut_mrkdwn(&text, keep)))
}

/// Mrkdwn cut to at most `room` characters: never inside a `<url|text>` link (the only `<` that
/// mrkdwn leaves), and a code fence left open is closed within the room.
fn cut_mrkdwn(text: &str, room: usize) -> String {
    let take = |n: usize| {
        let mut t: String = text.chars().take(n).collect();
        if let Some(open) = t.rfind('<') {
            if !t[open..].contains('>') {
                t.truncate(open);
            }
        }
        t
    };
    let t = take(room);
    if t.matches("```").count() % 2 == 0 {
        return t;
    }
    let mut t = take(room.saturating_sub(4));
    if t.matches("```").count() % 2 == 1 {
        t.push_str("\n```");
    }
    t
}

/// Renders a card.
pub fn card(c: &Card) -> Rendered {
    let full = c.full_url.as_deref();
    let mut blocks: Vec<SlackBlock> = Vec::new();
    let has_body = !c.fields.is_empty() || !c.steps.is_empty() || !c.links.is_empty();
    if has_body {
        blocks.push(SlackBlock::Header(SlackHeaderBlock::new(
            SlackBlockPlainTextOnly::from(cut(&sanitize::slack(&c.title), MAX_HEADER)),
        )));
    } else {
        blocks.push(section_md(&c.title, full));
    }
    for (label, value) in &c.fields {
        let quoted: Vec<String> = value.lines().map(|l| format!("> {l}")).collect();
        blocks.push(section_md(
            &format!("**{label}**\n{}", quoted.join("\n")),
            full,
        ));
    }
    if !c.steps.is_empty() {
        // Room for steps: what is left of the 50 blocks after the rest of the card.
        let tail = usize::from(!c.notes.is_empty())
            + usize::from(!c.links.is_empty())
            + usize::from(!c.context.is_empty())
            + c.buttons.len().div_ceil(5)
            + 1;
        let room = MAX_BLOCKS.saturating_sub(blocks.len() + tail).max(1);
        if !c.steps_label.is_empty() {
            blocks.push(section_md(&format!("**{}**", c.steps_label), full));
        }
        let room = room
            .saturating_sub(usize::from(!c.steps_label.is_empty()))
            .max(1);
        for (i, step) in c.steps.iter().enumerate() {
            let n = c.first_step + i;
            if i + 1 == room && i + 1 < c.steps.len() {
                let rest: Vec<String> = c.steps[i..]
                    .iter()
                    .enumerate()
                    .map(|(k, s)| format!("**{}.** {s}", n + k))
                    .collect();
                blocks.push(section_md(&rest.join("\n\n"), full));
                break;
            }
            blocks.push(section_md(&format!("**{n}.** {step}"), full));
        }
    }
    if !c.notes.is_empty() {
        let notes: Vec<String> = c.notes.iter().map(|n| format!("• {n}")).collect();
        blocks.push(section_md(&notes.join("\n"), full));
    }
    if !c.links.is_empty() {
        let links: Vec<String> = c
            .links
            .iter()
            .map(|(t, u)| format!("• [{t}]({u})"))
            .collect();
        blocks.push(section_md(&links.join("\n"), full));
    }
    if !c.context.is_empty() {
        blocks.push(SlackBlock::Context(SlackContextBlock::new(vec![
            SlackContextBlockElement::MarkDown(SlackBlockMarkDownText::new(cut_mrkdwn(
                &mrkdwn(&c.context),
                MAX_SECTION,
            ))),
        ])));
    }
    for row in c.buttons.chunks(5) {
        let elements = row
            .iter()
            .map(|b| {
                SlackActionBlockElement::Button(
                    SlackBlockButtonElement::new(SlackBlockPlainTextOnly::from(cut(
                        &sanitize::slack(&b.label),
                        MAX_BUTTON,
                    )))
                    .with_action_id(b.action_id.clone().into())
                    .with_value(b.action_id.clone()),
                )
            })
            .collect();
        blocks.push(SlackBlock::Actions(SlackActionsBlock::new(elements)));
    }
    let pings = mentions(&c.pings);
    if !pings.is_empty() {
        ping_first_section(&mut blocks, &pings);
    }
    blocks.truncate(MAX_BLOCKS);
    let text = sanitize::slack(&backup_bot_core::reply::text(c));
    let text = if pings.is_empty() {
        text
    } else {
        format!("{pings} {text}")
    };
    Rendered {
        blocks,
        text: cut(&text, MAX_FALLBACK),
    }
}

/// The Slack mentions of `pings` (a user group `<!subteam^S…>`, a user `<@U…>`); other
/// platforms' targets, and any id that is not a plain Slack id, are left out.
pub fn mentions(pings: &[Target]) -> String {
    let plain = |id: &str| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    let mut out: Vec<String> = Vec::new();
    for t in pings.iter().filter(|t| t.platform() == Platform::Slack) {
        let ok = match t {
            Target::SlackGroup(id) | Target::SlackUser(id) => plain(id),
            _ => false,
        };
        let m = t.mention();
        if ok && !out.contains(&m) {
            out.push(m);
        }
    }
    out.join(" ")
}

/// Writes `pings` at the start of the first section (a section of its own after the header
/// when there is none, or when the first one has no room left).
fn ping_first_section(blocks: &mut Vec<SlackBlock>, pings: &str) {
    let first = blocks
        .iter()
        .position(|b| matches!(b, SlackBlock::Section(_)));
    if let Some(i) = first {
        if let SlackBlock::Section(SlackSectionBlock {
            text: Some(SlackBlockText::MarkDown(md)),
            ..
        }) = &mut blocks[i]
        {
            if md.text.chars().count() + pings.chars().count() < MAX_SECTION {
                md.text = format!("{pings} {}", md.text);
                return;
            }
        }
    }
    let at = usize::from(matches!(blocks.first(), Some(SlackBlock::Header(_))));
    blocks.insert(at, section(pings.to_string()));
}

/// The blocks as Slack's wire JSON.
pub fn blocks_json(r: &Rendered) -> serde_json::Value {
    serde_json::to_value(&r.blocks).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_mrkdwn_and_user_text_is_inert() {
        assert_eq!(
            mrkdwn("**Bold** and [a link](https://x.test/a?b=1&c=2)"),
            "*Bold* and <https://x.test/a?b=1&amp;c=2|a link>"
        );
        assert_eq!(
            mrkdwn("```console\nnet stop VSS\n```"),
            "```\nnet stop VSS\n```"
        );
        let evil = mrkdwn("<!channel> <@U1> [x](javascript:alert) @here");
        assert!(
            !evil.contains("<!")
                && !evil.contains("<@")
                && !evil.contains("<javascript")
                && !evil.contains("@here"),
            "{evil}"
        );
    }

    /// Every `<!…>` and `<@…>` in a rendered message, the way Slack reads mentions.
    fn pinged(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (i, _) in s.match_indices('<') {
            let rest = &s[i..];
            if rest.starts_with("<!") || rest.starts_with("<@") {
                let end = rest.find('>').map_or(rest.len(), |e| e + 1);
                out.push(rest[..end].to_string());
            }
        }
        out
    }

    #[test]
    fn a_hostile_card_pings_only_its_configured_targets() {
        let hostile = "<!channel> <!here> <@U999> <!subteam^S999> @everyone @here";
        let c = Card {
            title: format!("Escalated: {hostile}"),
            fields: vec![
                ("State".into(), "Open".into()),
                ("Note".into(), hostile.into()),
                ("What was pasted".into(), format!("```\n{hostile}\n```")),
            ],
            notes: vec![format!("10:00 UTC — <@U999> escalated: {hostile}")],
            context: hostile.into(),
            buttons: vec![backup_bot_core::reply::Button {
                label: hostile.into(),
                action_id: "escalation.ack:1".into(),
            }],
            pings: vec![
                Target::SlackGroup("S0ONCALL".into()),
                Target::DiscordRole(42),
                // Not a Slack id: never written.
                Target::SlackUser("U1> <!channel".into()),
            ],
            ..Card::default()
        };
        let r = card(&c);
        let json = blocks_json(&r).to_string();
        assert_eq!(pinged(&json), ["<!subteam^S0ONCALL>"], "{json}");
        assert_eq!(pinged(&r.text), ["<!subteam^S0ONCALL>"], "{}", r.text);
        assert!(r.text.starts_with("<!subteam^S0ONCALL> "), "{}", r.text);
        for bad in ["@everyone", "@here"] {
            assert!(!json.contains(bad) && !r.text.contains(bad), "{bad}");
        }
        // At the start of the first section, after the header.
        let first = r
            .blocks
            .iter()
            .find_map(|b| match b {
                SlackBlock::Section(s) => s.text.clone(),
                _ => None,
            })
            .unwrap();
        let SlackBlockText::MarkDown(md) = first else {
            panic!()
        };
        assert!(
            md.text.starts_with("<!subteam^S0ONCALL> *State*"),
            "{}",
            md.text
        );
        // A user, and the same card without pings pings nobody.
        let mut u = c.clone();
        u.pings = vec![Target::SlackUser("U0ONCALL".into())];
        assert_eq!(pinged(&card(&u).text), ["<@U0ONCALL>"]);
        u.pings.clear();
        let r = card(&u);
        assert!(pinged(&blocks_json(&r).to_string()).is_empty() && pinged(&r.text).is_empty());
    }

    #[test]
    fn long_text_is_cut_with_a_link() {
        let long = "word ".repeat(2000);
        let b = section_md(&long, Some("https://learn.microsoft.com/x"));
        let json = serde_json::to_value(&b).unwrap();
        let text = json["text"]["text"].as_str().unwrap();
        assert!(text.chars().count() <= MAX_SECTION);
        assert!(text.ends_with("<https://learn.microsoft.com/x|full entry>"));
    }
}
