//! Slack end to end: the real `backup-bot serve` (slack-morphism inside) against the fake Slack.
//! Requests are signed here independently, by the documented algorithm (HMAC-SHA256 of
//! `v0:{timestamp}:{body}`), and the tests assert what the fake received.

use crate::fake_slack::FakeSlack;
use crate::support::slack::*;
use crate::support::{free_port, temp_dir};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn start(fake: &FakeSlack, socket: bool) -> Bot {
    let dir = temp_dir(&format!("serve-{}", free_port()));
    start_slack(fake, socket, &dir, &[])
}

#[test]
fn signatures_are_checked_and_url_verification_answered() {
    let fake = FakeSlack::start();
    let bot = start(&fake, false);
    let body = json!({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "token": "x"}).to_string();
    let (status, answer) = signed(&bot, "/slack/events", "application/json", &body, &[]);
    assert_eq!(status, 200);
    assert!(
        answer.contains("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"),
        "{answer}"
    );

    // Forged: wrong secret, a stale timestamp, no signature. 401 and nothing else happens.
    let event = message_event("EvForged", "1700000001.000100", PASTE).to_string();
    let ts = now();
    let forged = [
        vec![
            ("X-Slack-Request-Timestamp", ts.to_string()),
            ("X-Slack-Signature", sign("not-the-secret", ts, &event)),
        ],
        vec![
            ("X-Slack-Request-Timestamp", (ts - 600).to_string()),
            ("X-Slack-Signature", sign(SECRET, ts - 600, &event)),
        ],
        vec![("X-Slack-Request-Timestamp", ts.to_string())],
    ];
    for headers in forged {
        let (status, _) = request(&bot.addr, "POST", "/slack/events", &headers, &event);
        assert_eq!(status, 401);
    }
    let (status, _) = request(&bot.addr, "POST", "/slack/commands", &[], "text=help");
    assert_eq!(status, 401);
    quiet_for(&fake, "chat.postMessage", 0, Duration::from_millis(500));
}

#[test]
fn a_paste_gets_one_reply_in_its_thread_retries_and_repeats_none() {
    let fake = FakeSlack::start();
    let bot = start(&fake, false);
    let event = message_event("EvPaste1", "1700000100.000100", PASTE);
    assert_eq!(send_event(&bot, &event, &[]), 200);
    let posts = fake.wait_for("chat.postMessage", 1, Duration::from_secs(15));
    assert_eq!(posts.len(), 1);
    let p = &posts[0];
    assert_eq!(p.auth.as_deref(), Some("Bearer xoxb-test-token"));
    assert_eq!(p.body["channel"], "C024BE91L");
    assert_eq!(p.body["thread_ts"], "1700000100.000100");
    assert!(p.body["text"]
        .as_str()
        .unwrap()
        .starts_with("UserErrorFsFreezeFailed"));
    let blocks = p.body["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "header");
    let actions: Vec<&str> = blocks
        .iter()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().unwrap())
        .map(|e| e["action_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "guide.start",
            "feedback.fixed",
            "feedback.still_failing",
            "feedback.wrong"
        ]
    );

    // Slack retries the delivery; the same message arrives again as app_mention: no second reply.
    assert_eq!(
        send_event(
            &bot,
            &event,
            &[
                ("X-Slack-Retry-Num", "1".into()),
                ("X-Slack-Retry-Reason", "http_timeout".into())
            ]
        ),
        200
    );
    let mut mention: Value = serde_json::from_str(&fixture("app_mention.json")).unwrap();
    mention["event_id"] = json!("EvMention1");
    mention["event"]["channel"] = json!("C024BE91L");
    mention["event"]["ts"] = json!("1700000100.000100");
    mention["event"]["text"] = json!(format!("<@UBOT> {PASTE}"));
    assert_eq!(send_event(&bot, &mention, &[]), 200);
    quiet_for(&fake, "chat.postMessage", 1, Duration::from_millis(700));

    // A direct question is always answered, even with nothing to match; a 400 KB paste is fine
    // (Slack cuts a message's text at 40,000 characters; a body over 512 KiB is refused, see
    // `http_limits.rs`).
    mention["event_id"] = json!("EvMention2");
    mention["event"]["ts"] = json!("1700000100.000900");
    mention["event"]["text"] = json!("<@UBOT> what is for lunch?");
    assert_eq!(send_event(&bot, &mention, &[]), 200);
    let posts = fake.wait_for("chat.postMessage", 2, Duration::from_secs(15));
    assert!(
        posts[1].body["text"]
            .as_str()
            .unwrap()
            .starts_with("I don't know this one."),
        "{}",
        posts[1].body["text"]
    );
    let huge = format!("{PASTE}\n{}", "x".repeat(400 * 1024));
    assert_eq!(
        send_event(
            &bot,
            &message_event("EvHuge", "1700000100.000950", &huge),
            &[]
        ),
        200
    );
    let posts = fake.wait_for("chat.postMessage", 3, Duration::from_secs(15));
    assert_eq!(posts.len(), 3);
    // The logs keep ids, never tokens, secrets or the text of a paste.
    let logs = bot.logs();
    assert!(logs.contains("replied"), "{logs}");
    for secret in [TOKEN, SECRET, "erp-app02", "what is for lunch"] {
        assert!(!logs.contains(secret), "{secret} in the logs:\n{logs}");
    }
}

#[test]
fn bots_subtypes_and_chatter_get_no_reply() {
    let fake = FakeSlack::start();
    let bot = start(&fake, false);
    let mut from_bot = message_event("EvBot", "1700000200.000100", PASTE);
    from_bot["event"]["subtype"] = json!("bot_message");
    from_bot["event"]["bot_id"] = json!("B123");
    send_event(&bot, &from_bot, &[]);
    let mut own = message_event("EvOwn", "1700000200.000200", PASTE);
    own["event"]["user"] = json!("UBOT");
    send_event(&bot, &own, &[]);
    for (i, subtype) in [
        "message_deleted",
        "channel_join",
        "channel_topic",
        "message_replied",
    ]
    .iter()
    .enumerate()
    {
        let mut v = message_event(&format!("EvSub{i}"), &format!("1700000200.00030{i}"), PASTE);
        v["event"]["subtype"] = json!(subtype);
        send_event(&bot, &v, &[]);
    }
    send_event(
        &bot,
        &message_event("EvChat", "1700000200.000400", "lunch at noon?"),
        &[],
    );
    quiet_for(&fake, "chat.postMessage", 0, Duration::from_millis(800));
}

#[test]
fn an_edit_that_changes_the_code_updates_the_reply() {
    let fake = FakeSlack::start();
    let bot = start(&fake, false);
    send_event(
        &bot,
        &message_event("EvE1", "1355517523.000005", PASTE),
        &[],
    );
    let posts = fake.wait_for("chat.postMessage", 1, Duration::from_secs(15));
    settle();
    let reply_ts = posts[0].body["thread_ts"].clone();
    assert_eq!(reply_ts, "1355517523.000005");
    let mut edit: Value = serde_json::from_str(&fixture("message_changed.json")).unwrap();
    edit["event"]["message"]["text"] = json!("backup failed: UserErrorSkuNotAvailable");
    assert_eq!(send_event(&bot, &edit, &[]), 200);
    let updates = fake.wait_for("chat.update", 1, Duration::from_secs(15));
    assert_eq!(updates.len(), 1);
    assert_eq!(
        updates[0].body["ts"], "1700000001.000100",
        "the bot's reply is edited in place"
    );
    assert!(updates[0].body["text"]
        .as_str()
        .unwrap()
        .starts_with("UserErrorSkuNotAvailable"));
    quiet_for(&fake, "chat.postMessage", 1, Duration::from_millis(300));
}

#[test]
fn a_shared_text_file_is_read_and_matched() {
    let fake = FakeSlack::start();
    let bot = start(&fake, false);
    fake.add_file(
        "F0TD00400",
        &format!("{}\nErrorCode : 380008\n", "line of log\n".repeat(100)),
    );
    let mut v = message_event("EvFile", "1700000300.000100", "");
    v["event"]["subtype"] = json!("file_share");
    v["event"]["files"] = json!([{"id": "F0TD00400", "name": "message.txt", "mimetype": "text/plain", "filetype": "text"}]);
    send_event(&bot, &v, &[]);
    let posts = fake.wait_for("chat.postMessage", 1, Duration::from_secs(15));
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0].body["text"]
            .as_str()
            .unwrap()
            .contains("AzureVmOffline"),
        "{}",
        posts[0].body["text"]
    );
    assert_eq!(
        fake.calls("download")[0].auth.as_deref(),
        Some("Bearer xoxb-test-token")
    );
}

#[test]
fn rate_limits_and_server_errors_are_retried_without_doubling() {
    let fake = FakeSlack::start();
    let bot = start(&fake, false);
    fake.fail("chat.postMessage", &[(429, Some(1)), (500, None)]);
    send_event(
        &bot,
        &message_event("EvLimit", "1700000400.000100", PASTE),
        &[],
    );
    let posts = fake.wait_for("chat.postMessage", 3, Duration::from_secs(20));
    assert_eq!(posts.len(), 3, "a 429, a 500, then the reply");
    quiet_for(&fake, "chat.postMessage", 3, Duration::from_millis(800));
}

#[test]
fn the_longest_entry_stays_within_block_kit_limits() {
    let fake = FakeSlack::start();
    let bot = start(&fake, false);
    send_event(
        &bot,
        &message_event(
            "EvLong",
            "1700000500.000100",
            "backup failed: ExtensionFailedVssWriterInBadState",
        ),
        &[],
    );
    let posts = fake.wait_for("chat.postMessage", 1, Duration::from_secs(15));
    let blocks = posts[0].body["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 50);
    for b in blocks {
        if b["type"] == "section" {
            assert!(b["text"]["text"].as_str().unwrap().chars().count() <= 3000);
        }
        if b["type"] == "header" {
            assert!(b["text"]["text"].as_str().unwrap().chars().count() <= 150);
        }
    }
    let all = posts[0].body.to_string();
    assert!(all.contains("REG ADD"), "commands are kept");
}

#[test]
fn the_command_answers_with_blocks_and_buttons_reply_in_the_thread() {
    let fake = FakeSlack::start();
    let bot = start(&fake, false);
    let form = fixture("slash_command.txt")
        .trim()
        .replace(
            "command=/weather&text=94070",
            "command=/backup-error&text=UserErrorFsFreezeFaild",
        )
        .replace(
            "https://hooks.slack.com/commands/1234/5678",
            &fake.response_url("cmd"),
        );
    let (status, body) = signed(
        &bot,
        "/slack/commands",
        "application/x-www-form-urlencoded",
        &form,
        &[],
    );
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["response_type"], "ephemeral");
    // A misspelt code is answered, as the same paste would be.
    assert!(
        v["text"]
            .as_str()
            .unwrap()
            .starts_with("UserErrorFsFreezeFailed"),
        "{v}"
    );
    assert!(v.to_string().contains("guide.start"), "{v}");

    // A reply in a thread, then its buttons.
    send_event(
        &bot,
        &message_event("EvBtn", "1700000600.000100", PASTE),
        &[],
    );
    let posts = fake.wait_for("chat.postMessage", 1, Duration::from_secs(15));
    settle();
    let reply_ts = "1700000001.000100";
    let press = |action: &str| {
        let mut v: Value = serde_json::from_str(&fixture("block_actions.json")).unwrap();
        v["container"]["message_ts"] = json!(reply_ts);
        v["container"]["channel_id"] = json!("C024BE91L");
        v["channel"]["id"] = json!("C024BE91L");
        v["message"]["ts"] = json!(reply_ts);
        v["message"]["thread_ts"] = json!("1700000600.000100");
        v["actions"][0]["action_id"] = json!(action);
        v["response_url"] = json!(fake.response_url(action));
        let form = format!("payload={}", url_encode(&v.to_string()));
        signed(
            &bot,
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            &form,
            &[],
        )
        .0
    };
    assert_eq!(posts.len(), 1);
    assert_eq!(press("guide.start"), 200);
    let posts = fake.wait_for("chat.postMessage", 2, Duration::from_secs(15));
    settle();
    assert_eq!(posts[1].body["thread_ts"], "1700000600.000100");
    assert!(
        posts[1].body["text"]
            .as_str()
            .unwrap()
            .starts_with("Step 1/2"),
        "{}",
        posts[1].body["text"]
    );
    assert_eq!(press("escalation.open"), 200);
    let responses = fake.wait_for("response_url", 1, Duration::from_secs(15));
    assert!(responses[0].body["text"]
        .as_str()
        .unwrap()
        .contains("Escalation is not set up yet"));
    assert_eq!(press("feedback.wrong"), 200);
    let deletes = fake.wait_for("chat.delete", 1, Duration::from_secs(15));
    assert_eq!(deletes[0].body["ts"], reply_ts);
}

#[test]
fn socket_mode_acknowledges_reconnects_and_never_doubles() {
    let fake = FakeSlack::start();
    let _bot = start(&fake, true);
    let until = Instant::now() + Duration::from_secs(10);
    while !fake.socket_connected() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        fake.socket_connected(),
        "the bot connects with the URL from apps.connections.open"
    );
    assert_eq!(
        fake.calls("apps.connections.open")[0].auth.as_deref(),
        Some("Bearer xapp-test-token")
    );
    let envelope = |id: &str, event: Value| json!({"type": "events_api", "envelope_id": id, "accepts_response_payload": false, "payload": event});
    let first = envelope(
        "env-1",
        message_event("EvSock1", "1700000700.000100", PASTE),
    );
    assert!(fake.push(&first));
    let posts = fake.wait_for("chat.postMessage", 1, Duration::from_secs(15));
    assert_eq!(posts.len(), 1);
    let until = Instant::now() + Duration::from_secs(15);
    while !fake.acks().iter().any(|a| a["envelope_id"] == "env-1") && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        fake.acks().iter().any(|a| a["envelope_id"] == "env-1"),
        "acknowledged"
    );

    // Delivered, then the connection drops before (or as) it is acknowledged: Slack delivers it
    // again on the new connection. One reply.
    let second = envelope(
        "env-2",
        message_event(
            "EvSock2",
            "1700000700.000200",
            "backup failed: UserErrorSkuNotAvailable",
        ),
    );
    assert!(fake.push(&second));
    fake.drop_socket();
    let until = Instant::now() + Duration::from_secs(15);
    while !(fake.connections() >= 2 && fake.socket_connected()) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(fake.connections() >= 2, "reconnected");
    assert!(fake.push(&envelope(
        "env-2b",
        message_event(
            "EvSock2",
            "1700000700.000200",
            "backup failed: UserErrorSkuNotAvailable"
        )
    )));
    let posts = fake.wait_for("chat.postMessage", 2, Duration::from_secs(15));
    assert_eq!(posts.len(), 2);
    // A `disconnect` message: reconnect again, still answering.
    let n = fake.connections();
    assert!(fake.push(&json!({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "fake"}})));
    let until = Instant::now() + Duration::from_secs(15);
    while fake.connections() <= n && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(fake.connections() > n, "reconnected after disconnect");
    while !fake.socket_connected() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(fake.push(&envelope(
        "env-3",
        message_event(
            "EvSock3",
            "1700000700.000300",
            "backup failed: ExtensionConfigParsingFailure"
        )
    )));
    let posts = fake.wait_for("chat.postMessage", 3, Duration::from_secs(15));
    assert_eq!(posts.len(), 3);
    quiet_for(&fake, "chat.postMessage", 3, Duration::from_millis(500));
    settle();

    // A slash command over the socket: answered in its acknowledgement.
    let form = fixture("slash_command.txt");
    let mut command: serde_json::Map<String, Value> = serde_urlencoded_pairs(form.trim());
    command.insert("command".into(), json!("/backup-error"));
    command.insert("text".into(), json!("ExtensionConfigParsingFailure"));
    assert!(fake.push(&json!({"type": "slash_commands", "envelope_id": "env-cmd", "accepts_response_payload": true, "payload": command})));
    let until = Instant::now() + Duration::from_secs(15);
    let ack = loop {
        if let Some(a) = fake
            .acks()
            .into_iter()
            .find(|a| a["envelope_id"] == "env-cmd")
        {
            break a;
        }
        assert!(Instant::now() < until, "no acknowledgement for the command");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    assert!(
        ack["payload"]
            .to_string()
            .contains("ExtensionConfigParsingFailure"),
        "{ack}"
    );

    // A button over the socket: the guided walk starts in the thread.
    let mut press: Value = serde_json::from_str(&fixture("block_actions.json")).unwrap();
    press["container"]["message_ts"] = json!("1700000003.000100");
    press["container"]["channel_id"] = json!("C024BE91L");
    press["channel"]["id"] = json!("C024BE91L");
    press["message"]["ts"] = json!("1700000003.000100");
    press["message"]["thread_ts"] = json!("1700000700.000300");
    press["actions"][0]["action_id"] = json!("guide.start");
    assert!(fake.push(&json!({"type": "interactive", "envelope_id": "env-btn", "accepts_response_payload": false, "payload": press})));
    let posts = fake.wait_for("chat.postMessage", 4, Duration::from_secs(15));
    assert_eq!(posts.len(), 4);
    assert_eq!(posts[3].body["thread_ts"], "1700000700.000300");
    assert!(
        posts[3].body["text"]
            .as_str()
            .unwrap()
            .starts_with("Step 1/"),
        "{}",
        posts[3].body["text"]
    );
}

/// `a=1&b=2` (already decoded enough for the documented sample) as a JSON object.
fn serde_urlencoded_pairs(form: &str) -> serde_json::Map<String, Value> {
    form.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), json!(v.replace("%20", " "))))
        .collect()
}
