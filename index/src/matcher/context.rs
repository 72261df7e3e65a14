//! What a paste is about, beyond the words of one entry: does it report a failure, does it speak
//! of Azure Backup or the VM, does it name another tool. The paste is lower-cased once, on first
//! use, and only when a rule asks.

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::cell::OnceCell;
use std::sync::OnceLock;

use super::words::*;

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
