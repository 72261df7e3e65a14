//! The companion article on agent and extension failures, imported beside the troubleshooting
//! page: its entries, causes walked with their own steps, its page in each language, codes a
//! letter apart, and the fixes of the Korean translation; steps that are not steps.

use crate::content::{imported_docs, COMPANION, MAIN};
use crate::support::run;
use backup_bot_index::{Entry, Kind, Lang};

fn both() -> Vec<Entry> {
    imported_docs(&[MAIN, COMPANION], &[Lang::Ko, Lang::En])
}

fn by_id<'a>(entries: &'a [Entry], id: &str) -> &'a Entry {
    entries
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entry {id}"))
}

fn from_companion(e: &Entry) -> bool {
    e.sources.values().all(|s| s.contains(COMPANION))
}

#[test]
fn every_error_section_of_the_companion_is_an_entry_in_both_languages() {
    let entries = imported_docs(&[COMPANION], &[Lang::Ko, Lang::En]);
    let errors: Vec<&Entry> = entries.iter().filter(|e| e.kind == Kind::Error).collect();
    assert_eq!(errors.len(), 10, "error sections");
    let mut codes: Vec<&str> = errors
        .iter()
        .flat_map(|e| e.codes.iter().map(String::as_str))
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "BackUpOperationFailed",
            "BackUpOperationFailedV2",
            "ExtensionOperationFailedForManagedDisks",
            "ExtensionSnapshotFailedNoNetwork",
            "GuestAgentSnapshotTaskStatusError",
            "UserErrorBackupOperationInProgress",
            "UserErrorGuestAgentStatusUnavailable",
            "UserErrorKeyvaultPermissionsNotConfigured",
            "UserErrorRpCollectionLimitReached",
            "UserErrorUnsupportedDiskSize",
            "UserErrorVmProvisioningStateFailed",
        ]
    );
    // One entry for both internal-error codes; ids are the kebab slug of the first code.
    let internal = by_id(&entries, "back-up-operation-failed");
    assert_eq!(
        internal.codes,
        ["BackUpOperationFailed", "BackUpOperationFailedV2"]
    );
    by_id(&entries, "user-error-guest-agent-status-unavailable");
    // The "Causes and solutions" subsections are general entries of their own.
    let mut generals: Vec<&str> = entries
        .iter()
        .filter(|e| e.kind == Kind::General)
        .map(|e| e.id.as_str())
        .collect();
    generals.sort();
    assert_eq!(
        generals,
        [
            "clean-up-restore-point-collection",
            "remove-lock-from-the-recovery-point-resource-group",
            "the-agent-installed-in-the-vm-is-out-of-date-for-linux-vms",
            "the-agent-is-installed-in-the-vm-but-its-unresponsive-for-windows-vms",
            "the-backup-extension-fails-to-update-or-load",
            "the-snapshot-status-cant-be-retrieved-or-a-snapshot-cant-be-taken",
            "vm-agent-configuration-options-are-not-set-for-linux-vms",
        ]
    );
    assert!(entries.iter().all(|e| e.editions.len() == 2));
}

/// The steps a walk goes through, with the heading that opens each cause.
fn headed(e: &Entry, lang: Lang) -> Vec<(usize, String)> {
    e.edition(lang)
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.starts_with("**"))
        .map(|(i, s)| (i, s.lines().next().unwrap().to_string()))
        .collect()
}

#[test]
fn an_error_that_links_its_causes_carries_each_cause_with_its_own_steps() {
    let entries = both();
    // (entry, how many causes or steps it links, the word that heads them)
    let linked = [
        ("guest-agent-snapshot-task-status-error", 5, "Cause"),
        ("extension-snapshot-failed-no-network", 2, "Cause"),
        ("extension-operation-failed-for-managed-disks", 4, "Cause"),
        ("back-up-operation-failed", 5, "Cause"),
        ("user-error-rp-collection-limit-reached", 2, "Step"),
    ];
    for (id, n, word) in linked {
        let e = by_id(&entries, id);
        for lang in [Lang::En, Lang::Ko] {
            let ed = e.edition(lang);
            assert!(
                !ed.cause.contains("](#") && ed.steps.iter().all(|s| !s.contains("](#")),
                "{id} {lang:?}: a bare anchor is left"
            );
            let heads: Vec<(usize, String)> = headed(e, lang)
                .into_iter()
                .filter(|(_, h)| h.contains(" — "))
                .collect();
            assert_eq!(heads.len(), n, "{id} {lang:?}: {heads:?}");
            for (k, (at, head)) in heads.iter().enumerate() {
                let label = match (lang, word) {
                    (Lang::En, w) => format!("**{w} {} of {n}**", k + 1),
                    (Lang::Ko, "Cause") => format!("**원인 {}/{n}**", k + 1),
                    (Lang::Ko, _) => format!("**{}/{n}단계**", k + 1),
                };
                assert!(head.starts_with(&label), "{id} {lang:?}: {head}");
                // The cause's own steps follow its heading, as its subsection has them.
                let next = heads.get(k + 1).map(|h| h.0).unwrap_or(ed.steps.len());
                assert!(next > *at, "{id} {lang:?}: cause {} has no step", k + 1);
            }
        }
    }
    // The steps under a cause are those of the subsection it links, in order.
    let gast = by_id(&entries, "guest-agent-snapshot-task-status-error");
    let windows = by_id(
        &entries,
        "the-agent-is-installed-in-the-vm-but-its-unresponsive-for-windows-vms",
    );
    for lang in [Lang::En, Lang::Ko] {
        let own = &windows.edition(lang).steps;
        let steps = &gast.edition(lang).steps;
        assert!(steps[0].ends_with(&own[0]), "{lang:?}: {}", steps[0]);
        assert_eq!(&steps[1..own.len()], &own[1..], "{lang:?}");
    }
    // The cause the page names without a link is walked with the resource group lock's steps.
    let internal = by_id(&entries, "back-up-operation-failed");
    let lock = by_id(
        &entries,
        "remove-lock-from-the-recovery-point-resource-group",
    );
    for lang in [Lang::En, Lang::Ko] {
        let steps = &internal.edition(lang).steps;
        let own = &lock.edition(lang).steps;
        assert_eq!(&steps[steps.len() - own.len() + 1..], &own[1..], "{lang:?}");
        assert!(steps[steps.len() - own.len()].ends_with(&own[0]));
    }
    let last = &internal.edition(Lang::En).steps[internal.edition(Lang::En).steps.len() - 4];
    assert!(
        last.starts_with("**Cause 5 of 5** — Backup service doesn't have permission to delete the old restore points because of a resource group lock."),
        "{last}"
    );
}

#[test]
fn companion_entries_link_to_the_companion_page_in_each_language() {
    let entries = both();
    let e = by_id(&entries, "user-error-guest-agent-status-unavailable");
    assert_eq!(
        e.page_url(Lang::Ko).unwrap(),
        "https://learn.microsoft.com/ko-kr/azure/backup/backup-azure-troubleshoot-vm-backup-fails-snapshot-timeout#UserErrorGuestAgentStatusUnavailable-vm-agent-unable-to-communicate-with-azure-backup"
    );
    assert_eq!(
        e.page_url(Lang::En).unwrap(),
        "https://learn.microsoft.com/en-us/azure/backup/backup-azure-troubleshoot-vm-backup-fails-snapshot-timeout#UserErrorGuestAgentStatusUnavailable-vm-agent-unable-to-communicate-with-azure-backup"
    );
    let page = COMPANION.trim_end_matches(".md");
    for e in entries.iter().filter(|e| from_companion(e)) {
        for lang in [Lang::Ko, Lang::En] {
            let loc = lang.locale();
            let url = e.page_url(lang).unwrap();
            assert!(
                url.starts_with(&format!(
                    "https://learn.microsoft.com/{loc}/azure/backup/{page}#"
                )),
                "{}: {url}",
                e.id
            );
            // Every learn.microsoft.com link of the answer is absolute, in the edition's locale.
            for l in &e.edition(lang).links {
                assert!(!l.url.contains("docs.microsoft.com"), "{}: {}", e.id, l.url);
                if let Some(rest) = l.url.strip_prefix("https://learn.microsoft.com/") {
                    assert!(rest.starts_with(&format!("{loc}/")), "{}: {}", e.id, l.url);
                }
            }
        }
    }
}

#[test]
fn codes_a_letter_apart_are_different_answers() {
    let entries = both();
    let owner = |code: &str| {
        entries
            .iter()
            .find(|e| e.codes.iter().any(|c| c == code))
            .map(|e| e.id.as_str())
    };
    assert_eq!(
        owner("ExtensionSnapshotFailedNoNetwork"),
        Some("extension-snapshot-failed-no-network")
    );
    assert_eq!(
        owner("ExtensionSnapshotFailedNoSecureNetwork"),
        Some("extension-snapshot-failed-no-secure-network")
    );
    // The binary answers each exact code with its own entry.
    for (code, id) in [
        (
            "ExtensionSnapshotFailedNoNetwork",
            "extension-snapshot-failed-no-network",
        ),
        (
            "ExtensionSnapshotFailedNoSecureNetwork",
            "extension-snapshot-failed-no-secure-network",
        ),
    ] {
        let out = run(&["ask", "--json", code], b"");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["entry"], id, "{code}: {v}");
    }
}

#[test]
fn a_korean_question_on_the_agent_gets_the_companion_in_korean() {
    let out = run(
        &["ask", "UserErrorGuestAgentStatusUnavailable 오류가 떠요"],
        b"",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("VM 에이전트가 Azure Backup과 통신할 수 없습니다"),
        "{text}"
    );
    assert!(
        text.contains("https://learn.microsoft.com/ko-kr/azure/backup/backup-azure-troubleshoot-vm-backup-fails-snapshot-timeout#"),
        "{text}"
    );
}

#[test]
fn the_translation_keeps_commands_and_identifiers() {
    let entries = both();
    let ko = |id: &str| by_id(&entries, id).edition(Lang::Ko).clone();
    // The first step unmounts with the umount command, not with "분리할".
    let freeze = ko("user-error-fs-freeze-failed");
    assert!(
        freeze.steps[0].starts_with("**umount** 명령을 사용 하 여"),
        "{}",
        freeze.steps[0]
    );
    assert!(!freeze.steps.iter().any(|s| s.contains("**분리할**")));
    // The service keeps its name, as Services.msc lists it.
    let basic = ko("basic-troubleshooting");
    assert!(basic
        .steps
        .iter()
        .any(|s| s.contains("**Windows Azure Guest Agent** 서비스가 **실행 중**인지")));
    // The waagent.conf keys and the line to look for stay as the file has them.
    let config = ko("vm-agent-configuration-options-are-not-set-for-linux-vms");
    let all = format!("{}\n{}", config.cause, config.steps.join("\n"));
    assert!(
        all.contains("**Extensions.Enable** 및 **Provisioning.Agent** 가 **y** 로"),
        "{all}"
    );
    assert!(!all.contains("**확장. 사용**"), "{all}");
    let linux = ko("the-agent-installed-in-the-vm-is-out-of-date-for-linux-vms");
    assert!(linux
        .steps
        .iter()
        .any(|s| s.contains("**Enable verbose logging (y|n)**")));
    // Portal labels translated as the Korean portal shows them stay Korean.
    assert!(basic.steps.iter().any(|s| s.contains("**실행 중**")));
}

#[test]
fn steps_are_real_steps() {
    let entries = both();
    // The default permissions describe the cause: they are not steps 1 and 2 of the walk.
    let parsing = by_id(&entries, "extension-config-parsing-failure");
    for lang in [Lang::En, Lang::Ko] {
        let ed = parsing.edition(lang);
        assert!(
            ed.cause
                .ends_with("- Everyone: (R,W)\n- BUILTIN\\Administrators: (F)"),
            "{lang:?}: {}",
            ed.cause
        );
        assert_eq!(ed.steps.len(), 3, "{lang:?}: {:#?}", ed.steps);
        assert!(ed.steps.iter().all(|s| !s.contains("Everyone: (R,W)")));
        // The sub-list of special access stays inside the step it belongs to.
        let sub = ed.steps[0].lines().filter(|l| l.starts_with("* ")).count();
        assert_eq!(sub, 8, "{lang:?}: {}", ed.steps[0]);
    }
    // "But…" continues the paragraph before it: no step starts with it.
    let setup = by_id(&entries, "set-up-the-vm-agent");
    for (lang, but) in [(Lang::En, "But "), (Lang::Ko, "그러나 ")] {
        let ed = setup.edition(lang);
        assert!(ed.steps.iter().all(|s| !s.starts_with(but)), "{lang:?}");
        assert!(ed.cause.contains(but), "{lang:?}: {}", ed.cause);
        assert_eq!(ed.steps.len(), 4, "{lang:?}: {:#?}", ed.steps);
    }
    // Both editions of a companion entry walk the same number of steps: a lead-in ("To uninstall
    // the extension:", "확장을 제거하려면") heads its first step instead of being one.
    for e in both().iter().filter(|e| from_companion(e)) {
        assert_eq!(
            e.edition(Lang::Ko).steps.len(),
            e.edition(Lang::En).steps.len(),
            "{}",
            e.id
        );
    }
}
