//! The one sanitiser for text that goes back into a channel: nothing a user pasted can ping
//! anyone or inject markup.

/// Neutralises mentions (`@everyone`, `@here`, `@channel`, `<@U…>`, `<!subteam^…>`, `<#C…>`) by
/// putting a zero-width space after the `@`, `!` or `#` that would trigger them.
pub fn neutralise_mentions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        match c {
            '@' => {
                if chars
                    .peek()
                    .is_some_and(|n| n.is_alphanumeric() || *n == '&' || *n == '!')
                {
                    out.push('\u{200B}');
                }
            }
            '<' => {
                if chars.peek().is_some_and(|n| matches!(n, '@' | '!' | '#')) {
                    out.push('\u{200B}');
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_cannot_ping() {
        for raw in [
            "@everyone look",
            "<!channel>",
            "<@U123>",
            "<!subteam^S1>",
            "@here",
        ] {
            let out = neutralise_mentions(raw);
            assert_ne!(out, raw);
            assert!(
                !out.contains("@everyone")
                    && !out.contains("<!")
                    && !out.contains("<@")
                    && !out.contains("@here"),
                "{out}"
            );
        }
        assert_eq!(neutralise_mentions("a@ b"), "a@ b");
    }
}
