//! The bot's own phrases, in Korean and English.

use backup_bot_index::Lang;

pub struct Words {
    pub message: &'static str,
    pub cause: &'static str,
    pub steps: &'static str,
    pub also: &'static str,
    pub confidence: &'static str,
    pub source: &'static str,
    pub reason_exact: &'static str,
    pub reason_corrected: &'static str,
    pub reason_numeric: &'static str,
    pub reason_message: &'static str,
    pub reason_title: &'static str,
    pub reason_symptom: &'static str,
    pub reason_picked: &'static str,
    pub reason_words: &'static str,
    pub did_you_mean: &'static str,
    pub search_results: &'static str,
    pub unknown: &'static str,
    pub unknown_code: &'static str,
    pub unknown_code_alone: &'static str,
    pub nearest_codes: &'static str,
    pub nearest_entries: &'static str,
    pub truncated: &'static str,
    pub guide: &'static str,
    pub next: &'static str,
    pub fixed: &'static str,
    pub still_failing: &'static str,
    pub wrong: &'static str,
    pub step: &'static str,
    pub thanks: &'static str,
    pub offer_escalation: &'static str,
    pub escalate: &'static str,
    pub escalation_not_set_up: &'static str,
    pub escalate_where: &'static str,
    pub pointer: &'static str,
    pub help_title: &'static str,
    pub usage: &'static str,
    pub usage_text: &'static str,
    pub known_codes: &'static str,
    pub removed: &'static str,
    pub muted: &'static str,
    pub unmuted: &'static str,
    pub bad_duration: &'static str,
    pub no_entry: &'static str,
    pub walk_done: &'static str,
}

impl Words {
    pub fn minutes_ago(&self, m: u64) -> String {
        if std::ptr::eq(self, &KO) {
            if m == 0 {
                "방금".to_string()
            } else {
                format!("{m}분 전")
            }
        } else if m == 0 {
            "just now".to_string()
        } else if m == 1 {
            "1 minute ago".to_string()
        } else {
            format!("{m} minutes ago")
        }
    }
}

pub static KO: Words = Words {
    message: "오류 메시지",
    cause: "원인",
    steps: "해결 단계",
    also: "이 메시지에 있는 다른 오류",
    confidence: "신뢰도",
    source: "출처",
    reason_exact: "오류 코드",
    reason_corrected: "오타를 고친 코드",
    reason_numeric: "숫자 오류 코드",
    reason_message: "오류 메시지",
    reason_title: "제목",
    reason_symptom: "알려진 증상",
    reason_picked: "선택한 항목",
    reason_words: "증상을 설명한 말",
    did_you_mean: "확실하지 않습니다. 다음 중 하나인가요?",
    search_results: "찾은 항목:",
    unknown: "이 오류는 모르겠습니다. 오류 코드(예: UserErrorFsFreezeFailed)나 포털의 오류 메시지를 그대로 붙여 넣거나 `/backup-error 검색어`로 찾아 보세요.",
    unknown_code: "모르는 오류 코드입니다.",
    unknown_code_alone: "모르는 오류 코드입니다. 알려진 코드는 `/backup-error help`로 볼 수 있습니다.",
    nearest_codes: "가장 가까운 알려진 코드",
    nearest_entries: "뜻이 가까운 항목",
    truncated: "텍스트가 길어서 일부는 읽지 않았습니다(오류 메시지는 앞부분에서만 찾습니다).",
    guide: "단계별로 안내",
    next: "완료, 다음 단계",
    fixed: "해결됐어요",
    still_failing: "여전히 실패해요",
    wrong: "잘못된 답변",
    step: "단계",
    thanks: "알려 주셔서 고맙습니다. 해결된 것으로 기록했습니다.",
    offer_escalation: "기록했습니다. 당직자에게 에스컬레이션할까요?",
    escalate: "에스컬레이션",
    escalation_not_set_up: "에스컬레이션이 아직 설정되지 않았습니다. 당직자에게 직접 연락해 주세요.",
    escalate_where: "어느 스레드인지 알 수 없습니다. 스레드 안에서 봇을 멘션해 `escalate [메모]`라고 쓰거나, `/backup-error escalate 오류코드 메모`를 사용하세요.",
    pointer: "같은 오류에 대한 답변이 이 채널에 있습니다",
    help_title: "/backup-error 사용법",
    usage: "사용법",
    usage_text: "`/backup-error 코드` 항목 보기 · `/backup-error 검색어나 오류 메시지` 찾기 · `/backup-error mute 1h` / `unmute` 이 채널 알림 끄기/켜기 · `/backup-error help`",
    known_codes: "알려진 코드",
    removed: "답변을 지웠습니다. 알려 주셔서 고맙습니다.",
    muted: "이 채널에서 자동 답변을 끕니다. 기간:",
    unmuted: "이 채널에서 자동 답변을 다시 켭니다.",
    bad_duration: "기간을 알 수 없습니다. 예: `/backup-error mute 30m`, `1h`, `2d`",
    no_entry: "해당 항목이 더 이상 없습니다.",
    walk_done: "모든 단계를 마쳤습니다.",
};

pub static EN: Words = Words {
    message: "Error message",
    cause: "Cause",
    steps: "Steps",
    also: "Also named in this message",
    confidence: "confidence",
    source: "source",
    reason_exact: "exact code",
    reason_corrected: "corrected code",
    reason_numeric: "numeric code",
    reason_message: "error message",
    reason_title: "title",
    reason_symptom: "known symptom",
    reason_picked: "your pick",
    reason_words: "the words you used",
    did_you_mean: "I'm not sure. Did you mean one of these?",
    search_results: "Closest entries:",
    unknown: "I don't know this one. Paste the error code (such as UserErrorFsFreezeFailed) or the error message exactly as the portal shows it, or search with `/backup-error some words`.",
    unknown_code: "I don't know this code.",
    unknown_code_alone: "I don't know this code, and no known code is close to it. `/backup-error help` lists the known codes.",
    nearest_codes: "Nearest known codes",
    nearest_entries: "Nearest in meaning",
    truncated: "Part of this text was left out: it is longer than the bot reads (error messages are looked for near its start).",
    guide: "Walk me through it",
    next: "Done, next",
    fixed: "That fixed it",
    still_failing: "Still failing",
    wrong: "Wrong answer",
    step: "Step",
    thanks: "Thanks, recorded as fixed.",
    offer_escalation: "Recorded. Escalate to the on-call engineers?",
    escalate: "Escalate",
    escalation_not_set_up: "Escalation is not set up yet: please contact the on-call engineer directly.",
    escalate_where: "I can't tell which thread this is about. Mention me in the thread with `escalate [note]`, or use `/backup-error escalate CODE note`.",
    pointer: "Same error answered in this channel",
    help_title: "/backup-error",
    usage: "Usage",
    usage_text: "`/backup-error CODE` shows an entry · `/backup-error some words or a message` searches · `/backup-error mute 1h` / `unmute` silences this channel · `/backup-error help`",
    known_codes: "Known codes",
    removed: "Removed that answer. Thanks for telling me.",
    muted: "Automatic answers are off in this channel for",
    unmuted: "Automatic answers are back on in this channel.",
    bad_duration: "I can't read that duration. Try `/backup-error mute 30m`, `1h` or `2d`.",
    no_entry: "That entry no longer exists.",
    walk_done: "That was the last step.",
};

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Ko => &KO,
        Lang::En => &EN,
    }
}
