//! Fixes applied to a source document before it is read, each small and explained.
//!
//! Most are translation fixes: the Korean edition is a machine translation, and in a few places it
//! turned a command or an identifier (a command name, a configuration key, a line of a
//! configuration file, a service name) into Korean words. The reader has to type or find those
//! exactly, so they are put back as the English edition writes them. Portal labels the translation
//! rendered in Korean ("실행 중" for Running, "설정" for Settings) are right as they are: the portal
//! shows them in Korean too.
//!
//! A fix names its document and edition and the exact text it replaces; that text must occur
//! exactly once, so a revised source that no longer needs (or no longer fits) a fix is an error
//! rather than a silent miss.

use super::{ImportError, Source};
use crate::entry::Lang;
use std::borrow::Cow;

/// One fix of one edition of one document.
#[derive(Debug)]
pub struct Fix {
    /// The document's file name, e.g. `backup-azure-vms-troubleshoot.md`.
    pub document: &'static str,
    pub lang: Lang,
    /// The text as the source has it (must occur exactly once).
    pub find: &'static str,
    pub replace: &'static str,
    /// Why: what the source got wrong.
    pub why: &'static str,
}

const MAIN: &str = "backup-azure-vms-troubleshoot.md";
const COMPANION: &str = "backup-azure-troubleshoot-vm-backup-fails-snapshot-timeout.md";

/// The fixes, by document and edition.
pub const FIXES: &[Fix] = &[
    Fix {
        document: MAIN,
        lang: Lang::Ko,
        find: "**분리할** 명령",
        replace: "**umount** 명령",
        why: "the translation renamed the `umount` command to 분리할 (\"to unmount\")",
    },
    Fix {
        document: MAIN,
        lang: Lang::Ko,
        find: "**Windows Azure 게스트 에이전트** 서비스가 **실행 중**인지 확인합니다. **Windows Azure 게스트 에이전트** 서비스가",
        replace: "**Windows Azure Guest Agent** 서비스가 **실행 중**인지 확인합니다. **Windows Azure Guest Agent** 서비스가",
        why: "the service is listed in Services.msc by its English name, Windows Azure Guest Agent",
    },
    Fix {
        document: COMPANION,
        lang: Lang::Ko,
        find: "**자세한 정보 로깅 사용(y|n)**",
        replace: "**Enable verbose logging (y|n)**",
        why: "the line to look for in /etc/waagent.conf is English: `# Enable verbose logging (y|n)`",
    },
    Fix {
        document: COMPANION,
        lang: Lang::Ko,
        find: "구성 파일 옵션 **확장. 사용** 및 **프로 비전** . 백업이 작동 하려면 에이전트가 **y** 로 설정 되어 있어야 합니다.",
        replace: "백업이 작동하려면 구성 파일 옵션 **Extensions.Enable** 및 **Provisioning.Agent** 가 **y** 로 설정되어 있어야 합니다.",
        why: "the translation split the waagent.conf keys Extensions.Enable and Provisioning.Agent into Korean words",
    },
    Fix {
        document: COMPANION,
        lang: Lang::En,
        find: "**Cause 5: Backup service doesn't have permission to delete the old restore points because of a resource group lock**",
        replace: "**Cause 5: [Backup service doesn't have permission to delete the old restore points because of a resource group lock](#remove_lock_from_the_recovery_point_resource_group)**",
        why: "the page names this cause without linking it to its solution, the resource group lock subsection",
    },
    Fix {
        document: COMPANION,
        lang: Lang::Ko,
        find: "**원인 5: 백업 서비스에 리소스 그룹 잠금으로 인해 이전 복원 지점은 삭제할 권한이 없습니다.**",
        replace: "**원인 5: [백업 서비스에 리소스 그룹 잠금으로 인해 이전 복원 지점은 삭제할 권한이 없습니다.](#remove_lock_from_the_recovery_point_resource_group)**",
        why: "the page names this cause without linking it to its solution, the resource group lock subsection",
    },
];

/// The source's text with its fixes applied.
pub(super) fn apply<'a>(src: &Source<'a>) -> Result<Cow<'a, str>, ImportError> {
    let document = src.name.rsplit('/').next().unwrap_or(&src.name);
    let mut text = Cow::Borrowed(src.text);
    for fix in FIXES
        .iter()
        .filter(|f| f.document == document && f.lang == src.lang)
    {
        let found = text.matches(fix.find).count();
        if found != 1 {
            return Err(ImportError::Fix {
                source_name: src.name.clone(),
                find: fix.find.to_string(),
                found,
            });
        }
        text = Cow::Owned(text.replacen(fix.find, fix.replace, 1));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fix_applies_to_its_own_document_and_edition_only() {
        let ko = Source {
            lang: Lang::Ko,
            name: format!("ko-KR/{MAIN}"),
            text: "* **분리할** 명령을 사용 하 여 장치를 분리 합니다. **Windows Azure 게스트 에이전트** 서비스가 **실행 중**인지 확인합니다. **Windows Azure 게스트 에이전트** 서비스가",
        };
        let fixed = apply(&ko).unwrap();
        assert!(fixed.starts_with("* **umount** 명령을"), "{fixed}");
        let en = Source {
            lang: Lang::En,
            name: format!("en-US/{MAIN}"),
            text: "**분리할** 명령",
        };
        assert_eq!(apply(&en).unwrap(), "**분리할** 명령");
        let other = Source {
            lang: Lang::Ko,
            name: "ko-KR/another-page.md".into(),
            text: "**분리할** 명령",
        };
        assert_eq!(apply(&other).unwrap(), "**분리할** 명령");
    }

    #[test]
    fn a_fix_that_no_longer_fits_its_source_is_an_error() {
        let ko = Source {
            lang: Lang::Ko,
            name: format!("ko-KR/{MAIN}"),
            text: "the revised page says **umount** already",
        };
        let err = apply(&ko).unwrap_err().to_string();
        assert!(
            err.contains("ko-KR/backup-azure-vms-troubleshoot.md"),
            "{err}"
        );
        assert!(err.contains("분리할"), "{err}");
    }
}
