//! What a paste is about, beyond the words of one entry: does it report a failure, does it speak
//! of Azure Backup or the VM, does it name another tool. The paste is lower-cased once, on first
//! use, and only when a rule asks.

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::cell::OnceCell;
use std::sync::OnceLock;

/// Words that say a paste reports a failure (short messages need one of the paste's own).
const FAILURE: &[&str] = &[
    "backup",
    "백업",
    // "restor": restore, restoring, restoration
    "restor",
    "복원",
    "error",
    "오류",
    "에러",
    "fail",
    "실패",
    "job",
    "작업",
    "vault",
    "자격 증명",
    "snapshot",
    "스냅",
];

/// Words that make a paste about backup (codes other services share count only with one).
const BACKUP: &[&str] = &[
    "backup",
    "백업",
    "vault",
    "자격 증명 모음",
    "recovery services",
    "recoveryservices",
    // "restor": restore, restoring, restoration
    "restor",
    "복원",
    "snapshot",
    "스냅샷",
    "스냅숏",
    "iaasvm",
    "protected item",
    "protection",
];

/// Signs of Azure Backup itself: enough for a message or symptom to count, whatever else the
/// paste names. Distinctive enough to be looked for inside words (`IaaSBcdrExtension.exe`).
const AZURE_BACKUP: &[&str] = &[
    "azure backup",
    "recovery services",
    "recoveryservices",
    "자격 증명 모음",
    "볼트",
    "waagent",
    "walinuxagent",
    "vmsnapshot",
    "iaasbcdr",
    "azurebackuprg",
    "iaasvm",
    "vm agent",
    "vm 에이전트",
    "guest agent",
    "게스트 에이전트",
    "restore point collection",
    "복원 지점 컬렉션",
    "instant restore",
    "azure vm",
    "azure 가상",
    "azure 백업",
];

/// Signs of Azure Backup that are ordinary word starts in other names ("vault" is in
/// "Commvault", another backup product): these count only where a word starts ("vaults" does).
const AZURE_BACKUP_WORD_STARTS: &[&str] = &["vault"];

/// Signs of a VM backup in general words: enough unless the paste names another tool.
/// ASCII words count as whole words ("vm" is not inside "vmware").
const VM_BACKUP: &[&str] = &[
    "backup",
    "백업",
    "snapshot",
    "스냅샷",
    "스냅숏",
    "extension",
    "확장",
    "agent",
    "에이전트",
    "azure",
    "애저",
    "vm",
    "vms",
    "virtual machine",
    "가상 머신",
    // "restor": restore, restoring, restoration
    "restor",
    "복원",
    "vss",
    "recovery point",
    "복구 지점",
];

/// Words of backup or restore: what a job or restore table row needs to count.
const BACKUP_OR_RESTORE: &[&str] = &[
    "backup",
    "백업",
    // "restor": restore, restoring, restoration
    "restor",
    "복원",
    "vault",
    "자격 증명 모음",
    "recovery services",
    "recovery point",
    "복구 지점",
];

/// Other tools and places whose messages can read like the content's: a paste that names one is
/// not an Azure VM backup failure unless it also names Azure Backup itself.
const OTHER_TOOLS: &[&str] = &[
    "terraform",
    "bicep",
    "pulumi",
    "ansible",
    "jenkins",
    "gitlab",
    "github actions",
    "azure devops",
    "pipeline",
    "circleci",
    "teamcity",
    "buildkite",
    "aks",
    "kubernetes",
    "kubectl",
    "helm",
    "eks",
    "gke",
    "gcp",
    "aws",
    "ec2",
    "ebs",
    "vmware",
    "vsphere",
    "hyper-v",
    "veeam",
    "restic",
    "borg",
    "duplicati",
    "commvault",
    "veritas",
    "netbackup",
    "acronis",
    "bacula",
    "rubrik",
    "cohesity",
    "time machine",
    "windows server backup",
    "backup exec",
    "wbadmin",
    "system restore",
    "file history",
    "synology",
    "proxmox",
    "vzdump",
    "qmp",
    "qemu-ga",
    "kvm",
    "qemu",
    "libvirt",
    "duplicity",
    "pg_dump",
    "mysqldump",
    "packer",
    "datadog",
    "zerto",
    "biztalk",
    "chrome",
    "firefox",
    "vscode",
    "vs code",
    // Azure services with backups, agents and extensions of their own
    "site recovery",
    "mobility service",
    "asr",
    "app service",
    "function app",
    // the same tools written in Hangul
    "테라폼",
    "젠킨스",
    "깃랩",
    "깃허브 액션",
    "앤서블",
    "쿠버네티스",
    "프록스목스",
    "비엠웨어",
    "on-prem",
    "on-premises",
    "온프레미스",
    "물리 서버",
    "physical server",
    "workstation",
    "laptop",
    "노트북",
];

/// Words that put a numeric code in context: it counts only introduced as an error code.
const NUMERIC_INTRODUCERS: &[&str] = &[
    "error code",
    "errorcode",
    "error_code",
    "error-code",
    "err code",
    "오류 코드",
    "오류코드",
    "에러 코드",
    "에러코드",
    // a JSON key: `"code": "380008"` (the closing quote is trimmed with the separators)
    "\"code",
];

/// A paste, and what its words say about it (each rule computed once, on first use).
/// Words of a paste that reports trouble (for naming by the paste's words alone, where a
/// backup word is not enough: "backups look good today" reports nothing). English words as word
/// starts ("hang" is not in "change"); Korean ones anywhere.
const TROUBLE: &[&str] = &[
    "fail",
    "fails",
    "failed",
    "failing",
    "failure",
    "error",
    "can't",
    "cannot",
    "can not",
    "couldn't",
    "could not",
    "unable",
    "won't",
    "wont",
    "doesn't",
    "doesnt",
    "didn't",
    "isn't",
    "not working",
    "stuck",
    "hang",
    "hangs",
    "hanging",
    "hung",
    "timeout",
    "timed out",
    "time out",
    "times out",
    "slow",
    "slower",
    "slowly",
    "forever",
    "too long",
    "denied",
    "blocked",
    "blocking",
    "missing",
    "not ready",
    "not available",
    "unavailable",
    "crash",
    "killed",
    "exceed",
    "greyed",
    "grayed",
    "broken",
    "keeps",
    "spamming",
    "no longer",
    "refus",
    "never",
    "실패",
    "오류",
    "에러",
    "안 돼",
    "안돼",
    "안 되",
    "안되",
    "안 됨",
    "안됨",
    "못",
    "멈춰",
    "멈췄",
    "멈춤",
    "걸려",
    "느려",
    "오래 걸",
    "안 보",
    "없다고",
    "죽어",
    "죽었",
    "비활성",
    "막아",
    "막혀",
    "막는",
    "막힘",
    "떨어짐",
    "안 나와",
    "초과",
    "거부",
    "시간째",
    "일째",
];

/// Words of a paste that reports things going well: no trouble to name.
const SUCCESS: &[&str] = &[
    "succe",
    "completed",
    "went fine",
    "fine",
    "looks good",
    "look good",
    "green",
    "no issues",
    "잘 끝",
    "정상",
    "성공",
    "문제없",
    "문제 없",
    "완료",
];

/// Other Azure services and other software whose failures read like a VM backup's in a
/// paste's own words (a SQL restore, a Key Vault reference, a deployment, a NAS snapshot).
const OTHER_SERVICES: &[&str] = &[
    "sql",
    "oracle",
    "rman",
    "docker",
    "nas",
    "desktop",
    "데스크톱",
    "scale set",
    "vmss",
    "gallery",
    "template",
    "deploy",
    "배포",
    "postgres",
    "mysql",
    "cosmos",
    "azure files",
    "file share",
    "exchange",
    "azure monitor",
    "web app",
    "webapp",
    "웹앱",
];

/// A backup or a restore, in a paste's words.
const BACKUP_ACT: &[&str] = &[
    "backup",
    "백업",
    "snapshot",
    "스냅샷",
    "스냅숏",
    "restor",
    "복원",
];

/// A virtual machine, in a paste's words.
const VM_WORDS: &[&str] = &["vm", "vms", "virtual machine", "가상 머신", "가상머신"];

/// Key Vault is not a Recovery Services vault.
const KEY_VAULT: &[&str] = &[
    "key vault",
    "keyvault",
    "key-vault",
    "키 자격 증명 모음",
    "키 볼트",
    "키볼트",
];

pub(crate) struct Context<'a> {
    raw: &'a str,
    lower: OnceCell<String>,
    failure: OnceCell<bool>,
    backup: OnceCell<bool>,
}

impl<'a> Context<'a> {
    pub fn new(raw: &'a str) -> Context<'a> {
        Context {
            raw,
            lower: OnceCell::new(),
            failure: OnceCell::new(),
            backup: OnceCell::new(),
        }
    }

    pub fn raw(&self) -> &'a str {
        self.raw
    }

    pub fn lower(&self) -> &str {
        self.lower
            .get_or_init(|| crate::analysis::lowercase(self.raw))
    }

    /// The paste reports a failure (or speaks of backup).
    pub fn failure(&self) -> bool {
        *self
            .failure
            .get_or_init(|| FAILURE_WORDS.anywhere(self.lower()))
    }

    /// A failure word that is not one of the message's own words ("job" does not make
    /// "Cancellation isn't supported for this job type" a failure report).
    pub fn failure_beyond(&self, message_lower: &str) -> bool {
        FAILURE_WORDS
            .occurrences(self.lower())
            .any(|(w, _, _)| !message_lower.contains(w))
    }

    /// The paste speaks of backup (for codes other services share).
    pub fn backup(&self) -> bool {
        *self
            .backup
            .get_or_init(|| BACKUP_WORDS.anywhere(self.lower()))
    }

    /// The paste names Azure Backup itself (its vault, agent, extensions, resource groups).
    pub fn azure_backup(&self) -> bool {
        AZURE_BACKUP_WORDS.anywhere(self.lower())
            || AZURE_BACKUP_WORD_START_WORDS.as_word(self.lower())
    }

    /// The paste speaks of a VM backup in general words.
    pub fn vm_backup(&self) -> bool {
        VM_BACKUP_WORDS.as_word(self.lower())
    }

    /// The paste speaks of backup or restore (for the job and restore table rows).
    pub fn backup_or_restore(&self) -> bool {
        BACKUP_OR_RESTORE_WORDS.as_word(self.lower())
    }

    /// The paste reports trouble (a failure, something stuck, slow or refused) and not that
    /// things went well.
    pub fn trouble(&self) -> bool {
        TROUBLE_WORDS.as_word(self.lower()) && !SUCCESS_WORDS.as_word(self.lower())
    }

    /// The paste is surely about an Azure VM backup: it names neither another tool nor
    /// another service whose failures read alike, and it names Azure Backup itself (Key Vault
    /// is not a vault of ours), or a VM and its backup or restore.
    pub fn surely_vm_backup(&self) -> bool {
        let lower = self.lower();
        if self.other_tool() || OTHER_SERVICE_WORDS.as_word(lower) {
            return false;
        }
        let names_azure_backup = if KEY_VAULT_WORDS.anywhere(lower) {
            let mut rest = lower.to_string();
            for k in KEY_VAULT {
                rest = rest.replace(k, " ");
            }
            AZURE_BACKUP_WORDS.anywhere(&rest) || AZURE_BACKUP_WORD_START_WORDS.as_word(&rest)
        } else {
            self.azure_backup()
        };
        names_azure_backup || (BACKUP_ACT_WORDS.as_word(lower) && VM_WORDS_SET.as_word(lower))
    }

    /// The paste names another tool or place (terraform, a CI system, AKS, another backup
    /// product, an on-premises server).
    pub fn other_tool(&self) -> bool {
        OTHER_TOOLS_WORDS.as_word(self.lower())
    }
}

static TROUBLE_WORDS: WordSet = WordSet::new(TROUBLE);
static SUCCESS_WORDS: WordSet = WordSet::new(SUCCESS);
static OTHER_SERVICE_WORDS: WordSet = WordSet::new(OTHER_SERVICES);
static BACKUP_ACT_WORDS: WordSet = WordSet::new(BACKUP_ACT);
static VM_WORDS_SET: WordSet = WordSet::new(VM_WORDS);
static KEY_VAULT_WORDS: WordSet = WordSet::new(KEY_VAULT);
static FAILURE_WORDS: WordSet = WordSet::new(FAILURE);
static BACKUP_WORDS: WordSet = WordSet::new(BACKUP);
static AZURE_BACKUP_WORDS: WordSet = WordSet::new(AZURE_BACKUP);
static AZURE_BACKUP_WORD_START_WORDS: WordSet = WordSet::new(AZURE_BACKUP_WORD_STARTS);
static VM_BACKUP_WORDS: WordSet = WordSet::new(VM_BACKUP);
static BACKUP_OR_RESTORE_WORDS: WordSet = WordSet::new(BACKUP_OR_RESTORE);
static OTHER_TOOLS_WORDS: WordSet = WordSet::new(OTHER_TOOLS);

/// A list of words, looked for in one pass over the paste (one automaton for the whole list,
/// built on first use) instead of one search per word.
struct WordSet {
    words: &'static [&'static str],
    automaton: OnceLock<AhoCorasick>,
}

impl WordSet {
    const fn new(words: &'static [&'static str]) -> WordSet {
        WordSet {
            words,
            automaton: OnceLock::new(),
        }
    }

    /// Every occurrence of every word in `lower` (overlapping ones too): the word, its start
    /// and its end.
    fn occurrences<'h>(
        &'static self,
        lower: &'h str,
    ) -> impl Iterator<Item = (&'static str, usize, usize)> + 'h {
        let ac = self.automaton.get_or_init(|| {
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .build(self.words)
                .expect("a word list is a valid automaton")
        });
        let words = self.words;
        ac.find_overlapping_iter(lower)
            .map(move |m| (words[m.pattern().as_usize()], m.start(), m.end()))
    }

    /// One of the words stands in `lower`, inside a word or not.
    fn anywhere(&'static self, lower: &str) -> bool {
        self.occurrences(lower).next().is_some()
    }

    /// One of the words stands in `lower` as a word. An ASCII word must start a word, and a
    /// short one ([`WHOLE_WORD_MAX`] letters or fewer) must stand whole: "restor" is in
    /// "restoring", "vm" is not in "vmware". Korean words may carry particles.
    fn as_word(&'static self, lower: &str) -> bool {
        let bytes = lower.as_bytes();
        self.occurrences(lower).any(|(w, s, e)| {
            if !w.is_ascii() {
                return true;
            }
            let before = s == 0 || !bytes[s - 1].is_ascii_alphanumeric();
            let after =
                w.len() > WHOLE_WORD_MAX || e == bytes.len() || !bytes[e].is_ascii_alphanumeric();
            before && after
        })
    }
}

/// ASCII words this short must stand whole (see [`WordSet::as_word`]).
const WHOLE_WORD_MAX: usize = 4;

/// A numeric code counts only as a whole number (not part of an id, a version, a time or an
/// amount) introduced as an error code on its line: "error code 380008", "Error code: 380008",
/// "오류 코드 380008", `"code": "380008"`. "error 320001", "exit code 1", "request id 320001",
/// "order #400094" and "380008 errors" are not codes.
pub(crate) fn numeric_introduced(text: &str, s: usize, e: usize) -> bool {
    whole_number(text, s, e) && introducer_before(text, s)
}

/// The number stands alone: not inside an id, a version, a decimal, a path or a time.
pub(crate) fn whole_number(text: &str, s: usize, e: usize) -> bool {
    let bytes = text.as_bytes();
    let before = s.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(e).copied();
    let after2 = bytes.get(e + 1).copied();
    if before.is_some_and(|b| matches!(b, b'.' | b'-' | b'_' | b'/' | b'#' | b'+' | b'$')) {
        return false;
    }
    !(after.is_some_and(|a| matches!(a, b'-' | b'_' | b'/'))
        || (after.is_some_and(|a| matches!(a, b'.' | b':' | b','))
            && after2.is_some_and(|b| b.is_ascii_digit())))
}

/// What stands before the number on its line, after separators (spaces, `:`, `=`, quotes,
/// brackets), ends with an error-code introducer.
fn introducer_before(text: &str, s: usize) -> bool {
    let line_start = text[..s].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let mut from = s.saturating_sub(40).max(line_start);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = text[from..s]
        .trim_end_matches(|c: char| c.is_whitespace() || ":=\"'([{`".contains(c))
        .to_lowercase();
    NUMERIC_INTRODUCERS.iter().any(|w| before.ends_with(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn introduced(t: &str) -> bool {
        let s = t.find("380008").unwrap();
        numeric_introduced(t, s, s + 6)
    }

    #[test]
    fn numeric_codes_must_be_introduced_as_error_codes() {
        for t in [
            "작업 실패 - 오류 코드 380008",
            "Error code: 380008",
            "error code 380008 on vm-1",
            "{\"code\": \"380008\", \"message\": \"x\"}",
            "errorCode=380008",
        ] {
            assert!(introduced(t), "{t}");
        }
        for t in [
            "error 380008",
            "we got 380008 errors in the last hour",
            "exit code 380008",
            "request id 380008",
            "order #380008",
            "request id 1-380008-22 error code",
            "error code at 380008.5 ms",
            "processed 380008 rows",
        ] {
            assert!(!introduced(t), "{t}");
        }
    }

    #[test]
    fn ascii_signs_are_whole_words() {
        assert!(Context::new("the VM is off").vm_backup());
        assert!(!Context::new("vmware tools updated").vm_backup());
        assert!(Context::new("vmware tools updated").other_tool());
        assert!(Context::new("VM 백업이 실패").vm_backup());
        assert!(!Context::new("the pipeline is green").azure_backup());
        assert!(Context::new("restoring vm-2 failed").backup_or_restore());
        assert!(!Context::new("the sapphire build").other_tool());
    }

    #[test]
    fn a_vault_is_a_sign_only_as_a_word() {
        assert!(Context::new("the vault says the job failed").azure_backup());
        assert!(Context::new("both vaults show it").azure_backup());
        assert!(!Context::new("Commvault: failure in parsing the config").azure_backup());
        assert!(Context::new("Commvault: failure in parsing the config").other_tool());
        assert!(Context::new("백업 자격 증명 모음에서").azure_backup());
    }

    #[test]
    fn other_azure_services_and_tools_in_hangul_are_other_tools() {
        for t in [
            "Azure Site Recovery: the Mobility service extension failed to install on the VM",
            "ASR replication health is critical",
            "우리 젠킨스 VM 아웃바운드 인터넷이 막혀서 빌드가 실패",
            "the App Service backup failed because the storage account is full",
            "Proxmox vzdump snapshot failed",
        ] {
            assert!(Context::new(t).other_tool(), "{t}");
        }
    }
}
