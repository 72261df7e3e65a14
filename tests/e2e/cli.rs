//! The CLI as people and scripts use it: `ask`, `match --jsonl`, embedded content, `--content`.

use crate::support::{match_lines, root, run, run_in, temp_dir};
use serde_json::Value;

#[test]
fn ask_prints_the_reply_in_the_paste_language() {
    let out = run(&["ask", "UserErrorFsFreezeFailed"], b"");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("UserErrorFsFreezeFailed - Failed to freeze"),
        "{text}"
    );
    assert!(text.contains("Steps:\n 1. "), "{text}");
    assert!(text.contains("fsck"), "{text}");
    assert!(text.contains("https://learn.microsoft.com/en-us/azure/backup/backup-azure-vms-troubleshoot#usererrorfsfreezefailed"), "{text}");

    let out = run(
        &[
            "ask",
            "백업이",
            "UserErrorFsFreezeFailed",
            "오류로",
            "실패했어요",
        ],
        b"",
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("해결 단계:"), "{text}");
    assert!(text.contains("오류 메시지: VM의 탑재 지점을"), "{text}");
}

#[test]
fn ask_json_is_the_match() {
    let out = run(&["ask", "--json", "error", "code", "380008"], b"");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["matched"], true);
    assert_eq!(v["entry"], "azure-vm-offline");
    assert_eq!(v["codes"], serde_json::json!(["380008", "AzureVmOffline"]));
    assert!(v["reason"].as_str().unwrap().starts_with("numeric code"));
}

#[test]
fn ask_answers_a_question_with_no_code_and_says_when_it_does_not_know() {
    let out = run(
        &["ask", "how", "do", "I", "update", "the", "VM", "agent?"],
        b"",
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Update the VM Agent"), "{text}");
    let out = run(&["ask", "what's", "for", "lunch?"], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("I don't know this one."), "{text}");
    let out = run(&["ask", "점심", "뭐", "먹어요?"], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("이 오류는 모르겠습니다."), "{text}");
}

#[test]
fn ask_offers_did_you_mean_for_a_code_too_far_to_correct() {
    // "Writer" or "Service" dropped: too far for a typo, close enough to ask.
    let out = run(&["ask", "--json", "ExtensionFailedVssInBadState"], b"");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["matched"], false, "{v}");
    let cands: Vec<&str> = v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["entry"].as_str().unwrap())
        .collect();
    assert!(
        cands.contains(&"extension-failed-vss-writer-in-bad-state")
            && cands.contains(&"extension-failed-vss-service-in-bad-state"),
        "{cands:?}"
    );
    // The reply says the code is unknown and offers the nearest known codes.
    let out = run(&["ask", "ExtensionFailedVssInBadState"], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("I don't know this code."), "{text}");
    assert!(
        text.contains(
            "`ExtensionFailedVssWriterInBadState` · `ExtensionFailedVssServiceInBadState`"
        ),
        "{text}"
    );
    // As a paste in a channel, the same text stays quiet.
    let r = &crate::support::match_lines(&["ExtensionFailedVssInBadState".to_string()])[0];
    assert_eq!(r["matched"], false);
}

#[test]
fn match_jsonl_keeps_order_and_reports_bad_lines() {
    let input = concat!(
        "{\"text\": \"ExtensionFailedVssWriterInBadState\"}\n",
        "not json\n",
        "{\"text\": 42}\n",
        "{\"nope\": 1}\n",
        "\n",
        "{\"text\": \"오늘 점심 뭐 먹을까요?\"}\n",
        "{\"text\": \"복원 하다가 이런 메시지가 떴어요: 선택한 서브넷이 존재하지 않습니다.\"}"
    );
    let out = run(&["match", "--jsonl"], input.as_bytes());
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 7);
    assert_eq!(
        lines[0]["codes"],
        serde_json::json!(["ExtensionFailedVssWriterInBadState"])
    );
    assert_eq!(
        lines[0]["reason"],
        "exact code: exact code ExtensionFailedVssWriterInBadState"
    );
    for (i, line) in lines.iter().enumerate().take(5).skip(1) {
        assert!(line["error"].is_string(), "line {i}: {line}");
    }
    assert_eq!(lines[5]["matched"], false);
    assert_eq!(lines[6]["message"], "선택한 서브넷이 존재하지 않습니다.");
    assert_eq!(lines[6]["title"], "선택한 서브넷이 존재하지 않습니다.");
    for key in [
        "matched",
        "entry",
        "codes",
        "title",
        "message",
        "confidence",
        "reason",
        "entries",
        "candidates",
    ] {
        assert!(lines[6].get(key).is_some(), "{key}");
    }
}

#[test]
fn an_over_long_line_gets_an_error_and_the_run_goes_on() {
    let big = format!("{{\"text\": \"{}\"}}\n", "a".repeat(5 * 1024 * 1024));
    let input = format!("{big}{{\"text\": \"UserErrorSkuNotAvailable\"}}\n");
    let out = run(&["match", "--jsonl"], input.as_bytes());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["error"].as_str().unwrap().contains("longer than"));
    assert_eq!(lines[1]["entry"], "user-error-sku-not-available");
}

#[test]
fn a_one_megabyte_paste_is_read_for_codes_and_cut_for_messages() {
    // The code sits in the first 40 KB; filler after it is cut away.
    let mut text = String::from("ERROR UserErrorFsFreezeFailed\n");
    while text.len() < 1024 * 1024 {
        text.push_str("백업 로그 줄입니다 log line with nothing in it 0123456789\n");
    }
    let r = &match_lines(&[text.clone()])[0];
    assert_eq!(r["entry"], "user-error-fs-freeze-failed");
    // A code past the 40 KB cut is still seen: codes are looked for in the whole paste (an
    // agent log's error is often on its last line); messages only in its first 40 KB.
    let mut log = String::new();
    while log.len() < 269 * 1024 {
        log.push_str("2026-11-20T02:00:00Z INFO ExtHandler heartbeat ok, nothing to report\n");
    }
    log.push_str("2026-11-20T02:10:00Z ERROR backup failed: UserErrorFsFreezeFailed\n");
    let r = &match_lines(&[log])[0];
    assert_eq!(r["entry"], "user-error-fs-freeze-failed");
}

#[test]
fn several_codes_are_all_named() {
    let r = &match_lines(&[
        "app01: ExtensionSnapshotFailedCOM; db02: UserErrorFsFreezeFailed; web: 오류 코드 380008"
            .to_string(),
    ])[0];
    assert_eq!(
        r["entries"],
        serde_json::json!([
            "extension-snapshot-failed-com",
            "user-error-fs-freeze-failed",
            "azure-vm-offline"
        ])
    );
    assert_eq!(
        r["codes"].as_array().unwrap().len(),
        3,
        "the best entry's codes only: {r}"
    );
}

#[test]
fn the_binary_works_from_any_directory_and_with_a_content_folder() {
    let elsewhere = temp_dir("elsewhere");
    let out = run_in(
        &elsewhere,
        &["ask", "--json", "UserErrorSkuNotAvailable"],
        b"",
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["entry"], "user-error-sku-not-available");

    // --content: a folder with one edited entry.
    let dir = temp_dir("content");
    let src =
        std::fs::read_to_string(root().join("content/entries/user-error-sku-not-available.md"))
            .unwrap();
    std::fs::write(
        dir.join("x.md"),
        src.replace("UserErrorSkuNotAvailable", "UserErrorMadeUpForTheTest"),
    )
    .unwrap();
    let out = run_in(
        &elsewhere,
        &[
            "--content",
            dir.to_str().unwrap(),
            "ask",
            "--json",
            "UserErrorMadeUpForTheTest",
        ],
        b"",
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["codes"], serde_json::json!(["UserErrorMadeUpForTheTest"]));

    // A broken content folder is a clear error, not a crash.
    std::fs::write(dir.join("y.md"), "no front matter").unwrap();
    let out = run_in(
        &elsewhere,
        &["--content", dir.to_str().unwrap(), "ask", "x"],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("y.md:1: missing front matter"), "{err}");
}

#[test]
fn console_runs_a_scripted_session() {
    let script = "hello team\nbackup failed: UserErrorFsFreezeFailed on db01\n1\n2\n/backup-error help\n/backup-error ExtensionFailedVssInBadState\n1\n9\n\"\"\"\nWorkloadName Operation Status\nerp-app02    Backup    Failed\nErrorCode : 380008\n\"\"\"\n/quit\nUserErrorSkuNotAvailable\n";
    let out = run(&["console"], script.as_bytes());
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let blocks: Vec<&str> = text.split("bot (").collect();
    assert!(text.starts_with("(quiet)\n"), "{text}");
    assert!(
        blocks[1].starts_with("in the thread):\n  UserErrorFsFreezeFailed - Failed to freeze"),
        "{}",
        blocks[1]
    );
    assert!(blocks[1].contains("[1] Walk me through it"));
    assert!(blocks[2].contains("Step 1/2"), "{}", blocks[2]);
    assert!(blocks[3].contains("Thanks, recorded as fixed."));
    assert!(
        blocks[4].starts_with("only you see this):\n  /backup-error")
            && blocks[4].contains("`UserErrorSkuNotAvailable`")
    );
    assert!(
        blocks[5].contains("I don't know this code."),
        "{}",
        blocks[5]
    );
    assert!(blocks[6].contains(
        "ExtensionFailedVssWriterInBadState - Snapshot operation failed because VSS writers"
    ));
    assert!(text.contains("(no button [9] to press)"));
    assert!(
        blocks[7].contains("AzureVmOffline"),
        "a block of lines is one message: {}",
        blocks[7]
    );
    assert!(
        !text.contains("UserErrorSkuNotAvailable -"),
        "nothing after /quit"
    );
}

#[test]
fn match_jsonl_survives_hostile_lines() {
    let mut input: Vec<u8> = Vec::new();
    input.extend_from_slice(b"{\"text\": \"\xff\xfe bad utf-8\"}\n");
    input.extend_from_slice(format!("{}{}\n", "[".repeat(10_000), "]".repeat(10_000)).as_bytes());
    input.extend_from_slice("{\"text\": \"\\u0000\\ud800 UserErrorFsFreezeFailed\"}\n".as_bytes());
    input.extend_from_slice(
        "{\"text\": \"가\u{0301}\u{200b}\u{feff}ExtensionConfigParsingFailure\u{202e}\"}\n"
            .as_bytes(),
    );
    input.extend_from_slice(b"{\"text\": \"UserErrorSkuNotAvailable\"}");
    let out = run(&["match", "--jsonl"], &input);
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0]["error"].is_string() && lines[1]["error"].is_string());
    assert!(lines[2]["error"].is_string() || lines[2]["entry"] == "user-error-fs-freeze-failed");
    assert_eq!(lines[3]["entry"], "extension-config-parsing-failure");
    assert_eq!(
        lines[4]["entry"], "user-error-sku-not-available",
        "the last line needs no newline"
    );
}

#[test]
fn console_takes_mentions_help_numbers_and_bad_bytes() {
    let mut script: Vec<u8> = Vec::new();
    script.extend_from_slice(b"380008\n");
    script.extend_from_slice(b"@backup-bot what is UserErrorSkuNotAvailable\n");
    script.extend_from_slice(b"/help\n");
    script.extend_from_slice(b"\xff\xfe backup failed: UserErrorFsFreezeFailed \xc3\n");
    script.extend_from_slice(b"1\n");
    let out = run(&["console"], &script);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let blocks: Vec<&str> = text.split("bot (").collect();
    // A number with no buttons waiting is a message, not a button press.
    assert!(!text.contains("no button"), "{text}");
    assert!(text.starts_with("(quiet)\n"), "{text}");
    // A mention is a direct question: answered, though it is not a paste.
    assert!(
        blocks[1].starts_with("in the thread):\n  UserErrorSkuNotAvailable"),
        "{}",
        blocks[1]
    );
    // /help is the command's help.
    assert!(
        blocks[2].starts_with("only you see this):\n  /backup-error")
            && blocks[2].contains("Usage"),
        "{}",
        blocks[2]
    );
    // Bad bytes are replaced; the paste is answered and the session goes on.
    assert!(
        blocks[3].contains("UserErrorFsFreezeFailed - Failed to freeze"),
        "{}",
        blocks[3]
    );
    assert!(blocks[4].contains("Step 1/2"), "{}", blocks[4]);
}
