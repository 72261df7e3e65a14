//! Naming by the paste's words (`matcher/explain.rs`): a failure retold in other words is named
//! when its rare words are one entry's, far more than any other's, in a paste that reports
//! trouble and is surely about an Azure VM backup; otherwise the bot stays quiet.

mod support;

use backup_bot_index::Reason;
use support::*;

#[track_caller]
fn explained(text: &str, want: &str) {
    let got = best(text);
    let Some((id, reason, confidence)) = got else {
        panic!("{text}: no answer");
    };
    assert_eq!((id.as_str(), reason), (want, Reason::Words), "{text}");
    assert!((0.5..0.8).contains(&confidence), "{confidence}");
}

#[test]
fn a_failure_retold_in_other_words_is_named_by_its_rare_words() {
    explained(
        "backups of vm-db-03 fail every night when the nightly ETL pegs CPU and memory, snapshot extension times out",
        "extension-failed-timeout-vm-network-unresponsive",
    );
    explained(
        "vm-app-11 백업이 실패해요. 새벽 배치가 CPU랑 메모리를 다 잡아먹는 시간이라 스냅샷 확장이 시간 초과로 떨어지는 듯",
        "extension-failed-timeout-vm-network-unresponsive",
    );
}

#[test]
fn the_same_words_from_another_service_or_a_good_night_name_nothing() {
    // Key Vault is not a Recovery Services vault; an App Service is not a VM.
    quiet(
        "Key Vault backup fails: the function app's managed identity has no get permission on keys",
    );
    // Things went well: no trouble to name.
    quiet("VM backups went fine last night after the nightly ETL stopped pegging CPU and memory");
    // The words of a VM backup failure, from a SQL Server on the VM.
    quiet("SQL Server restore fails: the database restore point is beyond retention on the VM");
    // A deployment, not a backup.
    quiet("deploying the VM fails, the VM size we chose isn't offered in that region");
}

#[test]
fn a_retelling_two_entries_explain_alike_is_a_guess_and_stays_quiet() {
    // The agent and the snapshot task both "did not answer": no clear lead, no answer.
    let m = matcher().find("vm backup failing, agent not answering");
    assert!(
        m.best.as_ref().is_none_or(|b| b.reason != Reason::Words),
        "{:?}",
        m.best
    );
}
