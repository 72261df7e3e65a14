//! The matcher's rules on the real content (and, for the ambiguous pair, on two made-up entries).

mod support;

use backup_bot_index::{entry, Kind, Lang, Matcher, Reason};
use support::*;

#[test]
fn exact_codes_anywhere_in_any_case() {
    names("UserErrorFsFreezeFailed", "user-error-fs-freeze-failed");
    names(
        "{\"error\":{\"code\":\"usererrorfsfreezefailed\"}}",
        "user-error-fs-freeze-failed",
    );
    names(
        "2026-11-20 ERROR [backup] code=USERERRORFSFREEZEFAILED vm=a",
        "user-error-fs-freeze-failed",
    );
    names("`UserErrorFsFreezeFailed`", "user-error-fs-freeze-failed");
    names(
        "https://learn.microsoft.com/azure/backup/backup-azure-vms-troubleshoot#usererrorfsfreezefailed---failed",
        "user-error-fs-freeze-failed",
    );
    assert_eq!(
        best("UserErrorFsFreezeFailed").unwrap().1,
        Reason::ExactCode
    );
}

#[test]
fn the_longer_code_wins() {
    names(
        "failed: UserErrorVmNotInDesirableState",
        "user-error-vm-not-in-desirable-state",
    );
    names("failed: VmNotInDesirableState", "vm-not-in-desirable-state");
}

#[test]
fn misspelt_codes_are_corrected() {
    // dropped, doubled, swapped letter; two edits; all lower case
    for (typo, want) in [
        ("UserErrorFsFrezeFailed", "user-error-fs-freeze-failed"),
        ("UserErrorFsFreezeFaileed", "user-error-fs-freeze-failed"),
        ("UserErrorFsFreezeFalied", "user-error-fs-freeze-failed"),
        ("UserErorrFsFreezeFaild", "user-error-fs-freeze-failed"),
        (
            "extensionstuckindeletonstate",
            "extension-stuck-in-deletion-state",
        ),
    ] {
        let (got, reason, conf) = best(&format!("backup failed with {typo}")).unwrap();
        assert_eq!(got, want, "{typo}");
        assert_eq!(reason, Reason::CorrectedCode);
        assert!((0.8..1.0).contains(&conf));
    }
}

#[test]
fn unrelated_camel_case_words_do_not_match() {
    for w in [
        "AuthorizationFailed",
        "QuotaExceeded",
        "CrashLoopBackOff",
        "SkuNotAvailable",
        "AllocationFailed",
        "RestorePointInternalError",
        "ExtensionProvisioningError",
        "VMExtensionProvisioningError",
        "OperationNotAllowed",
        "InvalidTemplateDeployment",
    ] {
        quiet(&format!("Deployment failed: {w}"));
    }
}

#[test]
fn an_ambiguous_typo_names_nobody_and_offers_both() {
    let mk = |id: &str, code: &str| {
        entry::parse(&format!(
            "+++\nid = \"{id}\"\nkind = \"error\"\ncodes = [\"{code}\"]\n+++\n\n<!-- en -->\n# {code}\n\n## Steps\n1. Do it.\n"
        ))
        .unwrap()
    };
    let m = Matcher::new(vec![
        mk("ab", "ExtensionSnapshotFailedAB"),
        mk("ba", "ExtensionSnapshotFailedBA"),
    ])
    .unwrap();
    let r = m.find("ExtensionSnapshotFailedAA");
    assert!(r.best.is_none());
    let mut ids: Vec<&str> = r
        .candidates
        .iter()
        .map(|c| m.entries()[c.entry].id.as_str())
        .collect();
    ids.sort();
    assert_eq!(ids, ["ab", "ba"]);
    assert!(
        m.find("ExtensionSnapshotFailedAC").best.is_some(),
        "one edit from AB only"
    );
}

#[test]
fn numeric_codes_only_when_introduced_as_error_codes() {
    names("작업 실패 - 오류 코드 380008", "azure-vm-offline");
    names("Error code: 400094", "resource-not-found");
    names("ErrorCode    : 320001", "resource-not-found");
    names("restore failed (error code 320001)", "resource-not-found");
    names(
        "{\"code\": \"380008\", \"message\": \"x\"}",
        "azure-vm-offline",
    );
    // Numbers beside an error word that are not introduced as an error code.
    quiet("SAP returned error 320001 for the invoice posting");
    quiet("we got 380008 errors in the last hour");
    quiet("exit code 380008");
    quiet("HTTP 500 error, request id 320001");
    quiet("order #400094 failed with an error");
    quiet("failed (error 320001)");
    quiet("request 3200011 error");
    quiet("error in job a1-320001-b2");
    quiet("2026-11-20T03:12:44.380008Z error");
    quiet("uploaded 380008 bytes");
    quiet("version 1.380008 error");
}

#[test]
fn a_question_names_a_bare_numeric_code() {
    for (q, want) in [
        ("320001", "resource-not-found"),
        ("400094", "resource-not-found"),
        ("380008", "azure-vm-offline"),
    ] {
        let m = matcher().ask(q);
        let best = m.best.expect(q);
        assert_eq!(matcher().entries()[best.entry].id, want, "{q}");
        assert!(best.confidence >= 0.9, "{q}: {}", best.confidence);
        // The same number inside a sentence still needs an error-code introducer.
        assert!(matcher().find(q).best.is_none(), "{q} pasted alone");
    }
}

#[test]
fn a_code_without_its_prefix_needs_backup_or_restore() {
    names(
        "restore of vm-1 failed with SkuNotAvailable in koreacentral",
        "user-error-sku-not-available",
    );
    names(
        "backup job failed: RequestDisallowedByPolicy on the restore point resource group",
        "user-error-request-disallowed-by-policy",
    );
    quiet("Deployment failed: SkuNotAvailable Standard_D4s_v5 in westus");
    quiet("RequestDisallowedByPolicy: resource 'st1' was disallowed by policy");
}

#[test]
fn shared_codes_need_backup_context() {
    quiet("ResourceNotFound: The Resource 'Microsoft.Web/sites/api' was not found.");
    names("Backup failed: ResourceNotFound", "resource-not-found");
    names("ResourceNotFound 320001", "resource-not-found");
    names("복원 중 ResourceNotFound 오류", "resource-not-found");
}

#[test]
fn several_codes_are_each_named() {
    let ids = named_ids("ExtensionSnapshotFailedCOM on a, UserErrorSkuNotAvailable on b, ExtensionSnapshotFailedCOM again");
    assert_eq!(
        ids,
        [
            "extension-snapshot-failed-com",
            "user-error-sku-not-available"
        ]
    );
}

#[test]
fn korean_messages_survive_spacing_spelling_and_particles() {
    for text in [
        "VSS (볼륨 섀도 복사본) 서비스가 잘못된 상태여서 스냅샷 작업이 실패했습니다",
        "VSS(볼륨 섀도 복사본) 서비스가 잘못 된 상태 여 서 스냅숏 작업이 실패 하였습니다",
        "볼륨 섀도 복사본 서비스가 잘못된 상태라서 스냅숏 작업에 실패했어요",
    ] {
        names(text, "extension-failed-vss-service-in-bad-state");
    }
    names(
        "백업 실패: 스냅숏 작업을 차단 하는 VM에서 잘못된 정책이 구성 되었습니다",
        "user-error-request-disallowed-by-policy",
    );
    names(
        "연결된 일부 디스크의 스냅숏 한도를 초과 하여 스냅샷 작업이 실패했습니다",
        "extension-failed-snapshot-limit-reached-error",
    );
}

#[test]
fn english_messages_survive_paraphrase() {
    names(
        "Backup failed: VM isn't in a state which allows backups",
        "user-error-vm-not-in-desirable-state",
    );
    names(
        "Snapshot operation failed because of a COM+ error",
        "extension-snapshot-failed-com",
    );
    names(
        "Failure parsing the configuration of the backup extension",
        "extension-config-parsing-failure",
    );
    names(
        "ERROR Restore failed because the snapshot of the VM wasn't found",
        "user-error-instant-rp-not-found",
    );
}

#[test]
fn table_rows_are_found_by_their_message_and_answer_in_the_paste_language() {
    let m = matcher().find("복원 실패: 리소스 그룹 할당량에 도달 했습니다");
    let b = m.best.expect("a match");
    assert_eq!(m.lang, Lang::Ko);
    assert_eq!(
        matcher().entries()[b.entry].id,
        "restore-the-resource-group-quota-has-been-reached"
    );
    names(
        "job error: Backup can't cancel the job because it isn't in progress",
        "job-backup-cant-cancel-the-job-because-it-isnt",
    );
}

#[test]
fn chatter_stays_quiet() {
    for text in [
        "백업 잘 끝났어요 👍",
        "the nightly backup completed successfully in 42 minutes",
        "backup",
        "백업",
        "스냅샷",
        "VM agent",
        "restore test went fine, thanks all",
        "can someone check why the backup vault bill went up?",
        "스냅샷 보존 기간을 30일로 바꿨습니다",
        "가상 머신 크기 변경 작업 완료했습니다",
        "The job is in a cancelable state now",
        "backup job failed last night, looking into it",
        "VM is not in a running state after the patch",
        "",
        "   ",
    ] {
        quiet(text);
    }
}

#[test]
fn general_sections_answer_questions_not_pastes() {
    quiet("VM agent update");
    let m = matcher().ask("how do I update the VM agent?");
    let b = m
        .best
        .expect("a direct question about the agent is answered");
    assert_eq!(matcher().entries()[b.entry].id, "update-the-vm-agent");
    let m = matcher().ask("네트워킹 DHCP 설정은 어떻게 하나요?");
    assert_eq!(
        matcher().entries()[m.best.expect("answered").entry].id,
        "networking"
    );
    // A paste that states a general section's title in full is strong evidence.
    names(
        "Disks appear offline after file restore",
        "disks-appear-offline-after-file-restore",
    );
}

#[test]
fn long_pastes_are_cut_and_do_not_match_scattered_words() {
    // Words of a message scattered over a long log are not the message.
    let mut log = String::new();
    for w in ["VM", "creation", "failed", "size", "selected", "available"] {
        log.push_str(&format!(
            "{w} {}\n",
            "lorem ipsum dolor sit amet ".repeat(8)
        ));
    }
    quiet(&log);
    let huge = "x".repeat(2_000_000) + "UserErrorFsFreezeFailed";
    quiet(&huge);
}

#[test]
fn the_companion_articles_codes_are_answered_from_it() {
    for (code, want) in [
        (
            "UserErrorGuestAgentStatusUnavailable",
            "user-error-guest-agent-status-unavailable",
        ),
        (
            "GuestAgentSnapshotTaskStatusError",
            "guest-agent-snapshot-task-status-error",
        ),
        ("BackUpOperationFailedV2", "back-up-operation-failed"),
        (
            "ExtensionSnapshotFailedNoNetwork",
            "extension-snapshot-failed-no-network",
        ),
        (
            "ExtensionSnapshotFailedNoSecureNetwork",
            "extension-snapshot-failed-no-secure-network",
        ),
    ] {
        let (got, reason, conf) = best(&format!("backup failed: {code}")).unwrap();
        assert_eq!(
            (got.as_str(), reason, conf),
            (want, Reason::ExactCode, 1.0),
            "{code}"
        );
    }
    let m = matcher().ask("UserErrorGuestAgentStatusUnavailable 오류가 나요");
    let e = &matcher().entries()[m.best.unwrap().entry];
    assert_eq!(m.lang, Lang::Ko);
    assert!(e
        .page_url(Lang::Ko)
        .unwrap()
        .starts_with("https://learn.microsoft.com/ko-kr/azure/backup/backup-azure-troubleshoot-vm-backup-fails-snapshot-timeout"));
}

#[test]
fn an_exact_code_wins_over_a_correction() {
    // NoNetwork is one letter group away from NoSecureNetwork: both are codes, each exact.
    let text = "ExtensionSnapshotFailedNoNetwork then ExtensionSnapshotFailedNoSecureNetwork";
    let m = matcher().find(text);
    let ids = named_ids(text);
    assert_eq!(
        ids,
        [
            "extension-snapshot-failed-no-network",
            "extension-snapshot-failed-no-secure-network"
        ]
    );
    assert!(m.named.iter().all(|c| c.reason == Reason::ExactCode));
}

#[test]
fn symptoms_name_their_entry_in_other_words() {
    for (text, want) in [
        // the extension's own log lines, with their timestamps and paths
        (
            "2026-03-02 01:10:44 [Microsoft.Azure.RecoveryServices.VMSnapshotLinux-1.0.9] Failed to FIFREEZE: /datadrive\n2026-03-02 01:10:44 freeze failed, thawing",
            "user-error-fs-freeze-failed",
        ),
        // the portal restating the cause
        (
            "Diagnose and solve problems: We have identified that your backup failed because one or more VSS writers on the VM were not in a stable state.",
            "extension-failed-vss-writer-in-bad-state",
        ),
        // a person's own account
        (
            "our Azure policy requires tags on every resource group, so the backup's restore point resource group can't be created and the VM backup fails",
            "user-error-request-disallowed-by-policy",
        ),
        // reworded Korean
        (
            "VM이 실행 중이 아니라서 복구 서비스 확장을 설치 못 했다고 백업이 실패해요",
            "azure-vm-offline",
        ),
    ] {
        names(text, want);
    }
}

#[test]
fn near_neighbours_are_told_apart() {
    names(
        "VM backup: vssadmin list writers shows SqlServerWriter State: [8] Failed, the VSS writer is not stable so the snapshot failed",
        "extension-failed-vss-writer-in-bad-state",
    );
    names(
        "VM backup fails: the Volume Shadow Copy service itself is hung and won't start, snapshot operation failed",
        "extension-failed-vss-service-in-bad-state",
    );
    names(
        "Azure backup fails: the restore point collection max limit has been reached because a lock on the AzureBackupRG resource group stops the cleanup",
        "user-error-rp-collection-limit-reached",
    );
    names(
        "VM backup failed: the snapshot count against this blob has been exceeded on a data disk",
        "extension-failed-snapshot-limit-reached-error",
    );
}

#[test]
fn the_same_sentence_from_other_tools_is_quiet() {
    for text in [
        "terraform apply: Error: the selected subnet doesn't exist in vnet-hub",
        "bicep deployment: The specified virtual network configuration isn't correct",
        "Jenkins: Cannot cancel the job, the job isn't in a cancelable state",
        "AKS 클러스터 만들다가 리소스 그룹 할당량에 도달했다고 실패했어요",
        "restic: fatal: config file fails while parsing config",
        "Windows System Restore on my laptop: the maximum number of restore points has been reached",
        "BitLocker: This drive is locked by BitLocker Drive Encryption. You must unlock this drive from Control Panel.",
    ] {
        quiet(text);
    }
}

#[test]
fn a_question_lists_only_related_entries() {
    // An unknown code: nearest known codes, never an unrelated table row.
    let m = matcher().ask("ExtensionSnapshotFailedNoNetworks2");
    assert!(m.best.is_none() || m.best.as_ref().unwrap().reason == Reason::CorrectedCode);
    for c in m.candidates.iter().chain(m.best.iter()) {
        let e = &matcher().entries()[c.entry];
        assert!(
            e.kind != Kind::Job && e.kind != Kind::Restore,
            "unrelated row {} offered",
            e.id
        );
    }
    assert!(matcher().ask("what's for lunch?").candidates.is_empty());
    let m = matcher().ask("antivirus blocks the backup extension");
    assert!(m
        .candidates
        .iter()
        .chain(m.best.iter())
        .any(|c| matcher().entries()[c.entry].id == "vm-restore-point-internal-error"));
}

#[test]
fn a_message_alone_must_be_there_nearly_whole() {
    // Two thirds of the Visual C++ message is any Windows machine's update log.
    quiet("Windows Update failed to install Visual C++ 2012 redistributable, error 0x80070643");
    // Other tools named beside an entry's words.
    quiet("COM+ was unable to talk to the Microsoft Distributed Transaction Coordinator when our BizTalk server starts");
    quiet("packer build: the VM extension failed to install, snapshot of the temp VM timed out");
}

#[test]
fn a_short_message_is_not_gathered_from_a_sentence_about_something_else() {
    // "The virtual machine doesn't exist": its three words spread over a sentence on a subnet.
    let m = matcher().find(
        "restore to a new VM fails saying the subnet I picked doesn't exist, but I can see it in the vnet",
    );
    let best = m.best.as_ref();
    assert!(
        best.is_none_or(|b| matcher().entries()[b.entry].id != "resource-not-found"),
        "{:?}",
        best.map(|b| &b.detail)
    );
    names(
        "backup failed: the VM that was backed up doesn't exist anymore",
        "resource-not-found",
    );
}
