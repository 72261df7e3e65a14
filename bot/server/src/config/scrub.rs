//! Configuration errors never show a secret: the values of the secret keys, anything shaped like
//! a Slack or Discord token or a long key, and the password and query of a URL are replaced
//! before an error is printed. The logs pass through [`urls`] too.

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
    urls(&tokens(&out))
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
/// dots), a generated key (both cases and digits) or a long run of letters and digits such as a
/// signing secret.
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
    // A generated key: letters of both cases and digits mixed (ids are one case, words have no
    // digits).
    if run.len() >= 12
        && run.bytes().any(|c| c.is_ascii_digit())
        && run.bytes().any(|c| c.is_ascii_lowercase())
        && run.bytes().any(|c| c.is_ascii_uppercase())
        && run
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return true;
    }
    run.len() >= 24
        && !run.contains('.')
        && run.bytes().any(|c| c.is_ascii_digit())
        && run.bytes().any(|c| c.is_ascii_alphabetic())
        && run.bytes().all(|c| c.is_ascii_alphanumeric())
}

/// Every URL in `text` with its password and its query replaced:
/// `scheme://user:password@host/path?query` → `scheme://user:[redacted]@host/path?[redacted]`
/// (a Socket Mode URL's one-time ticket, a token passed as a parameter, a proxy's password).
pub(crate) fn urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | '\\' | '<' | '>'))
            .unwrap_or(tail.len());
        // Punctuation right after a URL ends the sentence, not the URL.
        let end = tail[..end]
            .trim_end_matches([':', ',', '.', ';', ')'])
            .len();
        let url = &tail[..end];
        let host_end = url.find(['/', '?', '#']).unwrap_or(url.len());
        let authority = &url[..host_end];
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
        let after = &url[host_end..];
        match after.find('?') {
            Some(q) => {
                out.push_str(&after[..q]);
                out.push('?');
                out.push_str(REDACTED);
            }
            None => out.push_str(after),
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
                "slack.mode `R8e2fA91c0d4` must",
                "slack.mode `[redacted]` must",
            ),
            (
                "url `postgres://bot:pa55@db:5432/x` is",
                "url `postgres://bot:[redacted]@db:5432/x` is",
            ),
            (
                "https://hooks.example/x and user@host",
                "https://hooks.example/x and user@host",
            ),
            (
                "https://u:pw@proxy.example/api?token=abc#x, next",
                "https://u:[redacted]@proxy.example/api?[redacted], next",
            ),
            (
                "Unable to connect wss://wss-primary.slack.com/link/?ticket=1a2b3c&app_id=A1: 503",
                "Unable to connect wss://wss-primary.slack.com/link/?[redacted]: 503",
            ),
            (
                "{\"url\":\"ws://127.0.0.1:9/socket?ticket=t-1\"}",
                "{\"url\":\"ws://127.0.0.1:9/socket?[redacted]\"}",
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
            "UserErrorFsFreezeFailed",
            "S0123ONCALL",
            "127.0.0.1:8080",
        ] {
            assert_eq!(scrub(text, &known), text);
        }
    }
}
