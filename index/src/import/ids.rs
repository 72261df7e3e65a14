//! Entry ids: the kebab-case of an entry's first code; for a table row, `job-`/`restore-` and the
//! first eight words of its English message; for a general section, its English heading's slug.
//! Ids never change once published: other tools and stored state refer to them.

use crate::entry::{Entry, Kind, Lang};

pub(super) fn entry_id(e: &Entry) -> String {
    if let Some(code) = e.codes.iter().find(|c| !is_numeric(c)) {
        return kebab(code);
    }
    let base = e
        .editions
        .get(&Lang::En)
        .map(|l| {
            l.messages
                .first()
                .map(|m| m.text.clone())
                .unwrap_or(l.title.clone())
        })
        .or_else(|| {
            e.sources
                .values()
                .next()
                .and_then(|s| s.rsplit('#').next().map(str::to_string))
        })
        .unwrap_or_default();
    // Headings are short; messages are cut at eight words.
    let words = if e.kind == Kind::General {
        usize::MAX
    } else {
        8
    };
    let slug: String = slug(&base)
        .split('-')
        .filter(|w| !w.is_empty())
        .take(words)
        .collect::<Vec<_>>()
        .join("-");
    match e.kind {
        Kind::Job => format!("job-{slug}"),
        Kind::Restore => format!("restore-{slug}"),
        _ => slug,
    }
}

/// CamelCase to kebab-case: `BCMV2VMNotFound` -> `bcmv2-vm-not-found`.
pub fn kebab(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            // "VHDs": a plural s after an acronym stays with it.
            let plural = chars.get(i + 1) == Some(&'s')
                && chars.get(i + 2).is_none_or(|n| n.is_ascii_uppercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower && !plural)
            {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// DocFX-style heading slug: lower case, punctuation dropped, spaces to hyphens.
pub fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c == ' ' {
                Some('-')
            } else if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

pub(super) fn is_numeric(code: &str) -> bool {
    !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit())
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_docfx() {
        assert_eq!(
            slug("ExtensionSnapshotFailedCOM / ExtensionInstallationFailedCOM - Extension installation/operation failed"),
            "extensionsnapshotfailedcom--extensioninstallationfailedcom---extension-installationoperation-failed"
        );
        assert_eq!(
            slug("VmNotInDesirableState - The VM isn't in a state"),
            "vmnotindesirablestate---the-vm-isnt-in-a-state"
        );
    }

    #[test]
    fn kebab_case_ids() {
        assert_eq!(kebab("BCMV2VMNotFound"), "bcmv2-vm-not-found");
        assert_eq!(
            kebab("VMRestorePointInternalError"),
            "vm-restore-point-internal-error"
        );
        assert_eq!(
            kebab("ExtensionSnapshotFailedCOM"),
            "extension-snapshot-failed-com"
        );
        assert_eq!(
            kebab("CopyingVHDsFromBackUpVault"),
            "copying-vhds-from-back-up-vault"
        );
    }
}
