//! The `/backup-error` grammar.

/// What a `/backup-error` call asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// No text, or `help`.
    Help,
    /// `mute DURATION`: seconds, or `None` when the duration cannot be read.
    Mute(Option<u64>),
    /// `unmute`.
    Unmute,
    /// A code, some words or a pasted message.
    Lookup(String),
}

/// Parses the text after `/backup-error`.
pub fn parse(text: &str) -> Command {
    let t = text.trim();
    let mut words = t.split_whitespace();
    match words.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("help") | Some("도움말") if words.clone().next().is_none() => Command::Help,
        Some("mute") => Command::Mute(
            words
                .next()
                .and_then(duration)
                .filter(|_| words.next().is_none()),
        ),
        Some("unmute") if words.next().is_none() => Command::Unmute,
        _ => Command::Lookup(t.to_string()),
    }
}

/// Reads `30m`, `1h`, `2d`, `90s` (or a plain number of minutes) as seconds; at most 30 days.
pub fn duration(s: &str) -> Option<u64> {
    let s = s.trim().to_ascii_lowercase();
    let digits = s.bytes().take_while(|b| b.is_ascii_digit()).count();
    let n: u64 = s[..digits].parse().ok()?;
    let unit = match &s[digits..] {
        "s" | "sec" | "secs" => 1,
        "" | "m" | "min" | "mins" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        _ => return None,
    };
    let secs = n.checked_mul(unit)?;
    (secs > 0 && secs <= 30 * 86_400).then_some(secs)
}

/// "1h 30m" for a number of seconds.
pub fn format_until(secs: u64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d}d"));
    }
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if m > 0 || parts.is_empty() {
        parts.push(format!("{m}m"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        assert_eq!(parse(""), Command::Help);
        assert_eq!(parse("  help "), Command::Help);
        assert_eq!(parse("mute 1h"), Command::Mute(Some(3600)));
        assert_eq!(parse("mute soon"), Command::Mute(None));
        assert_eq!(parse("mute 1h extra"), Command::Mute(None));
        assert_eq!(parse("unmute"), Command::Unmute);
        assert_eq!(
            parse("UserErrorFsFreezeFailed"),
            Command::Lookup("UserErrorFsFreezeFailed".into())
        );
        assert_eq!(
            parse("help me with VSS"),
            Command::Lookup("help me with VSS".into())
        );
    }

    #[test]
    fn durations() {
        assert_eq!(duration("30m"), Some(1800));
        assert_eq!(duration("2d"), Some(172_800));
        assert_eq!(duration("45"), Some(2700));
        assert_eq!(duration("0m"), None);
        assert_eq!(duration("31d"), None);
        assert_eq!(duration("99999999999999999999h"), None);
        assert_eq!(format_until(5400), "1h 30m");
    }
}
