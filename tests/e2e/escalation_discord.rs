//! Escalation on Discord end to end: the real `backup-bot serve` (serenity inside) against the
//! fake Discord and the fake PagerDuty. A paste answered in a thread, walked, still failing,
//! escalated: the card pings on-call (and only on-call), reminders ping the primary then the
//! secondary, "I'm on it" and the resolve modal move the card in place and tell PagerDuty.

use crate::fake_discord::{self as fd, FakeDiscord, GUILD_ID};
use crate::fake_pagerduty::FakePagerDuty;
use crate::support::discord::{custom_ids, paste, start, PASTE};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const ROLE: &str = "5555";
const SECONDARY: &str = "6666";
/// The thread the bot makes on the paste has the paste's id.
const PASTE_ID: &str = "1601";
const ROUTING_KEY: &str = "0123456789abcdef0123456789abcdef";
const WAIT: Duration = Duration::from_secs(20);

fn alice() -> Value {
    fd::member("4001", "alice", &[])
}

fn on_call() -> Value {
    fd::member("4002", "carol", &[ROLE])
}

/// A PagerDuty fake on its own runtime, kept as long as the test holds it.
fn pagerduty() -> (tokio::runtime::Runtime, FakePagerDuty) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let pd = rt.block_on(FakePagerDuty::start());
    (rt, pd)
}

fn wait_until<T>(within: Duration, f: impl Fn() -> Option<T>) -> Option<T> {
    let until = Instant::now() + within;
    loop {
        if let Some(t) = f() {
            return Some(t);
        }
        if Instant::now() > until {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The id of the bot's message whose buttons include one starting with `prefix`, and that
/// button's custom id.
fn button(posted: &[Value], prefix: &str) -> Option<(String, String)> {
    posted.iter().rev().find_map(|m| {
        let id = custom_ids(m).into_iter().find(|c| c.starts_with(prefix))?;
        Some((m["id"].as_str()?.to_string(), id))
    })
}

fn text(m: &Value) -> String {
    m["embeds"].to_string()
}

/// Presses `custom_id` on message `on` in the paste's thread and waits for `done`. A press
/// that comes before the bot has recorded the message it is on is told the entry is gone (a
/// follow-up, and `done` not there): it is pressed again, as a person would.
fn press_then<T>(
    fake: &FakeDiscord,
    n: u32,
    custom_id: &str,
    on: &str,
    who: Value,
    done: impl Fn(&[Value]) -> Option<T>,
) -> T {
    let until = Instant::now() + WAIT;
    for attempt in 0..50 {
        let (id, token) = (
            format!("{}", 8000 + n * 100 + attempt),
            format!("tok{n}-{attempt}"),
        );
        assert!(fake.dispatch(
            "INTERACTION_CREATE",
            fd::press(&id, &token, custom_id, on, PASTE_ID, who.clone())
        ));
        let said = format!("POST /api/v10/webhooks/{}/{token}", fd::APP_ID);
        while Instant::now() < until {
            if let Some(t) = done(&fake.posted(PASTE_ID)) {
                return t;
            }
            if !fake.calls(&said).is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    panic!("after {custom_id}: {:#?}", fake.posted(PASTE_ID))
}

/// Waits for the follow-up that says the escalation is open (it comes once its card is kept).
fn escalated(fake: &FakeDiscord, token: &str) {
    let said = format!("POST /api/v10/webhooks/{}/{token}", fd::APP_ID);
    wait_until(WAIT, || {
        fake.calls(&said)
            .iter()
            .any(|c| c.body.to_string().contains("Escalated to on-call as #"))
            .then_some(())
    })
    .unwrap_or_else(|| panic!("{:#?}", fake.calls(&said)));
}

/// The card: content, allowed mentions, its ack and resolve buttons.
fn card(posted: &[Value]) -> Option<(Value, String, String)> {
    let (id, ack) = button(posted, "escalation.ack:")?;
    let resolve = ack.replace("escalation.ack:", "escalation.resolve:");
    let m = posted.iter().find(|m| m["id"] == id.as_str())?.clone();
    Some((m, ack, resolve))
}

/// The allowed mentions of every message body the fake received (posts, follow-ups, edits).
fn every_allowed_mentions(fake: &FakeDiscord) -> Vec<Value> {
    let mut all = fake.calls("POST /api/v10/channels/");
    all.extend(fake.calls("PATCH /api/v10/channels/"));
    all.extend(fake.calls("POST /api/v10/webhooks/"));
    all.into_iter()
        .filter(|c| !c.path.ends_with("/threads"))
        .map(|c| c.body["allowed_mentions"].clone())
        .collect()
}

#[test]
fn the_whole_escalation_through_discord_pings_on_call_reminds_and_resolves_with_a_note() {
    let (_rt, pd) = pagerduty();
    let fake = FakeDiscord::start();
    let bot = start(
        &fake,
        &[
            ("BACKUP_BOT__DISCORD__REPLY", "thread"),
            ("BACKUP_BOT__ESCALATION__DISCORD_ONCALL", "role:5555"),
            (
                "BACKUP_BOT__ESCALATION__DISCORD_ONCALL_SECONDARY",
                "user:6666",
            ),
            ("BACKUP_BOT__ESCALATION__ACK_TIMEOUT", "1s"),
            ("BACKUP_BOT__PAGERDUTY__ROUTING_KEY", ROUTING_KEY),
            ("BACKUP_BOT__PAGERDUTY__EVENTS_URL", &pd.url),
        ],
    );
    assert!(fake.dispatch("MESSAGE_CREATE", paste(PASTE_ID, PASTE)));
    let (answer, _) = fake
        .wait_posted(PASTE_ID, WAIT, |p| button(p, "guide.start"))
        .expect("the answer, in the paste's thread");

    let (step, _) = press_then(&fake, 1, "guide.start", &answer, alice(), |p| {
        button(p, "guide.next")
    });
    let (offer, open) = press_then(&fake, 2, "feedback.still_failing", &step, alice(), |p| {
        button(p, "escalation.open:")
    });
    let (card, ack, resolve) = press_then(&fake, 3, &open, &offer, alice(), card);
    escalated(&fake, "tok3-");

    // The card pings the on-call role, and nobody else.
    assert_eq!(card["content"], format!("<@&{ROLE}>"));
    let posted = fake.calls(&format!("POST /api/v10/channels/{PASTE_ID}/messages"));
    let body = &posted
        .iter()
        .find(|c| custom_ids(&c.body).contains(&ack))
        .unwrap()
        .body;
    assert_eq!(
        body["allowed_mentions"],
        json!({"parse": [], "roles": [ROLE], "users": []})
    );
    // It carries the paste (read back from the thread's parent), the step tried, the thread.
    let shown = text(&card);
    assert!(shown.contains("erp-app02"), "{shown}");
    assert!(shown.contains("Step 1:"), "{shown}");
    let thread = format!("https://discord.com/channels/{GUILD_ID}/{PASTE_ID}/{PASTE_ID}");
    assert!(shown.contains(&thread), "{shown}");
    assert_eq!(
        fake.calls(&format!("GET /api/v10/channels/2001/messages/{PASTE_ID}"))
            .len(),
        1
    );

    // No acknowledgement: a reminder pings the primary, the next one the secondary.
    let card_id = card["id"].as_str().unwrap().to_string();
    let reminders = fake
        .wait_posted(PASTE_ID, WAIT, |p| {
            let after: Vec<Value> = p
                .iter()
                .filter(|m| {
                    m["id"].as_str().unwrap().parse::<u64>().unwrap() > card_id.parse().unwrap()
                })
                .cloned()
                .collect();
            (after.len() >= 2).then_some(after)
        })
        .expect("two reminders");
    assert_eq!(reminders[0]["content"], format!("<@&{ROLE}>"));
    assert_eq!(reminders[1]["content"], format!("<@{SECONDARY}>"));
    for r in &reminders[..2] {
        assert!(text(r).contains("still not acknowledged"), "{}", text(r));
    }
    let bodies = fake.calls(&format!("POST /api/v10/channels/{PASTE_ID}/messages"));
    let secondary = bodies
        .iter()
        .find(|c| c.body["content"] == format!("<@{SECONDARY}>"))
        .unwrap();
    assert_eq!(
        secondary.body["allowed_mentions"],
        json!({"parse": [], "roles": [], "users": [SECONDARY]})
    );

    // "I'm on it": the card edited in place, PagerDuty acknowledged with the trigger's key.
    let edits = format!("PATCH /api/v10/channels/{PASTE_ID}/messages/{card_id}");
    let acked = press_then(&fake, 4, &ack, &card_id, on_call(), |p| {
        p.iter()
            .find(|m| m["id"] == card_id.as_str() && text(m).contains("Acknowledged"))
            .cloned()
    });
    assert!(!custom_ids(&acked).contains(&ack), "acknowledged once");
    assert!(fake
        .calls(&edits)
        .iter()
        .all(|c| c.body["allowed_mentions"] == json!({"parse": [], "roles": [], "users": []})));
    let key = wait_until(WAIT, || {
        let a = pd.actions();
        let trigger = a.iter().find(|(x, _)| x == "trigger")?.1.clone();
        a.iter()
            .any(|(x, k)| x == "acknowledge" && *k == trigger)
            .then_some(trigger)
    })
    .unwrap_or_else(|| panic!("{:?}", pd.actions()));

    // Resolve: answered with the modal (not deferred first), then its submission with a note.
    assert!(fake.dispatch(
        "INTERACTION_CREATE",
        fd::press("8005", "tok5", &resolve, &card_id, PASTE_ID, on_call())
    ));
    let callbacks = fake.wait_for("POST /api/v10/interactions/8005/", 1, WAIT);
    assert_eq!(callbacks.len(), 1, "{callbacks:#?}");
    let modal = &callbacks[0].body;
    assert_eq!(modal["type"], 9, "{modal}");
    assert_eq!(modal["data"]["custom_id"], resolve.as_str());
    assert_eq!(
        modal["data"]["components"][0]["components"][0]["required"],
        false
    );

    let note = "Restarted the VSS writer; the next backup ran";
    assert!(fake.dispatch(
        "INTERACTION_CREATE",
        fd::modal_submit(
            "8006",
            "tok6",
            &resolve,
            &card_id,
            PASTE_ID,
            on_call(),
            note
        )
    ));
    let resolved = fake
        .wait_posted(PASTE_ID, WAIT, |p| {
            p.iter()
                .find(|m| m["id"] == card_id.as_str() && text(m).contains("Resolved"))
                .cloned()
        })
        .unwrap_or_else(|| panic!("{}", bot.logs()));
    assert!(text(&resolved).contains(note), "{}", text(&resolved));
    assert!(custom_ids(&resolved).is_empty(), "no buttons once resolved");
    let submitted = fake.calls("POST /api/v10/interactions/8006/");
    assert_eq!(
        submitted[0].body["type"], 6,
        "the submission is acknowledged"
    );
    assert!(
        wait_until(WAIT, || pd
            .actions()
            .contains(&("resolve".to_string(), key.clone()))
            .then_some(()))
        .is_some(),
        "{:?}",
        pd.actions()
    );
}

/// A paste full of mentions, escalated with `/backup-error escalate` typed in its thread.
fn escalate_hostile(fake: &FakeDiscord) -> (Value, String, String) {
    let hostile = format!("@everyone <@&999> <@123> @here {PASTE}");
    assert!(fake.dispatch("MESSAGE_CREATE", paste(PASTE_ID, &hostile)));
    fake.wait_posted(PASTE_ID, WAIT, |p| button(p, "guide.start"))
        .expect("the answer");
    let options =
        json!([{"name": "query", "type": 3, "value": "escalate it keeps failing @everyone"}]);
    assert!(fake.dispatch(
        "INTERACTION_CREATE",
        fd::command_in("8101", "tok101", PASTE_ID, options)
    ));
    let card = fake
        .wait_posted(PASTE_ID, WAIT, card)
        .unwrap_or_else(|| panic!("{:#?}", fake.posted(PASTE_ID)));
    escalated(fake, "tok101");
    card
}

#[test]
fn an_escalated_paste_full_of_mentions_pings_only_the_on_call_role() {
    let fake = FakeDiscord::start();
    let _bot = start(
        &fake,
        &[
            ("BACKUP_BOT__DISCORD__REPLY", "thread"),
            ("BACKUP_BOT__ESCALATION__DISCORD_ONCALL", "role:5555"),
        ],
    );
    let (card, _, _) = escalate_hostile(&fake);
    assert_eq!(card["content"], format!("<@&{ROLE}>"));
    let shown = text(&card);
    assert!(
        shown.contains("erp-app02"),
        "the paste is on the card: {shown}"
    );
    assert!(shown.contains("it keeps failing"), "the note: {shown}");
    for bad in ["@everyone", "@here", "<@&999>", "<@123>"] {
        assert!(!shown.contains(bad), "{bad} in {shown}");
    }
    let all = every_allowed_mentions(&fake);
    assert!(all.len() >= 2, "{all:?}");
    for a in &all {
        assert_eq!(a["parse"], json!([]), "{a}");
        assert_eq!(a["users"], json!([]), "{a}");
        let roles = a["roles"].as_array().unwrap();
        assert!(roles.is_empty() || roles == &vec![json!(ROLE)], "{a}");
    }
}

#[test]
fn only_on_call_may_acknowledge_when_responders_are_set() {
    let fake = FakeDiscord::start();
    let _bot = start(
        &fake,
        &[
            ("BACKUP_BOT__DISCORD__REPLY", "thread"),
            ("BACKUP_BOT__ESCALATION__DISCORD_ONCALL", "role:5555"),
            ("BACKUP_BOT__ESCALATION__RESPONDERS", "role:5555"),
        ],
    );
    let (card, ack, resolve) = escalate_hostile(&fake);
    let card_id = card["id"].as_str().unwrap().to_string();
    let edits = format!("PATCH /api/v10/channels/{PASTE_ID}/messages/{card_id}");
    let refused = |n: u32, custom_id: &str| {
        let (id, token) = (format!("{}", 8200 + n), format!("tok2{n}"));
        let bob = fd::member("4003", "bob", &["777"]);
        assert!(fake.dispatch(
            "INTERACTION_CREATE",
            fd::press(&id, &token, custom_id, &card_id, PASTE_ID, bob)
        ));
        let said = fake.wait_for(
            &format!("POST /api/v10/webhooks/{}/{token}", fd::APP_ID),
            1,
            WAIT,
        );
        assert_eq!(said.len(), 1, "{custom_id}");
        let b = &said[0].body;
        assert!(b.to_string().contains("Only on-call can do this."), "{b}");
        assert_eq!(b["flags"].as_u64().unwrap_or(0) & 64, 64, "ephemeral: {b}");
        fake.calls(&format!("POST /api/v10/interactions/{id}/"))
    };
    let acks = refused(1, &ack);
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].body["type"], 6);
    // A resolve refused gets no modal: an acknowledgement, then the same refusal.
    let resolves = refused(2, &resolve);
    assert_eq!(resolves.len(), 1);
    assert_eq!(resolves[0].body["type"], 6, "no modal for bob");
    assert!(fake.calls(&edits).is_empty(), "the card is not moved");

    let moved = press_then(&fake, 3, &ack, &card_id, on_call(), |p| {
        p.iter()
            .find(|m| m["id"] == card_id.as_str() && text(m).contains("Acknowledged"))
            .cloned()
    });
    assert!(
        text(&moved).contains("carol") || text(&moved).contains("4002"),
        "{}",
        text(&moved)
    );
}
