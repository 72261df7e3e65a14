//! Every store behaviour, on SQLite always and on PostgreSQL when `TEST_POSTGRES_URL` is set
//! (each test on a database of its own, created and dropped here).

use backup_bot_core::chat::{About, Change, Facts, Needs, Progress};
use backup_bot_core::chat::{Feedback, FeedbackKind};
use backup_bot_core::escalation::Walked;
use backup_bot_index::Lang;
use backup_bot_store::{Claim, OpenError, Store};
use sqlx::Connection;

mod support;
use support::{on_each, sqlite};

fn claim(event: Option<&str>, channel: &str, ts: &str) -> Claim {
    Claim {
        platform: "slack".into(),
        event: event.map(str::to_string),
        key: (channel.into(), ts.into()),
        at: 1_000,
    }
}

fn about(entry: &str) -> About {
    About {
        entry: entry.into(),
        lang: Lang::Ko,
    }
}

#[tokio::test]
async fn a_claim_is_taken_once_whoever_asks() {
    on_each("claims", |s| async move {
        assert!(s.claim(&claim(Some("Ev1"), "C1", "1.1")).await.unwrap());
        // The same event again (Slack's retry), or the same message as another event.
        assert!(!s.claim(&claim(Some("Ev1"), "C1", "1.1")).await.unwrap());
        assert!(!s.claim(&claim(Some("Ev2"), "C1", "1.1")).await.unwrap());
        // Nothing of a refused claim stays: Ev2 is free for another message.
        assert!(s.claim(&claim(Some("Ev2"), "C1", "2.2")).await.unwrap());
        // Another platform's message of the same ids is another message.
        let mut other = claim(None, "C1", "1.1");
        other.platform = "discord".into();
        assert!(s.claim(&other).await.unwrap());
        // A claim given back (nothing was posted) can be taken again.
        s.release(&claim(Some("Ev1"), "C1", "1.1")).await.unwrap();
        assert!(s.claim(&claim(Some("Ev1"), "C1", "1.1")).await.unwrap());
        // Many at once: exactly one wins.
        let tries: Vec<_> = (0..16)
            .map(|i| {
                let s = s.clone();
                tokio::spawn(async move {
                    s.claim(&claim(Some(&format!("Race{i}")), "C9", "9.9"))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut won = 0;
        for t in tries {
            won += usize::from(t.await.unwrap());
        }
        assert_eq!(won, 1);
        // Claims taken elsewhere are written back without disturbing those already there.
        s.restore(&[
            claim(Some("Ev1"), "C1", "1.1"),
            claim(Some("Ev7"), "C7", "7.7"),
        ])
        .await
        .unwrap();
        assert!(!s.claim(&claim(Some("Ev7"), "C7", "7.7")).await.unwrap());
        assert!(s
            .claimed("slack", &("C7".into(), "7.7".into()))
            .await
            .unwrap());
    })
    .await;
}

#[tokio::test]
async fn facts_are_what_the_changes_left() {
    on_each("facts", |s| async move {
        let needs = Needs {
            mute: Some("C1".into()),
            reply: Some(("C1".into(), "1.1".into())),
            about: Some(("C1".into(), "5.5".into())),
            last: Some(("C1".into(), "user-error-fs-freeze-failed".into())),
            progress: Some(("C1".into(), "1.1".into())),
        };
        assert_eq!(s.facts("slack", &needs).await.unwrap(), Facts::default());
        let changes = [
            Change::Mute {
                channel: "C1".into(),
                until: 2_000,
            },
            Change::Reply {
                channel: "C1".into(),
                source: "1.1".into(),
                reply: "5.5".into(),
                about: about("user-error-fs-freeze-failed"),
            },
            Change::About {
                channel: "C1".into(),
                message: "5.5".into(),
                about: about("user-error-fs-freeze-failed"),
            },
            Change::Answered {
                channel: "C1".into(),
                entry: "user-error-fs-freeze-failed".into(),
                reply: "5.5".into(),
                at: 1_500,
            },
            Change::Progress {
                channel: "C1".into(),
                thread: "1.1".into(),
                progress: Progress {
                    entry: "user-error-fs-freeze-failed".into(),
                    step: 2,
                    user: Some("U1".into()),
                    at: 1_600,
                    trail: vec![
                        Walked {
                            step: 0,
                            user: Some("U1".into()),
                            at: 1_550,
                        },
                        Walked {
                            step: 2,
                            user: Some("U2".into()),
                            at: 1_600,
                        },
                    ],
                },
            },
        ];
        for c in &changes {
            s.apply("slack", c, 1_500).await.unwrap();
        }
        let f = s.facts("slack", &needs).await.unwrap();
        assert_eq!(f.muted_until, Some(2_000));
        assert_eq!(
            f.reply,
            Some(("5.5".into(), about("user-error-fs-freeze-failed")))
        );
        assert_eq!(f.about, Some(about("user-error-fs-freeze-failed")));
        assert_eq!(f.last, Some((1_500, "5.5".into())));
        assert_eq!(f.progress.as_ref().map(|p| p.step), Some(2));
        // The walk's trail reads back whole: what an escalation says was tried.
        let trail = &f.progress.as_ref().unwrap().trail;
        assert_eq!(
            trail
                .iter()
                .map(|w| (w.step, w.user.as_deref(), w.at))
                .collect::<Vec<_>>(),
            [(0, Some("U1"), 1_550), (2, Some("U2"), 1_600)]
        );
        // "Still failing" is counted per thread.
        assert_eq!(f.still_failing, 0);
        for thread in ["1.1", "1.1", "8.8"] {
            let mut c = feedback(
                "user-error-fs-freeze-failed",
                FeedbackKind::StillFailing,
                1_700,
            );
            if let Change::Feedback(f) = &mut c {
                f.thread = Some(thread.into());
            }
            s.apply("slack", &c, 1_700).await.unwrap();
        }
        assert_eq!(s.facts("slack", &needs).await.unwrap().still_failing, 2);
        // Another platform sees none of it.
        assert_eq!(s.facts("discord", &needs).await.unwrap(), Facts::default());
        // An edit re-points the reply (upsert), a removed reply is forgotten everywhere.
        s.apply(
            "slack",
            &Change::Reply {
                channel: "C1".into(),
                source: "1.1".into(),
                reply: "5.5".into(),
                about: about("user-error-snapshot-vm-agent-not-responding"),
            },
            1_700,
        )
        .await
        .unwrap();
        let f = s.facts("slack", &needs).await.unwrap();
        assert_eq!(
            f.reply.unwrap().1.entry,
            "user-error-snapshot-vm-agent-not-responding"
        );
        s.apply(
            "slack",
            &Change::Forget {
                channel: "C1".into(),
                reply: "5.5".into(),
            },
            1_800,
        )
        .await
        .unwrap();
        s.apply(
            "slack",
            &Change::Unmute {
                channel: "C1".into(),
            },
            1_800,
        )
        .await
        .unwrap();
        let f = s.facts("slack", &needs).await.unwrap();
        assert_eq!(
            (f.reply, f.about, f.last, f.muted_until),
            (None, None, None, None)
        );
    })
    .await;
}

fn feedback(entry: &str, kind: FeedbackKind, at: u64) -> Change {
    Change::Feedback(Feedback {
        channel: "C1".into(),
        thread: None,
        user: Some("U1".into()),
        entry: entry.into(),
        kind,
        at,
    })
}

fn answered(entry: &str, at: u64) -> Change {
    Change::Answered {
        channel: "C1".into(),
        entry: entry.into(),
        reply: format!("r{at}"),
        at,
    }
}

#[tokio::test]
async fn retention_prunes_claims_and_replies_and_keeps_what_the_statistics_count() {
    on_each("prune", |s| async move {
        let mut old = claim(Some("Old"), "C1", "1.1");
        old.at = 100;
        s.claim(&old).await.unwrap();
        s.claim(&claim(Some("New"), "C1", "2.2")).await.unwrap();
        for c in [
            answered("good", 100),
            answered("good", 150),
            answered("bad", 160),
            feedback("good", FeedbackKind::Fixed, 170),
            feedback("bad", FeedbackKind::Wrong, 180),
            feedback("bad", FeedbackKind::StillFailing, 190),
        ] {
            s.apply("slack", &c, 100).await.unwrap();
        }
        let removed = s.prune(500).await.unwrap();
        assert!(removed >= 2, "{removed}");
        // The old claim is gone (it can be taken again), the new one is not.
        assert!(s.claim(&old).await.unwrap());
        assert!(!s.claim(&claim(Some("New"), "C1", "2.2")).await.unwrap());
        // Feedback and answers are kept: the entry that does not help comes first.
        let rows = s.stats(0).await.unwrap();
        let got: Vec<(&str, u64, u64, u64, u64)> = rows
            .iter()
            .map(|r| {
                (
                    r.entry.as_str(),
                    r.answers,
                    r.fixed,
                    r.still_failing,
                    r.wrong,
                )
            })
            .collect();
        assert_eq!(got, vec![("bad", 1, 0, 1, 1), ("good", 2, 1, 0, 0)]);
        // `since` counts only what came after it.
        assert!(s.stats(175).await.unwrap().iter().all(|r| r.entry == "bad"));
    })
    .await;
}

#[tokio::test]
async fn a_sqlite_file_is_created_in_wal_mode_and_kept_across_openings() {
    let scratch = sqlite("file");
    let s = Store::open(&scratch.url).await.unwrap();
    assert!(s.claim(&claim(Some("E"), "C", "1")).await.unwrap());
    s.close().await;
    let s = Store::open(&scratch.url).await.unwrap();
    assert!(!s.claim(&claim(Some("E"), "C", "1")).await.unwrap());
    s.close().await;
    let path = scratch.url.trim_start_matches("sqlite://");
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{path}"))
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn memory_is_a_store_of_its_own() {
    let s = Store::open("memory").await.unwrap();
    assert!(s.claim(&claim(None, "C", "1")).await.unwrap());
    assert!(!s.claim(&claim(None, "C", "1")).await.unwrap());
    let t = Store::open("memory:").await.unwrap();
    assert!(t.claim(&claim(None, "C", "1")).await.unwrap());
}

#[tokio::test]
async fn a_store_that_refuses_says_so_with_its_password_hidden() {
    let refused = |r: Result<Store, OpenError>| match r {
        Err(OpenError::Refused(why)) => why,
        Err(OpenError::Unavailable(why)) => panic!("unavailable, not refused: {why}"),
        Ok(_) => panic!("opened"),
    };
    let why = refused(Store::open("mysql://bot:hunter2@db/x").await);
    assert!(
        why.contains("storage.url mysql://bot:[redacted]@db/x"),
        "{why}"
    );
    assert!(!why.contains("hunter2"));
    let why = refused(Store::open("sqlite:///proc/no-such-dir/bot.db").await);
    assert!(why.contains("/proc/no-such-dir/bot.db"), "{why}");
    // Nobody listens there: unreachable now, not refused (the bot starts without it).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    match Store::open(&format!("postgres://bot:hunter2@127.0.0.1:{port}/x")).await {
        Err(OpenError::Unavailable(why)) => {
            assert!(why.contains("bot:[redacted]@127.0.0.1"), "{why}");
            assert!(!why.contains("hunter2"));
        }
        other => panic!("{other:?}"),
    }
    let Ok(admin) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL's refusal skipped");
        return;
    };
    // A database that does not exist is refused.
    let base = admin.rsplit_once('/').unwrap().0;
    let why = refused(Store::open(&format!("{base}/bb_no_such_database")).await);
    assert!(why.contains("bb_no_such_database"), "{why}");
}

#[tokio::test]
async fn a_claim_is_kept_by_time_not_by_count() {
    // A retry that arrives after 25,000 other messages (about 200 s of a busy workspace) is
    // still refused: claims live for the retention, however many came since.
    let scratch = sqlite("by_time");
    let s = Store::open(&scratch.url).await.unwrap();
    assert!(s.claim(&claim(Some("EvFirst"), "C1", "1.1")).await.unwrap());
    let tasks: Vec<_> = (0..8)
        .map(|k| {
            let s = s.clone();
            tokio::spawn(async move {
                for i in 0..3_200 {
                    let ts = format!("{k}.{i}");
                    assert!(s
                        .claim(&claim(Some(&format!("Ev{k}-{i}")), "C2", &ts))
                        .await
                        .unwrap());
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert!(!s.claim(&claim(Some("EvFirst"), "C1", "1.1")).await.unwrap());
    // Past the retention, it is forgotten.
    s.prune(2_000).await.unwrap();
    assert!(s.claim(&claim(Some("EvFirst"), "C1", "1.1")).await.unwrap());
    s.close().await;
}
