//! A configuration secret: it never prints.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// A secret (kept by `secrecy`: zeroed when dropped): its `Debug` and `Display` say
/// `[redacted]`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub(super) SecretString);

impl Secret {
    #[cfg(test)]
    pub fn new(s: String) -> Secret {
        Secret(SecretString::from(s))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}
