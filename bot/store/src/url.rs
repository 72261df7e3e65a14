//! `storage.url`: which backend it names, and how it is shown (any password redacted).

/// The kind of store a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Memory,
    Sqlite,
    Postgres,
}

impl Backend {
    /// `memory` / `memory:`, `sqlite://PATH` (or `sqlite:PATH`), `postgres://…` /
    /// `postgresql://…`.
    pub fn of(url: &str) -> Result<Backend, String> {
        let u = url.trim();
        if u == "memory" || u == "memory:" {
            Ok(Backend::Memory)
        } else if let Some(path) = u.strip_prefix("sqlite:") {
            let path = path.trim_start_matches("//");
            if path.is_empty() {
                Err("sqlite:// needs a file path, such as sqlite://backup-bot.db".into())
            } else {
                Ok(Backend::Sqlite)
            }
        } else if u.starts_with("postgres://") || u.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err("must be sqlite://PATH, postgres://USER@HOST/DB or memory".into())
        }
    }
}

/// A URL with any password replaced by `[redacted]`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:[redacted]{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend_and_hide_their_password() {
        assert_eq!(Backend::of("memory:"), Ok(Backend::Memory));
        assert_eq!(Backend::of("sqlite://x.db"), Ok(Backend::Sqlite));
        assert_eq!(Backend::of("postgres://u:p@h/d"), Ok(Backend::Postgres));
        assert!(Backend::of("mysql://h/d").is_err());
        assert!(Backend::of("sqlite://").is_err());
        assert_eq!(
            redact("postgres://bot:pw@db/x"),
            "postgres://bot:[redacted]@db/x"
        );
        assert_eq!(redact("postgres://bot@db/x"), "postgres://bot@db/x");
    }
}
