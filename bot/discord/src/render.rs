//! Rendering is a pure function: a core [`Card`] becomes an embed and button rows within
//! Discord's limits (title 256, description 4,096, 25 fields of 1,024, 6,000 in all, 5 buttons a
//! row). Every piece of text passes through the one sanitiser; the card's `pings` (Discord
//! targets only) are the one exception: they are written as the message's content, the only
//! place a mention notifies, and named in its `allowed_mentions`.

use backup_bot_core::escalation::{Platform, Target};
use backup_bot_core::sanitize;
use backup_bot_core::Card;
use serenity::all::{ButtonStyle, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter};

pub const MAX_TITLE: usize = 256;
pub const MAX_DESCRIPTION: usize = 4096;
pub const MAX_FIELDS: usize = 25;
pub const MAX_FIELD_NAME: usize = 256;
pub const MAX_FIELD_VALUE: usize = 1024;
pub const MAX_FOOTER: usize = 2048;
pub const MAX_TOTAL: usize = 6000;
pub const MAX_BUTTONS_PER_ROW: usize = 5;
pub const MAX_ROWS: usize = 5;
pub const MAX_LABEL: usize = 80;
/// The embed colour: Azure blue.
pub const COLOUR: u32 = 0x0078D4;

/// A rendered reply: one embed (none for a bare notice), its button rows, and plain content.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The mentions of `pings`, and nothing else.
    pub content: Option<String>,
    /// Whom the message may notify: exactly the roles and users its content mentions.
    pub pings: Pings,
    pub embed: Option<CreateEmbed>,
    pub rows: Vec<CreateActionRow>,
    /// The embed's parts, kept for tests and golden files.
    pub parts: Parts,
}

/// The roles and users a message mentions (and the only ones its `allowed_mentions` names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pings {
    pub roles: Vec<u64>,
    pub users: Vec<u64>,
}

impl Pings {
    /// The Discord targets among `targets` (a Slack target never reaches Discord).
    pub fn of(targets: &[Target]) -> Pings {
        let mut p = Pings::default();
        for t in targets.iter().filter(|t| t.platform() == Platform::Discord) {
            match t {
                Target::DiscordRole(id) if !p.roles.contains(id) => p.roles.push(*id),
                Target::DiscordUser(id) if !p.users.contains(id) => p.users.push(*id),
                _ => {}
            }
        }
        p
    }

    pub fn is_empty(&self) -> bool {
        self.roles.is_empty() && self.users.is_empty()
    }

    /// The message content that mentions them: `<@&ID>` for a role, `<@ID>` for a user.
    pub fn content(&self) -> Option<String> {
        let all: Vec<String> = (self.roles.iter().map(|id| format!("<@&{id}>")))
            .chain(self.users.iter().map(|id| format!("<@{id}>")))
            .collect();
        (!all.is_empty()).then(|| all.join(" "))
    }
}

/// What went into the embed, as plain data.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Parts {
    pub title: String,
    pub url: Option<String>,
    pub description: String,
    pub fields: Vec<(String, String)>,
    pub footer: String,
    pub buttons: Vec<Vec<(String, String)>>,
}

impl Parts {
    /// Characters that count towards the 6,000 limit.
    pub fn total(&self) -> usize {
        self.title.chars().count()
            + self.description.chars().count()
            + self.footer.chars().count()
            + self
                .fields
                .iter()
                .map(|(n, v)| n.chars().count() + v.chars().count())
                .sum::<usize>()
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    // Do not leave a code fence open.
    if out.matches("```").count() % 2 == 1 {
        out = out.chars().take(max.saturating_sub(5)).collect();
        out.push_str("\n```");
    }
    out.push('…');
    out
}

/// Text for Discord, sanitised (mentions cannot ping).
fn md(s: &str) -> String {
    sanitize::discord(s)
}

/// Splits a long step into pieces of at most `max` characters, at line ends where possible.
fn pieces(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        if cur.chars().count() + line.chars().count() + 1 > max && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push('\n');
        }
        cur.push_str(line);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.into_iter().map(|p| cut(&p, max)).collect()
}

/// Renders a card.
pub fn card(c: &Card) -> Rendered {
    let full = c.full_url.clone();
    let has_body = !c.fields.is_empty() || !c.steps.is_empty() || !c.links.is_empty();
    let buttons: Vec<Vec<(String, String)>> = c
        .buttons
        .chunks(MAX_BUTTONS_PER_ROW)
        .take(MAX_ROWS)
        .map(|row| {
            row.iter()
                .map(|b| {
                    (
                        cut(&md(&b.label), MAX_LABEL),
                        b.action_id.chars().take(100).collect(),
                    )
                })
                .collect()
        })
        .collect();
    let rows = buttons
        .iter()
        .map(|row| {
            CreateActionRow::Buttons(
                row.iter()
                    .enumerate()
                    .map(|(i, (label, id))| {
                        CreateButton::new(id.clone())
                            .label(label.clone())
                            .style(if i == 0 {
                                ButtonStyle::Primary
                            } else {
                                ButtonStyle::Secondary
                            })
                    })
                    .collect(),
            )
        })
        .collect();
    let mut p = Parts {
        title: cut(&md(&c.title), MAX_TITLE),
        url: full.clone(),
        buttons,
        ..Parts::default()
    };
    if !has_body {
        // A notice or a list of choices: the title is the whole text.
        p.title.clear();
        p.description = cut(&md(&c.title), MAX_DESCRIPTION);
        if let Some(u) = &full {
            if c.steps.is_empty() {
                p.description = cut(&format!("{}\n{u}", p.description), MAX_DESCRIPTION);
            }
        }
        for (label, value) in &c.fields {
            p.fields.push((
                cut(&md(label), MAX_FIELD_NAME),
                cut(&md(value), MAX_FIELD_VALUE),
            ));
        }
    } else {
        let desc: Vec<String> = c
            .fields
            .iter()
            .map(|(label, value)| {
                let quoted: Vec<String> = value.lines().map(|l| format!("> {l}")).collect();
                format!("**{}**\n{}", md(label), md(&quoted.join("\n")))
            })
            .collect();
        p.description = cut(&desc.join("\n\n"), MAX_DESCRIPTION);
        p.footer = cut(&md(&c.context), MAX_FOOTER);
        // Fields: the steps (a long step continues in the next field), notes, links.
        let mut tail: Vec<(String, String)> = Vec::new();
        if !c.notes.is_empty() {
            let notes: Vec<String> = c.notes.iter().map(|n| format!("• {}", md(n))).collect();
            tail.push(("ℹ".to_string(), cut(&notes.join("\n"), MAX_FIELD_VALUE)));
        }
        if !c.links.is_empty() {
            let links: Vec<String> = c
                .links
                .iter()
                .map(|(t, u)| format!("• [{}]({u})", md(t)))
                .collect();
            tail.push(("🔗".to_string(), cut(&links.join("\n"), MAX_FIELD_VALUE)));
        }
        let more = full
            .as_ref()
            .map(|u| ("…".to_string(), format!("[full entry]({u})")))
            .unwrap_or_else(|| ("…".to_string(), "…".to_string()));
        let label = if c.steps_label.is_empty() {
            "Step"
        } else {
            c.steps_label.as_str()
        };
        let mut step_fields: Vec<(String, String)> = Vec::new();
        for (i, step) in c.steps.iter().enumerate() {
            let n = c.first_step + i;
            for (k, piece) in pieces(&md(step), MAX_FIELD_VALUE).into_iter().enumerate() {
                let name = if k == 0 {
                    format!("{label} {n}")
                } else {
                    format!("{label} {n} (…)")
                };
                step_fields.push((cut(&name, MAX_FIELD_NAME), piece));
            }
        }
        // Fit within 25 fields and 6,000 characters: drop steps from the end, say so with a link.
        let mut fields: Vec<(String, String)> = step_fields.clone();
        fields.extend(tail.iter().cloned());
        p.fields = fields;
        let mut kept = step_fields.len();
        while (p.fields.len() > MAX_FIELDS || p.total() > MAX_TOTAL) && kept > 0 {
            kept -= 1;
            let mut f: Vec<(String, String)> = step_fields[..kept].to_vec();
            f.push(more.clone());
            f.extend(tail.iter().cloned());
            p.fields = f;
        }
        while p.total() > MAX_TOTAL && !p.fields.is_empty() {
            p.fields.pop();
        }
        if p.total() > MAX_TOTAL {
            let room =
                MAX_TOTAL.saturating_sub(p.title.chars().count() + p.footer.chars().count() + 10);
            p.description = cut(&p.description, room);
        }
    }
    let mut embed = CreateEmbed::new().colour(COLOUR);
    if !p.title.is_empty() {
        embed = embed.title(p.title.clone());
        if let Some(u) = &p.url {
            embed = embed.url(u.clone());
        }
    }
    if !p.description.is_empty() {
        embed = embed.description(p.description.clone());
    }
    for (name, value) in &p.fields {
        embed = embed.field(name.clone(), value.clone(), false);
    }
    if !p.footer.is_empty() {
        embed = embed.footer(CreateEmbedFooter::new(p.footer.clone()));
    }
    let pings = Pings::of(&c.pings);
    Rendered {
        content: pings.content(),
        pings,
        embed: Some(embed),
        rows,
        parts: p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_steps_continue_and_fence_stays_closed() {
        let text = format!("```console\n{}\n```", "REG ADD x\n".repeat(300));
        let p = pieces(&text, MAX_FIELD_VALUE);
        assert!(p.len() > 1);
        assert!(p.iter().all(|x| x.chars().count() <= MAX_FIELD_VALUE));
    }

    #[test]
    fn mentions_in_text_cannot_ping() {
        let c = Card {
            title: "@everyone <@123> <@&9> @here".into(),
            ..Card::default()
        };
        let r = card(&c);
        for bad in ["@everyone", "<@1", "<@&", "@here"] {
            assert!(
                !r.parts.description.contains(bad),
                "{}",
                r.parts.description
            );
        }
    }
}
