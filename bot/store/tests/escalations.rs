//! Escalations in the store, on SQLite always and on PostgreSQL when `TEST_POSTGRES_URL` is set:
//! created with their paste, moved once whoever presses, listed per channel, reminded once
//! across replicas, a card left unposted claimed once, deleted with their paste after the
//! retention.

use backup_bot_core::escalation::State;
use backup_bot_store::{Moved, NewEscalation, Store, CARD_LEASE_SECS};

mod support;
use support::on_each;

fn new(channel: &str, thread: &str, now: u64) -> NewEscalation {
    NewEscalation {
        platform: "slack".into(),
        channel: channel.into(),
        thread: thread.into(),
        entry: "vss-freeze".into(),
        reporter: "U0REPORTER".into(),
        note: Some("sap-01 since Monday".into()),
        paste: "UserErrorFsFreezeFailed sig=[masked]".into(),
        now,
        remind_at: now + 900,
        tried: vec![(0, "U0WALKER".into(), now - 60)],
    }
}

#[tokio::test]
async fn an_escalation_is_kept_with_its_paste_and_timeline() {
    on_each("esc_create", |s| async move {
        let id = s.create_escalation(&new("C1", "1.1", 1_000)).await.unwrap();
        s.set_escalation_card(id, "C0ESC", "9.9").await.unwrap();
        let e = s.escalation(id).await.unwrap().unwrap();
        assert_eq!(e.state, State::Open);
        assert_eq!((e.channel.as_str(), e.thread.as_str()), ("C1", "1.1"));
        assert_eq!(e.card, Some(("C0ESC".into(), "9.9".into())));
        assert_eq!(e.paste, "UserErrorFsFreezeFailed sig=[masked]");
        assert_eq!(e.note.as_deref(), Some("sap-01 since Monday"));
        assert_eq!(
            (e.opened_at, e.next_reminder_at, e.reminders),
            (1_000, Some(1_900), 0)
        );
        // Opened, and the step tried before (kept as its own line).
        assert_eq!(e.timeline.len(), 2);
        assert!(e.timeline.iter().any(|ev| ev.what == "tried"
            && ev.by == "U0WALKER"
            && ev.note.as_deref() == Some("0")));
        let opened = e.timeline.iter().find(|ev| ev.what == "opened").unwrap();
        assert_eq!(opened.by, "U0REPORTER");
        assert!(s.escalation(id + 1000).await.unwrap().is_none());
        // Another escalation gets another id.
        let other = s.create_escalation(&new("C1", "2.2", 1_001)).await.unwrap();
        assert_ne!(id, other);
        // One open escalation per thread: a second is refused until the first is resolved.
        assert!(s.create_escalation(&new("C1", "1.1", 1_002)).await.is_err());
        assert_eq!(
            s.open_escalation_in("slack", "C1", "1.1")
                .await
                .unwrap()
                .map(|e| e.id),
            Some(id)
        );
        s.transition(id, State::Resolved, "U2", None, 1_003)
            .await
            .unwrap();
        assert!(s
            .open_escalation_in("slack", "C1", "1.1")
            .await
            .unwrap()
            .is_none());
        s.create_escalation(&new("C1", "1.1", 1_004)).await.unwrap();
        // An escalation from anywhere gets its card's thread.
        let fresh = s.create_escalation(&new("C7", "", 1_005)).await.unwrap();
        let fresh2 = s.create_escalation(&new("C7", "", 1_005)).await.unwrap();
        s.set_escalation_card(fresh, "C7", "5.5").await.unwrap();
        let e = s.escalation(fresh).await.unwrap().unwrap();
        assert_eq!(e.thread, "5.5");
        assert_ne!(fresh, fresh2);
    })
    .await;
}

#[tokio::test]
async fn ack_and_resolve_happen_once_whoever_presses() {
    on_each("esc_moves", |s| async move {
        let id = s.create_escalation(&new("C1", "1.1", 1_000)).await.unwrap();
        // Sixteen presses of "I'm on it" at once: one acknowledges.
        let tries: Vec<_> = (0..16)
            .map(|i| {
                let s = s.clone();
                tokio::spawn(async move {
                    s.transition(id, State::Acknowledged, &format!("U{i}"), None, 1_100)
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut changed = 0;
        for t in tries {
            if let Moved::Changed(e) = t.await.unwrap() {
                changed += 1;
                assert_eq!(e.state, State::Acknowledged);
                assert_eq!(e.next_reminder_at, None);
            }
        }
        assert_eq!(changed, 1);
        // Acknowledging again changes nothing; resolving does, once, with its note.
        assert!(matches!(
            s.transition(id, State::Acknowledged, "U9", None, 1_200)
                .await
                .unwrap(),
            Moved::Unchanged(_)
        ));
        let Moved::Changed(e) = s
            .transition(id, State::Resolved, "U3", Some("agent updated"), 1_300)
            .await
            .unwrap()
        else {
            panic!("not resolved");
        };
        assert_eq!(e.state, State::Resolved);
        let whats: Vec<&str> = e.timeline.iter().map(|t| t.what.as_str()).collect();
        assert_eq!(whats, ["tried", "opened", "acknowledged", "resolved"]);
        assert_eq!(e.timeline[3].note.as_deref(), Some("agent updated"));
        assert!(matches!(
            s.transition(id, State::Resolved, "U3", None, 1_400)
                .await
                .unwrap(),
            Moved::Unchanged(_)
        ));
        // Acknowledging after resolving does not reopen it.
        let Moved::Unchanged(e) = s
            .transition(id, State::Acknowledged, "U4", None, 1_500)
            .await
            .unwrap()
        else {
            panic!("moved back");
        };
        assert_eq!(e.state, State::Resolved);
        assert_eq!(e.timeline.len(), 4);
        // An open one can be resolved at once.
        let id2 = s.create_escalation(&new("C1", "2.2", 1_000)).await.unwrap();
        assert!(matches!(
            s.transition(id2, State::Resolved, "U1", None, 1_100)
                .await
                .unwrap(),
            Moved::Changed(_)
        ));
        assert_eq!(
            s.transition(9_999, State::Resolved, "U1", None, 1)
                .await
                .unwrap(),
            Moved::Missing
        );
    })
    .await;
}

#[tokio::test]
async fn a_channels_open_escalations_are_listed_oldest_first() {
    on_each("esc_list", |s| async move {
        let late = s.create_escalation(&new("C1", "3.3", 3_000)).await.unwrap();
        let early = s.create_escalation(&new("C1", "1.1", 1_000)).await.unwrap();
        let done = s.create_escalation(&new("C1", "2.2", 2_000)).await.unwrap();
        s.create_escalation(&new("C2", "4.4", 500)).await.unwrap();
        s.transition(done, State::Resolved, "U1", None, 2_500)
            .await
            .unwrap();
        s.transition(late, State::Acknowledged, "U1", None, 3_100)
            .await
            .unwrap();
        let open = s.open_escalations("slack", "C1").await.unwrap();
        let ids: Vec<i64> = open.iter().map(|e| e.id).collect();
        assert_eq!(ids, [early, late]);
        assert_eq!(open[1].state, State::Acknowledged);
        assert!(s
            .open_escalations("discord", "C1")
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}

/// Claims due reminders from `replicas` tasks at once; every claimed id, in claim order.
async fn claim_race(s: &Store, replicas: usize, now: u64) -> Vec<(i64, u32)> {
    let tries: Vec<_> = (0..replicas)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.claim_due_reminders("slack", now, 900).await.unwrap() })
        })
        .collect();
    let mut got = Vec::new();
    for t in tries {
        got.extend(t.await.unwrap().into_iter().map(|e| (e.id, e.reminders)));
    }
    got.sort();
    got
}

#[tokio::test]
async fn a_due_reminder_is_claimed_once_across_replicas() {
    on_each("esc_remind", |s| async move {
        let a = s.create_escalation(&new("C1", "1.1", 1_000)).await.unwrap();
        let b = s.create_escalation(&new("C1", "2.2", 1_500)).await.unwrap();
        let acked = s.create_escalation(&new("C1", "3.3", 1_000)).await.unwrap();
        s.transition(acked, State::Acknowledged, "U1", None, 1_100)
            .await
            .unwrap();
        // Nothing is due before its time.
        assert!(s
            .claim_due_reminders("slack", 1_899, 900)
            .await
            .unwrap()
            .is_empty());
        // a is due at 1900: eight replicas ask at once, one gets it.
        assert_eq!(claim_race(&s, 8, 1_900).await, [(a, 1)]);
        assert!(s
            .claim_due_reminders("slack", 1_900, 900)
            .await
            .unwrap()
            .is_empty());
        // At 2800 both are due (a again, b for the first time); still once each.
        assert_eq!(claim_race(&s, 8, 2_800).await, [(a, 2), (b, 1)]);
        let e = s.escalation(a).await.unwrap().unwrap();
        assert_eq!(e.next_reminder_at, Some(3_700));
        let reminded = e.timeline.iter().filter(|t| t.what == "reminded").count();
        assert_eq!(reminded, 2);
        // Acknowledged: no more reminders, however late.
        s.transition(a, State::Acknowledged, "U2", None, 2_900)
            .await
            .unwrap();
        assert_eq!(claim_race(&s, 4, 99_000).await, [(b, 2)]);
    })
    .await;
}

#[tokio::test]
async fn a_card_left_unposted_is_claimed_once_after_its_lease() {
    on_each("esc_cards", |s| async move {
        let left = s.create_escalation(&new("C1", "1.1", 1_000)).await.unwrap();
        let posted = s.create_escalation(&new("C1", "2.2", 1_000)).await.unwrap();
        s.set_escalation_card(posted, "C1", "2.3").await.unwrap();
        let due = 1_000 + CARD_LEASE_SECS;
        // Its opener has the lease.
        assert!(s
            .claim_due_cards("slack", due - 1, due + 60)
            .await
            .unwrap()
            .is_empty());
        // Then one of several replicas gets it, until the next lease.
        let tries: Vec<_> = (0..8)
            .map(|_| {
                let s = s.clone();
                tokio::spawn(async move { s.claim_due_cards("slack", due, due + 60).await })
            })
            .collect();
        let mut got = Vec::new();
        for t in tries {
            got.extend(t.await.unwrap().unwrap().into_iter().map(|e| e.id));
        }
        assert_eq!(got, [left]);
        assert!(s
            .claim_due_cards("slack", due + 59, due + 120)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            s.claim_due_cards("slack", due + 60, due + 120)
                .await
                .unwrap()
                .iter()
                .map(|e| e.id)
                .collect::<Vec<_>>(),
            [left]
        );
        // Recorded at last, or resolved: never again.
        s.set_escalation_card(left, "C1", "1.2").await.unwrap();
        assert!(s
            .claim_due_cards("slack", 99_000, 99_060)
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}

#[tokio::test]
async fn retention_deletes_an_escalation_with_its_paste() {
    on_each("esc_prune", |s| async move {
        let old = s.create_escalation(&new("C1", "1.1", 1_000)).await.unwrap();
        let kept = s.create_escalation(&new("C1", "2.2", 5_000)).await.unwrap();
        s.transition(old, State::Resolved, "U1", Some("fixed"), 1_200)
            .await
            .unwrap();
        assert!(s.prune(3_000).await.unwrap() >= 1);
        assert!(s.escalation(old).await.unwrap().is_none());
        assert!(s.escalation(kept).await.unwrap().is_some());
        // Nothing of the old one is left, its timeline included.
        assert_eq!(s.prune_escalations(3_000).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn stats_count_escalations_per_entry_and_the_times_to_acknowledge_and_resolve() {
    on_each("esc_stats", |s| async move {
        // Two escalations of one entry: acknowledged after 60 s and 180 s, one resolved at 600 s.
        let a = s.create_escalation(&new("C1", "1.1", 1_000)).await.unwrap();
        let b = s.create_escalation(&new("C1", "2.2", 2_000)).await.unwrap();
        s.transition(a, State::Acknowledged, "U2", None, 1_060)
            .await
            .unwrap();
        s.transition(b, State::Acknowledged, "U2", None, 2_180)
            .await
            .unwrap();
        s.transition(a, State::Resolved, "U2", None, 1_600)
            .await
            .unwrap();
        // One with no entry named.
        let mut none = new("C1", "3.3", 3_000);
        none.entry = String::new();
        s.create_escalation(&none).await.unwrap();
        let rows = s.stats(0).await.unwrap();
        let vss = rows.iter().find(|r| r.entry == "vss-freeze").unwrap();
        assert_eq!(vss.escalations, 2);
        assert_eq!(
            vss.ack_secs,
            Some(180),
            "the median of 60 s and 180 s (the upper one)"
        );
        assert_eq!(vss.resolve_secs, Some(600));
        let orphan = rows.iter().find(|r| r.entry == "(no entry)").unwrap();
        assert_eq!((orphan.escalations, orphan.ack_secs), (1, None));
        // `since` counts escalations opened after it.
        let later = s.stats(1_500).await.unwrap();
        assert_eq!(
            later
                .iter()
                .find(|r| r.entry == "vss-freeze")
                .map(|r| r.escalations),
            Some(1)
        );
    })
    .await;
}
