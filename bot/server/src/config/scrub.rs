//! Configuration errors never show a secret: the values of the secret keys, anything shaped like
//! a Slack or Discord token or a long key, and the password of a URL are replaced before an
//! error is printed.

const REDACTED: &str = "[redacted]";

/// `text` with every secret in it replaced: the `known` values (those of the secret keys) and
/// whatever looks like a token or a URL's password.
pub(super) fn scrub(text: &str, known: &[String]) -> String {
    let mut out = text.to_string();
    for k in known {
        if k.len() >= 4 {
            out = out.replace(k.as_str(), REDACTED);
        }
    }
    passwords(&tokens(&out))
}

/// Runs of token characters that look like a secret, replaced.
fn tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if looks_secret(run) {
            out.push_str(REDACTED);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=' | '+') {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// A Slack token (`xoxb-`, `xoxp-`, `xapp-`…), a Discord bot token (three base64 parts joined by
/// dots) or a long run of letters and digits such as a signing secret.
fn looks_secret(run: &str) -> bool {
    let lower = run.to_ascii_lowercase();
    let b = lower.as_bytes();
    if b.len() > 5 && b.starts_with(b"xox") && (b[4] == b'-' || b[4] == b'.') {
        return true;
    }
    if b.len() > 5 && lower.starts_with("xapp-") {
        return true;
    }
    let parts: Vec<&str> = run.split('.').collect();
    if parts.len() == 3 && run.len() >= 50 && parts.iter().all(|p| p.len() >= 5) {
        return true;
    }
    run.len() >= 24
        && !run.contains('.')
        && run.bytes().any(|c| c.is_ascii_digit())
        && run.bytes().any(|c| c.is_ascii_alphabetic())
        && run.bytes().all(|c| c.is_ascii_alphanumeric())
}

/// `scheme://user:password@host` → `scheme://user:[redacted]@host`.
fn passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '`' | '"' | '\''))
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let creds = &authority[..at];
                match creds.split_once(':') {
                    Some((user, _)) => {
                        out.push_str(user);
                        out.push(':');
                        out.push_str(REDACTED);
                    }
                    None => out.push_str(creds),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn tokens_keys_and_passwords_are_replaced() {
        let known = vec!["hunter2-secret".to_string()];
        let cases = [
            (
                "slack.mode `xoxb-123-456-abc` must be",
                "slack.mode `[redacted]` must be",
            ),
            ("got \"xapp-1-A0-99-ff\"", "got \"[redacted]\""),
            ("an app-level token (xapp-…)", "an app-level token (xapp-…)"),
            ("value hunter2-secret here", "value [redacted] here"),
            (
                "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789",
                "[redacted]",
            ),
            (
                "listen `8f14e45fceea167a5a36dedd4bea2543`",
                "listen `[redacted]`",
            ),
            (
                "url `postgres://bot:pa55@db:5432/x` is",
                "url `postgres://bot:[redacted]@db:5432/x` is",
            ),
            (
                "https://hooks.example/x and user@host",
                "https://hooks.example/x and user@host",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(scrub(text, &known), want, "{text}");
        }
        // Ordinary words, paths, ids and snowflakes stay.
        for text in [
            "discord.guilds: `123456789012345678` is",
            "/etc/backup-bot/runbooks",
            "extension-failed-vss-writer-in-bad-state",
            "C0123ABCD",
            "127.0.0.1:8080",
        ] {
            assert_eq!(scrub(text, &known), text);
        }
    }
}
