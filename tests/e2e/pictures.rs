//! The README's pictures of a reply, drawn from the golden replies (`tests/golden`): what Slack
//! and Discord show for a paste, as SVG under `docs/`. The test fails when a picture no longer
//! matches its golden reply; `UPDATE_GOLDEN=1` redraws them (then review the diff).

use crate::support::root;
use serde_json::Value;
use std::fmt::Write as _;

const PASTE: &str =
    "2026-11-20T03:12:44Z ERROR backup job for erp-app02 failed: UserErrorFsFreezeFailed";
const WIDTH: f64 = 760.0;

/// How a run of text looks.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Bold,
    Code,
}

/// Colours and sizes of one platform's theme.
struct Theme {
    background: &'static str,
    text: &'static str,
    muted: &'static str,
    code_bg: &'static str,
    code_text: &'static str,
    font: &'static str,
}

const SLACK: Theme = Theme {
    background: "#ffffff",
    text: "#1d1c1d",
    muted: "#616061",
    code_bg: "#f8f8f8",
    code_text: "#e01e5a",
    font: "Lato, 'Helvetica Neue', Helvetica, Arial, 'DejaVu Sans', sans-serif",
};

const DISCORD: Theme = Theme {
    background: "#313338",
    text: "#dbdee1",
    muted: "#949ba4",
    code_bg: "#1e1f22",
    code_text: "#dbdee1",
    font: "'gg sans', 'Noto Sans', 'Helvetica Neue', Helvetica, Arial, 'DejaVu Sans', sans-serif",
};

/// An SVG drawn top to bottom.
struct Canvas {
    theme: &'static Theme,
    body: String,
    y: f64,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The width a text takes, estimated generously (wide fonts, CJK at a full em).
fn width(text: &str, size: f64, style: Style) -> f64 {
    let em = match style {
        Style::Plain => 0.56,
        Style::Bold => 0.61,
        Style::Code => 0.62,
    };
    text.chars()
        .map(|c| if c.is_ascii() { em } else { 1.0 })
        .sum::<f64>()
        * size
}

/// Inline markup to runs: `*bold*` (Slack) or `**bold**` (Discord), and `` `code` ``.
fn runs(line: &str, bold: &str) -> Vec<(String, Style)> {
    let mut out = Vec::new();
    let mut rest = line;
    while !rest.is_empty() {
        let b = rest.find(bold);
        let c = rest.find('`');
        let (at, marker, style) = match (b, c) {
            (Some(b), Some(c)) if c < b => (c, "`", Style::Code),
            (Some(b), _) => (b, bold, Style::Bold),
            (None, Some(c)) => (c, "`", Style::Code),
            (None, None) => break,
        };
        let after = &rest[at + marker.len()..];
        let Some(end) = after.find(marker) else { break };
        if at > 0 {
            out.push((rest[..at].to_string(), Style::Plain));
        }
        out.push((after[..end].to_string(), style));
        rest = &after[end + marker.len()..];
    }
    if !rest.is_empty() {
        out.push((rest.to_string(), Style::Plain));
    }
    out
}

impl Canvas {
    fn new(theme: &'static Theme) -> Canvas {
        Canvas {
            theme,
            body: String::new(),
            y: 20.0,
        }
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, r: f64, fill: &str) {
        let _ = writeln!(
            self.body,
            r#"<rect x="{x:.0}" y="{y:.0}" width="{w:.0}" height="{h:.0}" rx="{r:.0}" fill="{fill}"/>"#
        );
    }

    fn text(&mut self, x: f64, y: f64, size: f64, fill: &str, weight: &str, s: &str) {
        let _ = writeln!(
            self.body,
            r#"<text x="{x:.0}" y="{y:.0}" font-size="{size:.0}" fill="{fill}" font-weight="{weight}">{}</text>"#,
            esc(s)
        );
    }

    /// Runs wrapped to `max` pixels from `x`, one `<text>` per line.
    fn paragraph(&mut self, x: f64, max: f64, size: f64, color: &str, runs: &[(String, Style)]) {
        let mut lines: Vec<Vec<(String, Style)>> = vec![Vec::new()];
        let mut used = 0.0;
        for (text, style) in runs {
            // A word wider than the line (a URL) is cut where the line ends.
            let mut words = Vec::new();
            for word in text.split_inclusive(' ') {
                let mut rest = word;
                while width(rest, size, *style) > max {
                    let mut cut = 0;
                    for (i, ch) in rest.char_indices() {
                        if width(&rest[..i + ch.len_utf8()], size, *style) > max {
                            break;
                        }
                        cut = i + ch.len_utf8();
                    }
                    words.push(&rest[..cut]);
                    rest = &rest[cut..];
                }
                words.push(rest);
            }
            for word in words {
                let w = width(word, size, *style);
                if used + w > max && used > 0.0 {
                    lines.push(Vec::new());
                    used = 0.0;
                }
                used += w;
                let line = lines.last_mut().unwrap();
                match line.last_mut() {
                    Some((t, s)) if s == style => t.push_str(word),
                    _ => line.push((word.to_string(), *style)),
                }
            }
        }
        let theme = self.theme;
        for line in lines {
            self.y += size * 1.45;
            let mut spans = String::new();
            for (text, style) in line {
                let _ = match style {
                    Style::Plain => write!(spans, "<tspan>{}</tspan>", esc(&text)),
                    Style::Bold => {
                        write!(spans, r#"<tspan font-weight="bold">{}</tspan>"#, esc(&text))
                    }
                    Style::Code => write!(
                        spans,
                        r#"<tspan font-family="Menlo, Consolas, 'DejaVu Sans Mono', monospace" fill="{}">{}</tspan>"#,
                        theme.code_text,
                        esc(&text)
                    ),
                };
            }
            let _ = writeln!(
                self.body,
                r#"<text x="{x:.0}" y="{:.0}" font-size="{size:.0}" fill="{color}" xml:space="preserve">{spans}</text>"#,
                self.y
            );
        }
    }

    /// A message's Markdown: paragraphs, `> ` quotes, fenced code, inline bold and code.
    fn markdown(&mut self, x: f64, max: f64, text: &str, bold: &str) {
        let mut in_code: Option<Vec<String>> = None;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                match in_code.take() {
                    Some(code) => self.code(x, max, &code),
                    None => in_code = Some(Vec::new()),
                }
                continue;
            }
            if let Some(code) = in_code.as_mut() {
                code.push(line.to_string());
                continue;
            }
            if line.trim().is_empty() {
                self.y += 6.0;
            } else if let Some(q) = line.strip_prefix("> ") {
                let top = self.y + 6.0;
                let color = self.theme.text;
                self.paragraph(x + 14.0, max - 14.0, 14.0, color, &runs(q, bold));
                self.rect(x, top, 4.0, self.y - top + 6.0, 2.0, self.theme.muted);
            } else {
                let color = self.theme.text;
                self.paragraph(x, max, 14.0, color, &runs(line, bold));
            }
        }
    }

    /// A code block: a box of monospace lines, each cut to the width.
    fn code(&mut self, x: f64, max: f64, lines: &[String]) {
        let per_line = (max - 20.0) / width("m", 12.0, Style::Code);
        let top = self.y + 8.0;
        let h = lines.len() as f64 * 17.0 + 14.0;
        let bg = self.theme.code_bg;
        self.rect(x, top, max, h, 4.0, bg);
        let mut y = top + 7.0;
        for l in lines {
            y += 17.0;
            let shown: String = if l.chars().count() as f64 > per_line {
                l.chars().take(per_line as usize - 1).chain(['…']).collect()
            } else {
                l.clone()
            };
            let _ = writeln!(
                self.body,
                r#"<text x="{:.0}" y="{y:.0}" font-size="12" fill="{}" font-family="Menlo, Consolas, 'DejaVu Sans Mono', monospace" xml:space="preserve">{}</text>"#,
                x + 10.0,
                self.theme.text,
                esc(&shown)
            );
        }
        self.y = top + h + 4.0;
    }

    /// The author line: avatar, name, badge, time.
    fn author(&mut self, name: &str, badge: Option<(&str, &str)>, avatar: &str, round: bool) {
        let y = self.y;
        self.rect(20.0, y, 36.0, 36.0, if round { 18.0 } else { 6.0 }, avatar);
        let initial: String = name.chars().take(1).collect::<String>().to_uppercase();
        self.text(31.0, y + 24.0, 17.0, "#ffffff", "bold", &initial);
        let text = self.theme.text;
        self.text(68.0, y + 14.0, 15.0, text, "bold", name);
        let mut x = 68.0 + width(name, 15.0, Style::Bold) + 8.0;
        if let Some((label, fill)) = badge {
            self.rect(
                x,
                y + 2.0,
                width(label, 10.0, Style::Bold) + 8.0,
                15.0,
                3.0,
                fill,
            );
            let fg = if fill == "#5865f2" {
                "#ffffff"
            } else {
                self.theme.muted
            };
            self.text(x + 4.0, y + 13.0, 10.0, fg, "bold", label);
            x += width(label, 10.0, Style::Bold) + 16.0;
        }
        let muted = self.theme.muted;
        self.text(x, y + 14.0, 12.0, muted, "normal", "10:42");
        self.y = y + 16.0;
    }

    /// A row of buttons: (label, fill, text colour, border).
    fn buttons(&mut self, x: f64, buttons: &[(String, &str, &str, Option<&str>)]) {
        let y = self.y + 12.0;
        let mut bx = x;
        for (label, fill, fg, border) in buttons {
            let w = width(label, 13.0, Style::Bold) * 1.1 + 24.0;
            if let Some(b) = border {
                self.rect(bx - 1.0, y - 1.0, w + 2.0, 34.0, 5.0, b);
            }
            self.rect(bx, y, w, 32.0, 4.0, fill);
            self.text(bx + 12.0, y + 21.0, 13.0, fg, "bold", label);
            bx += w + 8.0;
        }
        self.y = y + 32.0;
    }

    fn finish(self, title: &str) -> String {
        let h = self.y + 24.0;
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {WIDTH:.0} {h:.0}\" font-family=\"{}\" role=\"img\" aria-label=\"{}\">\n<title>{}</title>\n<rect width=\"100%\" height=\"100%\" rx=\"8\" fill=\"{}\"/>\n{}</svg>\n",
            esc(self.theme.font),
            esc(title),
            esc(title),
            self.theme.background,
            self.body
        )
    }
}

/// Slack's escaping undone (`&gt;` is how Slack writes `>`).
fn unslack(s: &str) -> String {
    s.replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&amp;", "&")
}

fn slack_picture(reply: &Value) -> String {
    let mut c = Canvas::new(&SLACK);
    c.author("dana", None, "#e8912d", false);
    c.paragraph(
        68.0,
        WIDTH - 90.0,
        14.0,
        SLACK.text,
        &[(PASTE.to_string(), Style::Plain)],
    );
    c.y += 22.0;
    c.author("backup-bot", Some(("APP", "#e8e8e8")), "#0078d4", false);
    let max = WIDTH - 90.0;
    for block in reply["blocks"].as_array().unwrap() {
        match block["type"].as_str().unwrap() {
            "header" => {
                c.y += 4.0;
                let t = unslack(block["text"]["text"].as_str().unwrap());
                c.paragraph(68.0, max, 17.0, SLACK.text, &[(t, Style::Bold)]);
            }
            "section" => {
                c.y += 4.0;
                c.markdown(
                    68.0,
                    max,
                    &unslack(block["text"]["text"].as_str().unwrap()),
                    "*",
                );
            }
            "context" => {
                c.y += 4.0;
                for e in block["elements"].as_array().unwrap() {
                    let t = unslack(e["text"].as_str().unwrap());
                    c.paragraph(68.0, max, 12.0, SLACK.muted, &[(t, Style::Plain)]);
                }
            }
            "actions" => {
                let buttons: Vec<_> = block["elements"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| {
                        let label = b["text"]["text"].as_str().unwrap().to_string();
                        match b["style"].as_str() {
                            Some("primary") => (label, "#007a5a", "#ffffff", None),
                            Some("danger") => (label, "#e01e5a", "#ffffff", None),
                            _ => (label, "#ffffff", SLACK.text, Some("#c8c8c8")),
                        }
                    })
                    .collect();
                c.buttons(68.0, &buttons);
            }
            "divider" => c.y += 10.0,
            other => panic!("a block the picture does not draw: {other}"),
        }
    }
    c.finish("A reply from backup-bot in Slack, drawn from tests/golden/slack-answer-en.json")
}

fn discord_picture(reply: &Value) -> String {
    let mut c = Canvas::new(&DISCORD);
    c.author("dana", None, "#e8912d", true);
    c.paragraph(
        68.0,
        WIDTH - 90.0,
        14.0,
        DISCORD.text,
        &[(PASTE.to_string(), Style::Plain)],
    );
    c.y += 22.0;
    c.author("backup-bot", Some(("APP", "#5865f2")), "#0078d4", true);
    let embed = &reply["embed"];
    let top = c.y + 8.0;
    let x = 84.0;
    let max = WIDTH - 130.0;
    c.y = top + 4.0;
    let body_start = c.body.len();
    let title = embed["title"].as_str().unwrap().to_string();
    c.paragraph(x, max, 15.0, "#00a8fc", &[(title, Style::Bold)]);
    c.y += 4.0;
    c.markdown(x, max, embed["description"].as_str().unwrap(), "**");
    for f in embed["fields"].as_array().unwrap() {
        c.y += 6.0;
        let name = f["name"].as_str().unwrap().to_string();
        c.paragraph(x, max, 14.0, "#ffffff", &[(name, Style::Bold)]);
        c.markdown(x, max, f["value"].as_str().unwrap(), "**");
    }
    c.y += 6.0;
    let footer = embed["footer"]["text"].as_str().unwrap().to_string();
    c.paragraph(x, max, 12.0, DISCORD.muted, &[(footer, Style::Plain)]);
    c.y += 14.0;
    // The embed's box and its colour bar go under what was drawn in it.
    let color = format!("#{:06x}", embed["color"].as_u64().unwrap());
    let mut frame = Canvas::new(&DISCORD);
    frame.rect(68.0, top, WIDTH - 90.0, c.y - top, 4.0, "#2b2d31");
    frame.rect(68.0, top, 4.0, c.y - top, 2.0, &color);
    c.body.insert_str(body_start, &frame.body);
    let rows = reply["components"].as_array().unwrap();
    for row in rows {
        let buttons: Vec<_> = row["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                let label = b["label"].as_str().unwrap().to_string();
                match b["style"].as_u64() {
                    Some(1) => (label, "#5865f2", "#ffffff", None),
                    Some(3) => (label, "#248046", "#ffffff", None),
                    Some(4) => (label, "#da373c", "#ffffff", None),
                    _ => (label, "#4e5058", "#ffffff", None),
                }
            })
            .collect();
        c.buttons(68.0, &buttons);
    }
    c.finish("A reply from backup-bot in Discord, drawn from tests/golden/discord-answer-en.json")
}

fn golden(name: &str) -> Value {
    let path = root().join("tests/golden").join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_readme_pictures_are_drawn_from_the_golden_replies() {
    let pictures = [
        (
            "docs/reply-slack.svg",
            slack_picture(&golden("slack-answer-en")),
        ),
        (
            "docs/reply-discord.svg",
            discord_picture(&golden("discord-answer-en")),
        ),
    ];
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        for (path, svg) in &pictures {
            let file = root().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, svg).unwrap();
        }
    }
    for (path, svg) in pictures {
        let file = root().join(path);
        let committed = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            committed == svg,
            "{path} does not match its golden reply: run with UPDATE_GOLDEN=1 and review"
        );
        assert!(
            readme.contains(&format!("]({path})")),
            "the README shows {path}"
        );
        assert!(svg.contains("UserErrorFsFreezeFailed") && svg.contains("Walk me through it"));
    }
}
