//! Links made absolute: learn.microsoft.com in the source's locale; images become links; each
//! entry lists its links in order.

use super::Source;
use crate::entry::{Link, Localized};

/// Makes every link absolute (learn.microsoft.com, the source's locale), turns images into links,
/// and lists the links of the entry in order.
pub(super) fn resolve_links(loc: &mut Localized, src: &Source) {
    let mut links: Vec<Link> = Vec::new();
    let mut fix = |s: &str| rewrite_links(s, src, &mut links);
    loc.cause = fix(&loc.cause);
    loc.steps = loc.steps.iter().map(|s| fix(s)).collect();
    loc.notes = loc.notes.iter().map(|s| fix(s)).collect();
    loc.links = links;
}

pub(super) fn rewrite_links(s: &str, src: &Source, links: &mut Vec<Link>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let Some(close_rel) = rest[open..].find("](") else {
            break;
        };
        let close = open + close_rel;
        let Some(end_rel) = rest[close + 2..].find(')') else {
            break;
        };
        let end = close + 2 + end_rel;
        let text = &rest[open + 1..close];
        if text.contains('[') {
            out.push_str(&rest[..open + 1]);
            rest = &rest[open + 1..];
            continue;
        }
        let image = open > 0 && rest.as_bytes()[open - 1] == b'!';
        let url = resolve_url(rest[close + 2..end].trim(), src);
        let text = text.trim();
        out.push_str(&rest[..if image { open - 1 } else { open }]);
        out.push_str(&format!("[{text}]({url})"));
        if !links.iter().any(|l| l.url == url) {
            links.push(Link {
                text: if text.is_empty() {
                    url.clone()
                } else {
                    text.to_string()
                },
                url,
            });
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Resolves a link of the page to an absolute URL on learn.microsoft.com in the source's locale.
pub fn resolve_url(url: &str, src: &Source) -> String {
    let loc = src.lang.locale();
    // docs.microsoft.com moved to learn.microsoft.com; the link keeps the source's locale.
    if let Some(path) = url
        .strip_prefix("https://docs.microsoft.com/")
        .or_else(|| url.strip_prefix("http://docs.microsoft.com/"))
    {
        let path = match path.split_once('/') {
            Some((first, rest)) if is_locale(first) => rest,
            _ => path,
        };
        return format!("https://learn.microsoft.com/{loc}/{path}");
    }
    if url.starts_with("https://") || url.starts_with("http://") {
        return url.to_string();
    }
    let page = src
        .name
        .rsplit('/')
        .next()
        .unwrap_or(&src.name)
        .trim_end_matches(".md");
    if let Some(anchor) = url.strip_prefix('#') {
        return format!("https://learn.microsoft.com/{loc}/azure/backup/{page}#{anchor}");
    }
    let (path, tail) = match url.find(['#', '?']) {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let path = path.strip_suffix(".md").unwrap_or(path);
    let abs: Vec<&str> = if let Some(p) = path.strip_prefix('/') {
        p.split('/').collect()
    } else {
        let mut parts: Vec<&str> = vec!["azure", "backup"];
        for seg in path.split('/') {
            match seg {
                "." | "" => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(s),
            }
        }
        parts
    };
    format!("https://learn.microsoft.com/{loc}/{}{tail}", abs.join("/"))
}
/// `en-us`, `ko-kr`: a locale segment of a documentation URL.
fn is_locale(seg: &str) -> bool {
    let b = seg.as_bytes();
    b.len() == 5 && b[2] == b'-' && seg.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Lang;

    fn src(lang: Lang) -> Source<'static> {
        Source {
            lang,
            name: "ko-KR/backup-azure-vms-troubleshoot.md".into(),
            text: "",
        }
    }

    #[test]
    fn relative_links_resolve_in_the_locale() {
        let s = src(Lang::Ko);
        assert_eq!(
            resolve_url("./backup-azure-arm-vms-prepare.md#install-the-vm-agent", &s),
            "https://learn.microsoft.com/ko-kr/azure/backup/backup-azure-arm-vms-prepare#install-the-vm-agent"
        );
        assert_eq!(
            resolve_url("../virtual-machines/extensions/update-linux-agent.md?toc=/x", &s),
            "https://learn.microsoft.com/ko-kr/azure/virtual-machines/extensions/update-linux-agent?toc=/x"
        );
        assert_eq!(
            resolve_url("/troubleshoot/azure/a#b", &s),
            "https://learn.microsoft.com/ko-kr/troubleshoot/azure/a#b"
        );
        assert_eq!(
            resolve_url("#vm-agent", &s),
            "https://learn.microsoft.com/ko-kr/azure/backup/backup-azure-vms-troubleshoot#vm-agent"
        );
    }

    #[test]
    fn docs_links_move_to_learn_in_the_locale() {
        let s = src(Lang::Ko);
        assert_eq!(
            resolve_url(
                "https://docs.microsoft.com/azure/backup/backup-azure-vms-encryption",
                &s
            ),
            "https://learn.microsoft.com/ko-kr/azure/backup/backup-azure-vms-encryption"
        );
        assert_eq!(
            resolve_url(
                "https://docs.microsoft.com/en-us/dotnet/framework/x?view=a#b",
                &s
            ),
            "https://learn.microsoft.com/ko-kr/dotnet/framework/x?view=a#b"
        );
        assert_eq!(
            resolve_url("https://github.com/Azure/WALinuxAgent", &s),
            "https://github.com/Azure/WALinuxAgent"
        );
    }

    #[test]
    fn images_become_links() {
        let mut links = vec![];
        let out = rewrite_links("see ![Alt](media/x/y.png) here", &src(Lang::En), &mut links);
        assert_eq!(
            out,
            "see [Alt](https://learn.microsoft.com/en-us/azure/backup/media/x/y.png) here"
        );
        assert_eq!(links.len(), 1);
    }
}
