//! Escalation on Slack end to end: the real `serve` (slack-morphism inside) against the fake
//! Slack and the fake PagerDuty, over HTTP and over Socket Mode. A paste answered, walked,
//! still failing, escalated: the card in the thread pings the on-call group and nobody else,
//! reminders ping the primary then the secondary, "I'm on it" and "Resolve" (a modal for the
//! note) update the card in place and tell PagerDuty with the trigger's key.

use crate::fake_slack::FakeSlack;
use crate::support::slack::*;
use crate::support::slack_escalation::*;
use serde_json::{json, Value};

fn whole_flow(socket: bool) {
    let fake = FakeSlack::start();
    let pd = PagerDuty::start();
    let bot = start_oncall(&fake, socket, &pd, &[]);
    let drive = Drive::new(&fake, &bot, socket);
    let paste_ts = "1700000500.000100";
    fake.add_message(CHANNEL, paste_ts, PASTE);
    drive.event(&message_event("EvEsc1", paste_ts, PASTE));
    let (reply_ts, _) = posted(&fake, "answer", with_action("guide.start"));
    drive.press(&reply_ts, paste_ts, "guide.start", PRESSER);
    posted(&fake, "step", |b| {
        b["text"].as_str().is_some_and(|t| t.starts_with("Step 1/"))
    });
    drive.press(&reply_ts, paste_ts, "feedback.still_failing", PRESSER);
    let (offer_ts, offer) = posted(&fake, "offer", with_action("escalation.open"));
    let open = action_ids(&offer)
        .into_iter()
        .find(|a| a.starts_with("escalation.open:"))
        .expect("the offer names its entry");
    assert_eq!(open, format!("escalation.open:{ENTRY}"));
    drive.press(&offer_ts, paste_ts, &open, PRESSER);

    // The card, in the paste's thread: the paste read back, the on-call group its only ping.
    let (card_ts, card) = posted(&fake, "card", with_action("escalation.ack"));
    assert_eq!(card["thread_ts"], paste_ts);
    assert_eq!(card["channel"], CHANNEL);
    assert_eq!(pings(&card), [format!("<!subteam^{ONCALL}>")]);
    assert!(card["text"]
        .as_str()
        .unwrap()
        .starts_with(&format!("<!subteam^{ONCALL}> ")));
    assert!(
        shown(&card).contains("erp-app02"),
        "the paste is on the card"
    );
    let replies = fake.calls("conversations.replies");
    assert_eq!(replies[0].body["channel"], CHANNEL);
    assert_eq!(replies[0].body["ts"], paste_ts);
    assert_eq!(replies[0].body["limit"], "1");
    let ids = action_ids(&card);
    let ack = ids
        .iter()
        .find(|a| a.starts_with("escalation.ack:"))
        .unwrap();
    let resolve = ids
        .iter()
        .find(|a| a.starts_with("escalation.resolve:"))
        .unwrap();
    let taken = pd.wait_for("trigger");
    let key = taken[0].1.clone();
    assert!(!key.is_empty());

    // Not acknowledged within a second: the primary, then the secondary, in the thread.
    let reminders = poll(|| {
        let r: Vec<Value> = fake
            .posted()
            .into_iter()
            .map(|(_, b)| b)
            .filter(|b| shown(b).contains("still not acknowledged"))
            .collect();
        (r.len() >= 2).then_some(r)
    })
    .expect("two reminders");
    assert_eq!(reminders[0]["thread_ts"], paste_ts);
    assert_eq!(pings(&reminders[0]), [format!("<!subteam^{ONCALL}>")]);
    assert_eq!(pings(&reminders[1]), [format!("<@{SECOND}>")]);

    // "I'm on it": the card updated in place, PagerDuty acknowledged with the trigger's key.
    drive.press(&card_ts, paste_ts, ack, PRESSER);
    let acked = poll(|| {
        fake.calls("chat.update")
            .into_iter()
            .find(|c| c.body["ts"] == card_ts.as_str() && shown(&c.body).contains("Acknowledged"))
    })
    .expect("the card says acknowledged");
    assert!(!action_ids(&acked.body).contains(ack), "no second ack");
    let taken = pd.wait_for("acknowledge");
    assert!(
        taken.contains(&("acknowledge".to_string(), key.clone())),
        "{taken:?}"
    );

    // "Resolve": a modal asks for the note; its submission resolves with it.
    drive.press(&card_ts, paste_ts, resolve, PRESSER);
    let opened = poll(|| fake.calls("views.open").into_iter().next()).expect("views.open");
    let view = &opened.body["view"];
    assert_eq!(view["type"], "modal");
    assert_eq!(view["callback_id"], resolve.as_str());
    assert!(opened.body["trigger_id"]
        .as_str()
        .unwrap()
        .starts_with("1.2.env-esc-"));
    let note = "restarted the VSS writer on erp-app02 <!channel>";
    let closed = drive.interact(&submission(view, &opened.body, note));
    assert_eq!(closed, None, "an empty answer closes the modal");
    let resolved = poll(|| {
        fake.calls("chat.update")
            .into_iter()
            .find(|c| c.body["ts"] == card_ts.as_str() && shown(&c.body).contains("Resolved"))
    })
    .expect("the card says resolved");
    let text = shown(&resolved.body);
    assert!(text.contains("restarted the VSS writer"), "{text}");
    assert!(action_ids(&resolved.body).is_empty(), "no buttons left");
    let taken = pd.wait_for("resolve");
    assert!(taken.contains(&("resolve".to_string(), key)), "{taken:?}");
    assert_eq!(
        taken.iter().filter(|(a, _)| a == "trigger").count(),
        1,
        "{taken:?}"
    );
    assert_only_oncall(&fake, &[ONCALL, SECOND]);
    let logs = bot.logs();
    assert!(!logs.contains("restarted the VSS writer"), "{logs}");
    assert!(!logs.contains(ROUTING_KEY));
}

#[test]
fn escalation_over_http_pings_on_call_reminds_and_is_acknowledged_and_resolved() {
    whole_flow(false);
}

#[test]
fn escalation_over_socket_mode_pings_on_call_reminds_and_is_acknowledged_and_resolved() {
    whole_flow(true);
}

#[test]
fn only_responders_may_acknowledge_and_a_group_is_asked_of_slack() {
    let fake = FakeSlack::start();
    let pd = PagerDuty::start();
    fake.add_group("S0LEADS", &["U0LEAD", "U0OTHER"]);
    let responders = (
        "BACKUP_BOT__ESCALATION__RESPONDERS",
        "U0BOSS,S0LEADS".into(),
    );
    let slow = ("BACKUP_BOT__ESCALATION__ACK_TIMEOUT", "15m".into());
    let bot = start_oncall(&fake, false, &pd, &[responders, slow]);
    let drive = Drive::new(&fake, &bot, false);
    let paste_ts = "1700000600.000100";
    fake.add_message(CHANNEL, paste_ts, PASTE);
    drive.event(&message_event("EvEsc2", paste_ts, PASTE));
    let (reply_ts, _) = posted(&fake, "answer", with_action("guide.start"));
    drive.press(&reply_ts, paste_ts, "feedback.still_failing", PRESSER);
    let (offer_ts, offer) = posted(&fake, "offer", with_action("escalation.open"));
    let open = action_ids(&offer)
        .into_iter()
        .find(|a| a.starts_with("escalation.open"))
        .unwrap();
    drive.press(&offer_ts, paste_ts, &open, PRESSER);
    let (card_ts, card) = posted(&fake, "card", with_action("escalation.ack"));
    let ack = action_ids(&card)
        .into_iter()
        .find(|a| a.starts_with("escalation.ack:"))
        .unwrap();
    pd.wait_for("trigger");

    // Someone else: told so where only they see it; nothing moves.
    drive.press(&card_ts, paste_ts, &ack, PRESSER);
    let refused = poll(|| {
        fake.calls("response_url")
            .into_iter()
            .find(|c| c.body["response_id"] == response_id(&ack, PRESSER).as_str())
    })
    .expect("an answer to the press");
    assert_eq!(refused.body["response_type"], "ephemeral");
    assert!(
        refused.body["text"]
            .as_str()
            .unwrap()
            .contains("Only on-call can do this."),
        "{}",
        refused.body
    );
    assert!(
        !pd.fake.actions().iter().any(|(a, _)| a == "acknowledge"),
        "the refused press told PagerDuty nothing"
    );
    let asked = fake.calls("usergroups.users.list");
    assert!(
        asked.iter().any(|c| c.body["usergroup"] == "S0LEADS"),
        "{asked:?}"
    );
    // A member of the responders' group may.
    drive.press(&card_ts, paste_ts, &ack, "U0LEAD");
    let acked = poll(|| {
        fake.calls("chat.update")
            .into_iter()
            .find(|c| c.body["ts"] == card_ts.as_str() && shown(&c.body).contains("Acknowledged"))
    })
    .expect("the card says acknowledged");
    // By the member, not by the one refused.
    let timeline = shown(&acked.body);
    assert!(timeline.contains("U0LEAD acknowledged"), "{timeline}");
    assert!(
        !timeline.contains(&format!("{PRESSER} acknowledged")),
        "{timeline}"
    );
    let taken = pd.wait_for("acknowledge");
    // The refused press moved nothing: one acknowledgement, after the member's press.
    assert_eq!(
        taken.iter().filter(|(a, _)| a == "acknowledge").count(),
        1,
        "{taken:?}"
    );
    assert_eq!(
        fake.calls("chat.update")
            .iter()
            .filter(|c| shown(&c.body).contains("Acknowledged"))
            .count(),
        1
    );
}

#[test]
fn a_hostile_paste_escalated_by_mention_pings_only_on_call_and_status_lists_it() {
    let fake = FakeSlack::start();
    let pd = PagerDuty::start();
    let slow = ("BACKUP_BOT__ESCALATION__ACK_TIMEOUT", "15m".into());
    let bot = start_oncall(&fake, false, &pd, &[slow]);
    let drive = Drive::new(&fake, &bot, false);
    let paste_ts = "1700000800.000100";
    let hostile =
        format!("{PASTE} <!channel> <!here> <@U0EVIL> @everyone <!subteam^S999> please look");
    fake.add_message(CHANNEL, paste_ts, &hostile);
    drive.event(&message_event("EvEsc3", paste_ts, &hostile));
    posted(&fake, "answer", with_action("guide.start"));

    // `@backup-bot escalate sap-01 <!channel>` in the thread.
    let mut mention: Value = serde_json::from_str(&fixture("app_mention.json")).unwrap();
    mention["event_id"] = json!("EvEsc3m");
    mention["event"]["channel"] = json!(CHANNEL);
    mention["event"]["ts"] = json!("1700000800.000900");
    mention["event"]["thread_ts"] = json!(paste_ts);
    mention["event"]["text"] = json!("<@UBOT> escalate sap-01 <!channel>");
    drive.event(&mention);
    let (_, card) = posted(&fake, "card", with_action("escalation.ack"));
    assert_eq!(card["thread_ts"], paste_ts);
    let text = shown(&card);
    assert!(
        text.contains("sap-01") && text.contains("please look"),
        "{text}"
    );
    assert_eq!(pings(&card), [format!("<!subteam^{ONCALL}>")]);
    pd.wait_for("trigger");

    // `/backup-error status` in the channel lists it.
    let form = fixture("slash_command.txt")
        .trim()
        .replace("channel_id=C2147483705", &format!("channel_id={CHANNEL}"))
        .replace(
            "command=/weather&text=94070",
            "command=/backup-error&text=status",
        );
    let (status, body) = signed(
        &bot,
        "/slack/commands",
        "application/x-www-form-urlencoded",
        &form,
        &[],
    );
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&body).unwrap();
    let listed = shown(&answer);
    assert!(
        listed.contains("Open escalations in this channel: 1"),
        "{listed}"
    );
    assert!(listed.contains("#1") && listed.contains("open"), "{listed}");

    assert_only_oncall(&fake, &[ONCALL]);
    assert!(!bot.logs().contains("please look"));
}
