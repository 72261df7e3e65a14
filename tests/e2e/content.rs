//! The checked-in content: the importer reproduces it, its counts hold, and lint passes.

use crate::support::{root, run, temp_dir};
use backup_bot_index::import::{self, Source};
use backup_bot_index::{entry, lint, Kind, Lang};

fn sources() -> Vec<(Lang, String, String)> {
    let dir = root().join("content/sources");
    [(Lang::Ko, "ko-KR"), (Lang::En, "en-US")]
        .into_iter()
        .map(|(lang, loc)| {
            let name = format!("{loc}/backup-azure-vms-troubleshoot.md");
            let text = std::fs::read_to_string(dir.join(&name)).unwrap();
            (lang, name, text)
        })
        .collect()
}

fn imported(langs: &[Lang]) -> Vec<backup_bot_index::Entry> {
    let srcs = sources();
    let srcs: Vec<Source> = srcs
        .iter()
        .filter(|(l, _, _)| langs.contains(l))
        .map(|(lang, name, text)| Source {
            lang: *lang,
            name: name.clone(),
            text,
        })
        .collect();
    import::import(&srcs)
}

#[test]
fn importer_reproduces_the_checked_in_content() {
    let entries = imported(&[Lang::Ko, Lang::En]);
    let dir = root().join("content/entries");
    let files = backup_bot_index::entry_files(&dir).unwrap();
    assert_eq!(files.len(), entries.len(), "one file per imported entry");
    for e in &entries {
        let path = dir.join(format!("{}.md", e.id));
        let checked_in = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "{} is missing: run `backup-bot content import`",
                path.display()
            )
        });
        assert_eq!(
            checked_in,
            entry::write(e),
            "{} differs from the importer's output",
            path.display()
        );
    }
}

#[test]
fn korean_edition_counts() {
    let entries = imported(&[Lang::Ko]);
    let errors: Vec<_> = entries.iter().filter(|e| e.kind == Kind::Error).collect();
    assert_eq!(errors.len(), 21, "Korean error sections");
    let named: Vec<&String> = errors
        .iter()
        .flat_map(|e| &e.codes)
        .filter(|c| !c.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    assert_eq!(named.len(), 24, "named codes: {named:?}");
    let mut numeric: Vec<&String> = errors
        .iter()
        .flat_map(|e| &e.codes)
        .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    numeric.sort();
    assert_eq!(numeric, ["320001", "380008", "400094"]);
    assert_eq!(
        entries.iter().filter(|e| e.kind == Kind::Job).count(),
        4,
        "job rows"
    );
    assert_eq!(
        entries.iter().filter(|e| e.kind == Kind::Restore).count(),
        11,
        "restore rows"
    );
    // The translation garbled the VSS service code; the heading's code is recovered.
    assert!(named
        .iter()
        .any(|c| *c == "ExtensionFailedVssServiceInBadState"));
    assert!(!named
        .iter()
        .any(|c| c.contains("stateful") || c.contains(' ')));
}

#[test]
fn english_edition_adds_two_codes_and_pairs_with_korean() {
    let entries = imported(&[Lang::Ko, Lang::En]);
    let en_only: Vec<_> = entries
        .iter()
        .filter(|e| !e.editions.contains_key(&Lang::Ko))
        .flat_map(|e| e.codes.clone())
        .collect();
    assert_eq!(
        en_only,
        [
            "UserErrorInstantRpNotFound",
            "UserErrorMigrationFromTrustedLaunchVMToNonTrustedVMNotAllowed"
        ]
    );
    let named = entries
        .iter()
        .flat_map(|e| &e.codes)
        .filter(|c| !c.bytes().all(|b| b.is_ascii_digit()))
        .count();
    assert_eq!(named, 26);
    // Everything else has both editions: rows paired by position, sections by code or anchor.
    let both = entries.iter().filter(|e| e.editions.len() == 2).count();
    assert_eq!(both, entries.len() - 2);
    let row = entries
        .iter()
        .find(|e| {
            e.kind == Kind::Restore
                && e.edition(Lang::En).messages[0].text == "The selected subnet doesn't exist"
        })
        .expect("the subnet row");
    assert_eq!(
        row.edition(Lang::Ko).messages[0].text,
        "선택한 서브넷이 존재하지 않습니다."
    );
    assert_eq!(
        row.edition(Lang::Ko).steps,
        ["존재하는 서브넷을 선택합니다."]
    );
}

#[test]
fn no_html_remnants_and_every_link_absolute() {
    for e in imported(&[Lang::Ko, Lang::En]) {
        let text = entry::write(&e);
        for tag in ["<br", "<ol", "</ol", "<li", "</ul", "<a name"] {
            assert!(!text.to_lowercase().contains(tag), "{}: {tag}", e.id);
        }
        for ed in e.editions.values() {
            for l in &ed.links {
                assert!(l.url.starts_with("https://"), "{}: {}", e.id, l.url);
            }
        }
    }
}

#[test]
fn commands_stay_code() {
    let entries = imported(&[Lang::Ko, Lang::En]);
    let all: String = entries.iter().map(entry::write).collect();
    for cmd in [
        "REG ADD \"HKLM",
        "net stop VSS",
        "msdtc -install`",
        "`vssadmin list writers`",
    ] {
        assert!(all.contains(cmd), "{cmd}");
    }
    assert!(all.contains("```console\n   net stop VSS\n   net start VSS\n   ```"));
}

#[test]
fn lint_passes_on_content() {
    let problems = lint::lint_dir(&root().join("content/entries")).unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
    let out = run(&["content", "lint", "content/entries"], b"");
    assert!(out.status.success());
}

#[test]
fn lint_reports_file_and_line_and_fails() {
    let dir = temp_dir("lint");
    let good = std::fs::read_to_string(
        root().join("content/entries/copying-vhds-from-back-up-vault-taking-long-time.md"),
    )
    .unwrap();
    std::fs::write(dir.join("a.md"), &good).unwrap();
    let dup = good.replace(
        "id = \"copying-vhds-from-back-up-vault-taking-long-time\"",
        "id = \"copy\"",
    );
    std::fs::write(dir.join("b.md"), dup).unwrap();
    let rel = good
        .replacen("https://learn.microsoft.com/", "./", 1)
        .replace(
            "id = \"copying-vhds-from-back-up-vault-taking-long-time\"",
            "id = \"c\"\nowner = \"x\"",
        );
    std::fs::write(dir.join("c.md"), rel).unwrap();
    let out = run(&["content", "lint", dir.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("b.md:4: duplicate code `CopyingVHDsFromBackUpVaultTakingLongTime`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("c.md:3: front matter: unknown field `owner`"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("c.md:") && l.contains("relative link")),
        "{stdout}"
    );
}

#[test]
fn import_command_writes_what_is_checked_in() {
    let dir = temp_dir("import");
    let out = run(
        &[
            "content",
            "import",
            "content/sources/ko-KR/backup-azure-vms-troubleshoot.md",
            "--lang",
            "ko",
            "content/sources/en-US/backup-azure-vms-troubleshoot.md",
            "--lang",
            "en",
            "--out",
            dir.to_str().unwrap(),
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in backup_bot_index::entry_files(&root().join("content/entries")).unwrap() {
        let mine = std::fs::read_to_string(dir.join(f.file_name().unwrap())).unwrap();
        assert_eq!(
            mine,
            std::fs::read_to_string(&f).unwrap(),
            "{}",
            f.display()
        );
    }
}
