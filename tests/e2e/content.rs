//! The checked-in content: the importer reproduces it from both documents (and the curated
//! symptoms), its counts hold, today's ids never change, and lint passes.

use crate::support::{root, run, temp_dir};
use backup_bot_index::import::{self, Source};
use backup_bot_index::{entry, lint, Entry, Kind, Lang};

/// The troubleshooting page and its companion article on agent and extension failures.
pub const MAIN: &str = "backup-azure-vms-troubleshoot.md";
pub const COMPANION: &str = "backup-azure-troubleshoot-vm-backup-fails-snapshot-timeout.md";

/// `(lang, "ko-KR/x.md", text)` for each edition of each document asked for.
fn sources(docs: &[&str], langs: &[Lang]) -> Vec<(Lang, String, String)> {
    let dir = root().join("content/sources");
    let mut out = Vec::new();
    for doc in docs {
        for (lang, loc) in [(Lang::Ko, "ko-KR"), (Lang::En, "en-US")] {
            if langs.contains(&lang) {
                let name = format!("{loc}/{doc}");
                let text = std::fs::read_to_string(dir.join(&name)).unwrap();
                out.push((lang, name, text));
            }
        }
    }
    out
}

/// The importer's entries for these documents and editions (no symptoms).
pub fn imported_docs(docs: &[&str], langs: &[Lang]) -> Vec<Entry> {
    import::import_texts(&sources(docs, langs)).unwrap()
}

fn imported(langs: &[Lang]) -> Vec<Entry> {
    imported_docs(&[MAIN, COMPANION], langs)
}

/// The ids of the 46 entries of the troubleshooting page: other tools and stored state refer to
/// them, so they never change.
const PUBLISHED_IDS: [&str; 46] = [
    "azure-vm-offline",
    "backup-or-restore-takes-time",
    "basic-troubleshooting",
    "copying-vhds-from-back-up-vault-taking-long-time",
    "disks-appear-offline-after-file-restore",
    "extension-config-parsing-failure",
    "extension-failed-snapshot-limit-reached-error",
    "extension-failed-timeout-vm-network-unresponsive",
    "extension-failed-vss-service-in-bad-state",
    "extension-failed-vss-writer-in-bad-state",
    "extension-snapshot-bitlocker-error",
    "extension-snapshot-failed-com",
    "extension-snapshot-failed-no-secure-network",
    "extension-stuck-in-deletion-state",
    "extension-vc-redist-installation-failure",
    "job-backup-cant-cancel-the-job-because-it-isnt",
    "job-backup-failed-to-cancel-the-job",
    "job-cancellation-isnt-supported-for-this-job-type",
    "job-the-job-isnt-in-a-cancelable-state",
    "networking",
    "resource-not-found",
    "restore-restore-failed-with-a-cloud-internal-error",
    "restore-the-backup-service-doesnt-have-authorization-to-access",
    "restore-the-cloud-service-has-reached-its-limit-on",
    "restore-the-recovery-services-vault-and-target-storage-account",
    "restore-the-resource-group-quota-has-been-reached",
    "restore-the-selected-dns-name-is-already-taken",
    "restore-the-selected-subnet-doesnt-exist",
    "restore-the-specified-cloud-service-is-using-a-reserved",
    "restore-the-specified-virtual-network-configuration-isnt-correct",
    "restore-the-storage-account-specified-for-the-restore-operation",
    "restore-the-type-of-storage-account-specified-for-the",
    "set-up-the-vm-agent",
    "troubleshoot-vm-snapshot-issues",
    "update-the-vm-agent",
    "user-error-bcm-premium-storage-quota-error",
    "user-error-fs-freeze-failed",
    "user-error-instant-rp-not-found",
    "user-error-market-place-vm-not-supported",
    "user-error-migration-from-trusted-launch-vm-to-non-trusted-vm-not-allowed",
    "user-error-request-disallowed-by-policy",
    "user-error-sku-not-available",
    "user-error-vm-not-in-desirable-state",
    "validate-vm-agent-installation",
    "vm-not-in-desirable-state",
    "vm-restore-point-internal-error",
];

#[test]
fn published_ids_never_change() {
    let dir = root().join("content/entries");
    for id in PUBLISHED_IDS {
        let path = dir.join(format!("{id}.md"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{} is gone: ids never change", path.display()));
        assert_eq!(entry::parse(&text).unwrap().id, id, "{}", path.display());
    }
    // The page alone still gives exactly these ids, whatever else is imported beside it.
    let mut page: Vec<String> = imported_docs(&[MAIN], &[Lang::Ko, Lang::En])
        .into_iter()
        .map(|e| e.id)
        .collect();
    page.sort();
    assert_eq!(page, PUBLISHED_IDS);
}

#[test]
fn importer_reproduces_the_checked_in_content() {
    let mut entries = imported(&[Lang::Ko, Lang::En]);
    let symptoms = import::symptoms::read_dir(&root().join("content/symptoms")).unwrap();
    import::symptoms::merge(&mut entries, &symptoms).unwrap();
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
    let entries = imported_docs(&[MAIN], &[Lang::Ko]);
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
    assert_eq!(named, 26 + 11, "the page's codes and the companion's");
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
    // Both documents in both languages, in any order: editions pair by file name.
    let out = run(
        &[
            "content",
            "import",
            &format!("content/sources/en-US/{COMPANION}"),
            &format!("content/sources/ko-KR/{MAIN}"),
            &format!("content/sources/ko-KR/{COMPANION}"),
            &format!("content/sources/en-US/{MAIN}"),
            "--out",
            dir.to_str().unwrap(),
            "--symptoms",
            "content/symptoms",
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

#[test]
fn import_command_reads_the_symptoms_beside_its_output_and_names_a_bad_file() {
    let dir = temp_dir("import-symptoms");
    let symptoms = dir.join("symptoms");
    std::fs::create_dir_all(&symptoms).unwrap();
    let good =
        std::fs::read_to_string(root().join("content/symptoms/user-error-fs-freeze-failed.toml"))
            .unwrap();
    std::fs::write(symptoms.join("user-error-fs-freeze-failed.toml"), &good).unwrap();
    let out_dir = dir.join("entries");
    let args = |out_dir: &std::path::Path| -> Vec<String> {
        vec![
            "content".into(),
            "import".into(),
            format!("content/sources/ko-KR/{MAIN}"),
            format!("content/sources/en-US/{MAIN}"),
            "--out".into(),
            out_dir.display().to_string(),
        ]
    };
    let argv = args(&out_dir);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let out = run(&argv, b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(out_dir.join("user-error-fs-freeze-failed.md")).unwrap();
    let e = entry::parse(&written).unwrap();
    assert!(
        e.editions[&Lang::En]
            .symptoms
            .iter()
            .any(|s| s == "Failed to receive timely Thaw from parent process"),
        "{written}"
    );
    // A symptom with Markdown code is an error that names its file; nothing is half-written.
    let bad = symptoms.join("user-error-sku-not-available.toml");
    std::fs::write(
        &bad,
        "id = \"user-error-sku-not-available\"\n[en]\nsymptoms = [\"run `az vm list-skus`\"]\n",
    )
    .unwrap();
    let out = run(&argv, b"");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("user-error-sku-not-available.toml") && stderr.contains("backticks"),
        "{stderr}"
    );
}

#[test]
fn a_code_in_two_documents_is_an_error() {
    let page =
        std::fs::read_to_string(root().join(format!("content/sources/en-US/{MAIN}"))).unwrap();
    // The main page beside another English page: the importer's error.
    let clash = |other: &str| {
        let srcs = [
            Source {
                lang: Lang::En,
                name: format!("en-US/{MAIN}"),
                text: &page,
            },
            Source {
                lang: Lang::En,
                name: "en-US/another-page.md".into(),
                text: other,
            },
        ];
        import::import(&srcs).unwrap_err().to_string()
    };
    let err = clash("## UserErrorFsFreezeFailed - Another page says it too\n\n**Error code**: UserErrorFsFreezeFailed<br>\n**Error message**: Failed to freeze.\n\nBecause.\n\n1. Retry.\n");
    assert!(err.contains("`UserErrorFsFreezeFailed`"), "{err}");
    assert!(err.contains("en-US/another-page.md#"), "{err}");
    assert!(err.contains(&format!("en-US/{MAIN}#")), "{err}");
    // So is an id: a section of another page with the same heading as one of this page.
    let err = clash("## Networking\n\nDHCP must be enabled.\n\n1. Enable it.\n");
    assert!(err.starts_with("id `networking` comes from both"), "{err}");
}
