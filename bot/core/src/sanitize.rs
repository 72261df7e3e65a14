//! The one sanitiser for text that goes back into a channel: nothing a user pasted can ping
//! anyone, inject markup or smuggle a link.

/// Makes text safe for Slack mrkdwn: `&`, `<`, `>` escaped (so `<!channel>`, `<@U…>`,
/// `<!subteam^…>`, `<#C…>` and `<url|text>` lose their meaning), and bare `@channel`, `@here`,
/// `@everyone` broken with a zero-width space.
pub fn slack(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    break_at_mentions(&out)
}

/// Makes text safe for Discord: `@everyone`, `@here` and `<@…>`, `<@&…>`, `<#…>` mentions are
/// broken with a zero-width space (replies also send no `allowed_mentions`).
pub fn discord(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '<' && chars.peek().is_some_and(|n| matches!(n, '@' | '#')) {
            out.push('\u{200B}');
        }
    }
    break_at_mentions(&out)
}

/// `@everyone`, `@here`, `@channel` (any case) get a zero-width space after the `@`. The words
/// are compared in ASCII case on the text itself: a lower-cased copy can differ in length (`K`,
/// the Kelvin sign, is one byte shorter lower-cased, `İ` one longer), so its positions are not
/// the text's.
fn break_at_mentions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (i, _) in text.match_indices('@') {
        let rest = &text.as_bytes()[i + 1..];
        if ["everyone", "here", "channel"]
            .iter()
            .any(|w| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w.as_bytes()))
        {
            out.push_str(&text[last..=i]);
            out.push('\u{200B}');
            last = i + 1;
        }
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_text_cannot_ping_or_link() {
        let raw = "<!channel> <!here> <!everyone> <@U123> <!subteam^S1> <#C9> <https://evil|click> @here @Channel a&b";
        let out = slack(raw);
        for bad in ["<!", "<@", "<#", "<http", "@here", "@Channel"] {
            assert!(!out.contains(bad), "{bad} in {out}");
        }
        assert!(
            out.contains("&lt;!channel&gt;") && out.contains("a&amp;b"),
            "{out}"
        );
    }

    #[test]
    fn discord_text_cannot_ping() {
        let out = discord("@everyone @here <@123> <@&456> <#789> fine@example.com");
        for bad in ["@everyone", "@here", "<@1", "<@&", "<#7"] {
            assert!(!out.contains(bad), "{bad} in {out}");
        }
        assert!(out.contains("fine@example.com"));
    }

    #[test]
    fn letters_that_change_length_in_lower_case_do_not_shift_the_breaks() {
        for raw in [
            "\u{212a}\u{212a}\u{212a} @everyone",
            "İİİ @Here x",
            "@channel \u{212a}@here",
        ] {
            for out in [slack(raw), discord(raw)] {
                let lower = out.to_ascii_lowercase();
                for bad in ["@everyone", "@here", "@channel"] {
                    assert!(!lower.contains(bad), "{bad} in {out:?}");
                }
            }
        }
    }
}
