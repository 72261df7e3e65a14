//! The importer on the real companion article: an error section whose steps send the reader to
//! subsections for the steps (not in the "Cause N" form) carries those subsections' steps inline,
//! each headed by its cause, in both editions.

use backup_bot_index::import;
use backup_bot_index::{Entry, Lang};
use std::path::PathBuf;

const COMPANION: &str = "backup-azure-troubleshoot-vm-backup-fails-snapshot-timeout.md";
/// The subsections' anchors.
const WINDOWS: &str = "the-agent-installed-in-the-vm-but-unresponsive-for-windows-vms";
const LINUX: &str = "the-agent-installed-in-the-vm-is-out-of-date-for-linux-vms";

fn companion() -> Vec<Entry> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../content/sources");
    let texts: Vec<(Lang, String, String)> = [(Lang::Ko, "ko-KR"), (Lang::En, "en-US")]
        .into_iter()
        .map(|(lang, loc)| {
            let name = format!("{loc}/{COMPANION}");
            (
                lang,
                name.clone(),
                std::fs::read_to_string(dir.join(name)).unwrap(),
            )
        })
        .collect();
    import::import_texts(&texts).unwrap()
}

fn by_id<'e>(entries: &'e [Entry], id: &str) -> &'e Entry {
    entries.iter().find(|e| e.id == id).unwrap()
}

#[test]
fn agent_status_unavailable_carries_the_agent_subsections_steps_as_its_causes() {
    let entries = companion();
    let e = by_id(&entries, "user-error-guest-agent-status-unavailable");
    let windows = by_id(
        &entries,
        "the-agent-is-installed-in-the-vm-but-its-unresponsive-for-windows-vms",
    );
    let linux = by_id(
        &entries,
        "the-agent-installed-in-the-vm-is-out-of-date-for-linux-vms",
    );
    for (lang, head1, head2) in [
        (Lang::En, "**Cause 1 of 2** — ", "**Cause 2 of 2** — "),
        (Lang::Ko, "**원인 1/2** — ", "**원인 2/2** — "),
    ] {
        let ed = &e.editions[&lang];
        let win = &windows.editions[&lang];
        let lin = &linux.editions[&lang];
        // No step sends the reader away for the agent's steps any more.
        for s in &ed.steps {
            assert!(!s.contains(WINDOWS) && !s.contains(LINUX), "{lang:?}: {s}");
        }
        // The section's own first step, then each cause with every one of its steps, in order,
        // then the section's own last step.
        let n = ed.steps.len();
        assert_eq!(n, 2 + win.steps.len() + lin.steps.len(), "{lang:?}");
        assert!(ed.steps[0].contains("Azure Portal"), "{}", ed.steps[0]);
        let first_win = &ed.steps[1];
        assert!(first_win.starts_with(head1), "{lang:?}: {first_win}");
        assert!(first_win.contains(win.title.trim_end_matches('.')));
        assert!(first_win.ends_with(&win.steps[0]));
        assert_eq!(ed.steps[2..1 + win.steps.len()], win.steps[1..]);
        let first_lin = &ed.steps[1 + win.steps.len()];
        assert!(first_lin.starts_with(head2), "{lang:?}: {first_lin}");
        assert!(first_lin.ends_with(&lin.steps[0]));
        assert!(ed.steps[n - 1].contains("usererrorvmprovisioningstatefailed"));
        // The cause names both, linked to their subsections on the article's page.
        for anchor in [WINDOWS, LINUX] {
            assert!(
                ed.cause.contains(&format!(
                    "backup-azure-troubleshoot-vm-backup-fails-snapshot-timeout#{anchor})"
                )),
                "{lang:?}: {}",
                ed.cause
            );
        }
    }
    // The Windows steps say to restart the guest agent service, inline.
    assert!(e.editions[&Lang::En]
        .steps
        .iter()
        .any(|s| s.contains("Windows Azure Guest Agent service")));
}
