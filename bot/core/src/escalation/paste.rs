//! The paste an escalation keeps: secrets masked (SAS signatures, account keys, passwords,
//! bearer tokens, long key-like runs), control characters dropped, cut to a few lines.

/// How much of a paste an escalation keeps.
pub const MAX_LINES: usize = 30;
pub const MAX_CHARS: usize = 3_000;

const MASK: &str = "[masked]";

/// Keys whose value is a secret (`key=value`, `key: value`), compared in lower case.
const SECRET_KEYS: [&str; 17] = [
    "sig",
    "signature",
    "accountkey",
    "sharedaccesskey",
    "sharedaccesssignature",
    "password",
    "passwd",
    "pwd",
    "secret",
    "client_secret",
    "clientsecret",
    "token",
    "access_token",
    "refresh_token",
    "apikey",
    "api_key",
    "x-api-key",
];

/// The paste as kept and shown: secrets masked, then shortened.
pub fn prepare(raw: &str) -> String {
    shorten(&mask(raw))
}

/// Cuts to [`MAX_LINES`] lines and [`MAX_CHARS`] characters, saying how much was left out.
pub fn shorten(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = lines[..lines.len().min(MAX_LINES)].join("\n");
    let mut cut = lines.len() > MAX_LINES;
    if out.chars().count() > MAX_CHARS {
        out = out.chars().take(MAX_CHARS).collect();
        cut = true;
    }
    if cut {
        out.push_str(&format!("\n… ({} lines in all)", lines.len()));
    }
    out
}

/// Every secret replaced by `[masked]`.
pub fn mask(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect();
    clean.lines().map(mask_line).collect::<Vec<_>>().join("\n")
}

fn mask_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        // A secret key followed by `=` or `:` masks its value.
        if let Some((len, value_len)) = secret_pair(rest) {
            out.push_str(&rest[..len]);
            out.push_str(MASK);
            rest = &rest[len + value_len..];
            continue;
        }
        let word_end = rest.find(|c: char| !is_token_char(c)).unwrap_or(rest.len());
        if word_end == 0 {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let word = &rest[..word_end];
        if looks_like_key(word) {
            out.push_str(MASK);
        } else {
            out.push_str(word);
        }
        rest = &rest[word_end..];
        // "Bearer X": X is a token, however short.
        if word.eq_ignore_ascii_case("bearer") && rest.starts_with(' ') {
            let v = rest[1..]
                .find(|c: char| c.is_whitespace())
                .map_or(rest.len(), |i| i + 1);
            if v > 1 {
                out.push(' ');
                out.push_str(MASK);
                rest = &rest[v..];
            }
        }
    }
    out
}

/// At the start of `s`: a secret key, then `=`/`:` (spaces allowed around `:`), then a value.
/// Returns (length up to the value, the value's length).
fn secret_pair(s: &str) -> Option<(usize, usize)> {
    let key_end = s.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))?;
    let key = s[..key_end].to_ascii_lowercase();
    if !SECRET_KEYS.contains(&key.as_str()) {
        return None;
    }
    let after = &s[key_end..];
    let sep = after.find(|c: char| c != ' ' && c != '"' && c != '\'')?;
    let sep_char = after[sep..].chars().next()?;
    if !matches!(sep_char, '=' | ':') {
        return None;
    }
    let mut start = key_end + sep + 1;
    start += s[start..]
        .find(|c: char| !matches!(c, ' ' | '"' | '\''))
        .unwrap_or(s.len() - start);
    let value_len = s[start..]
        .find(|c: char| c.is_whitespace() || matches!(c, '&' | ';' | ',' | '"' | '\''))
        .unwrap_or(s.len() - start);
    (value_len > 0).then_some((start, value_len))
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-' | '%')
}

/// A long run of key-like characters with letters and digits mixed: a key, a signature.
fn looks_like_key(w: &str) -> bool {
    let w = w.trim_end_matches('=');
    w.len() >= 32
        && w.bytes().any(|b| b.is_ascii_digit())
        && w.bytes().any(|b| b.is_ascii_lowercase())
        && w.bytes().any(|b| b.is_ascii_uppercase())
        && !w.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sas_tokens_keys_and_passwords_are_masked() {
        let raw = "url https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026-01-01&sig=AbC%2Bdef123xyz\n\
                   DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==;EndpointSuffix=core.windows.net\n\
                   password: hunter2 and pwd=s3cret, Authorization: Bearer eyJ0\n\
                   blob 9f8E7d6C5b4A3f2E1d0C9b8A7f6E5d4C3b2A1f0E and UserErrorFsFreezeFailed";
        let out = mask(raw);
        for secret in [
            "AbC%2Bdef123xyz",
            "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA",
            "hunter2",
            "s3cret",
            "eyJ0",
            "9f8E7d6C5b4A3f2E1d0C9b8A7f6E5d4C3b2A1f0E",
        ] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        for kept in [
            "sv=2022-11-02",
            "AccountName=acct",
            "UserErrorFsFreezeFailed",
            "EndpointSuffix=core.windows.net",
        ] {
            assert!(out.contains(kept), "{kept} lost: {out}");
        }
    }

    #[test]
    fn a_long_paste_is_cut_and_says_so() {
        let raw: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let out = prepare(&raw);
        assert!(out.contains("line 29") && !out.contains("line 30"), "{out}");
        assert!(out.ends_with("(100 lines in all)"), "{out}");
        let wide = "x".repeat(10_000);
        assert!(prepare(&wide).chars().count() < MAX_CHARS + 40);
    }
}
