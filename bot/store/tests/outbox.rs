//! The outbox in the store (SQLite always, PostgreSQL when `TEST_POSTGRES_URL` is set): a reply
//! written is leased to its writer, then taken by one sender at a time, and gone once sent.

mod support;
use support::on_each;

#[tokio::test]
async fn a_reply_waiting_in_the_outbox_is_taken_by_one_sender_at_a_time() {
    on_each("outbox", |s| async move {
        let id = s
            .outbox_put("slack", "C1", Some("1.1"), "{\"x\":1}", 1_000, 1_090)
            .await
            .unwrap();
        // Leased to its writer: nobody takes it before then.
        assert!(s
            .claim_due_outbox("slack", 1_050, 1_140, 32)
            .await
            .unwrap()
            .is_empty());
        // Not sent: due again at 1 002.
        s.outbox_later(id, 1_002).await.unwrap();
        assert!(s
            .claim_due_outbox("discord", 1_010, 1_100, 32)
            .await
            .unwrap()
            .is_empty());
        // Eight senders look at once: one takes it.
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let s = s.clone();
                tokio::spawn(
                    async move { s.claim_due_outbox("slack", 1_010, 1_100, 32).await.unwrap() },
                )
            })
            .collect();
        let mut taken = Vec::new();
        for t in tasks {
            taken.extend(t.await.unwrap());
        }
        assert_eq!(taken.len(), 1, "{taken:?}");
        let o = &taken[0];
        assert_eq!(
            (o.id, o.channel.as_str(), o.source.as_deref()),
            (id, "C1", Some("1.1"))
        );
        assert_eq!(
            (o.attempts, o.created_at, o.payload.as_str()),
            (2, 1_000, "{\"x\":1}")
        );
        assert_eq!(s.outbox_len().await.unwrap(), 1);
        s.outbox_done(id).await.unwrap();
        assert_eq!(s.outbox_len().await.unwrap(), 0);
        assert!(s
            .claim_due_outbox("slack", 9_999, 10_100, 32)
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}
