//! Discord end to end: the real `backup-bot serve` (serenity inside) against the fake Discord.
//! The tests assert what the fake received: one reply, its message reference, empty
//! allowed_mentions, the embed limits.

use crate::fake_discord::{self as fd, FakeDiscord, CHANNEL_ID};
use crate::support::discord::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[test]
fn a_paste_gets_one_reply_with_an_embed_and_buttons_and_nobody_is_pinged() {
    let fake = FakeDiscord::start();
    let bot = start(&fake, &[]);
    let identify = fake.received(2);
    assert_eq!(identify.len(), 1);
    let intents = identify[0]["d"]["intents"].as_u64().unwrap();
    assert_eq!(
        intents & (1 << 9 | 1 << 12 | 1 << 15),
        1 << 9 | 1 << 12 | 1 << 15,
        "guild messages, DMs, message content"
    );

    assert!(fake.dispatch(
        "MESSAGE_CREATE",
        paste("1001", &format!("@everyone {PASTE} <@&77>"))
    ));
    let posts = fake.wait_for(POSTS, 1, Duration::from_secs(15));
    assert_eq!(posts.len(), 1);
    let b = &posts[0].body;
    assert_eq!(b["message_reference"]["message_id"], "1001");
    assert_eq!(b["allowed_mentions"]["parse"], json!([]));
    let embed = &b["embeds"][0];
    assert!(embed["title"]
        .as_str()
        .unwrap()
        .starts_with("UserErrorFsFreezeFailed"));
    assert!(embed["footer"]["text"]
        .as_str()
        .unwrap()
        .contains("confidence"));
    assert_eq!(
        custom_ids(b),
        [
            "guide.start",
            "feedback.fixed",
            "feedback.still_failing",
            "feedback.wrong"
        ]
    );
    assert!(
        !b.to_string().contains("@everyone"),
        "echoed mentions are neutralised"
    );

    // Seen again (a replay): once. Bots, webhooks and chatter: never.
    assert!(fake.dispatch("MESSAGE_CREATE", paste("1001", PASTE)));
    let mut from_bot = paste("1002", PASTE);
    from_bot["author"]["bot"] = json!(true);
    fake.dispatch("MESSAGE_CREATE", from_bot);
    let mut hook = paste("1003", PASTE);
    hook["webhook_id"] = json!("555");
    fake.dispatch("MESSAGE_CREATE", hook);
    fake.dispatch("MESSAGE_CREATE", paste("1004", "lunch at noon?"));
    quiet_for(&fake, POSTS, 1, Duration::from_millis(800));
    let logs = bot.logs();
    for secret in ["fake-discord-token", "erp-app02"] {
        assert!(!logs.contains(secret), "{secret} in the logs:\n{logs}");
    }
}

#[test]
fn an_edit_updates_the_reply_and_a_direct_question_is_answered() {
    let fake = FakeDiscord::start();
    let _bot = start(&fake, &[]);
    fake.dispatch("MESSAGE_CREATE", paste("1101", PASTE));
    let posts = fake.wait_for(POSTS, 1, Duration::from_secs(15));
    assert_eq!(posts.len(), 1);
    settle();
    fake.dispatch(
        "MESSAGE_UPDATE",
        json!({"id": "1101", "channel_id": CHANNEL_ID, "guild_id": fd::GUILD_ID, "content": "backup failed: UserErrorSkuNotAvailable",
               "author": fd::user("4001", "alice", false), "edited_timestamp": "2024-01-01T00:01:00.000000+00:00"}),
    );
    let edits = fake.wait_for(
        "PATCH /api/v10/channels/2001/messages/7001",
        1,
        Duration::from_secs(15),
    );
    assert_eq!(edits.len(), 1, "the reply (7001) is edited in place");
    assert!(edits[0].body["embeds"][0]["title"]
        .as_str()
        .unwrap()
        .starts_with("UserErrorSkuNotAvailable"));
    assert_eq!(edits[0].body["allowed_mentions"]["parse"], json!([]));

    // A mention of the bot: always answered.
    let mut asked = paste("1102", "<@900> what is for lunch?");
    asked["mentions"] = json!([fd::user(fd::BOT_ID, "backup-bot", true)]);
    fake.dispatch("MESSAGE_CREATE", asked);
    let posts = fake.wait_for(POSTS, 2, Duration::from_secs(15));
    assert_eq!(posts.len(), 2);
    assert!(posts[1].body["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .starts_with("I don't know this one."));
}

#[test]
fn a_text_attachment_is_read() {
    let fake = FakeDiscord::start();
    let _bot = start(&fake, &[]);
    let url = fake.add_attachment(
        "9001",
        &format!("{}\nErrorCode : 380008\n", "log line\n".repeat(200)),
    );
    let mut m = paste("1201", "");
    m["attachments"] = json!([{"id": "9001", "filename": "message.txt", "size": 2000, "url": url, "proxy_url": url, "content_type": "text/plain; charset=utf-8"}]);
    fake.dispatch("MESSAGE_CREATE", m);
    let posts = fake.wait_for(POSTS, 1, Duration::from_secs(15));
    assert_eq!(posts.len(), 1);
    assert!(posts[0].body["embeds"][0]["title"]
        .as_str()
        .unwrap()
        .contains("AzureVmOffline"));
}

#[test]
fn the_gateway_resumes_after_a_dropped_connection_and_nothing_is_doubled() {
    let fake = FakeDiscord::start();
    let _bot = start(&fake, &[]);
    fake.dispatch("MESSAGE_CREATE", paste("1301", PASTE));
    fake.wait_for(POSTS, 1, Duration::from_secs(15));
    fake.drop_connection();
    let until = Instant::now() + Duration::from_secs(15);
    while fake.received(6).is_empty() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    let resume = fake.received(6);
    assert_eq!(resume.len(), 1, "RESUME after the drop");
    assert_eq!(resume[0]["d"]["session_id"], "sess-1");
    assert!(fake.wait_connected(Duration::from_secs(20)));
    // A replay of the message before the drop, then a new one.
    fake.dispatch("MESSAGE_CREATE", paste("1301", PASTE));
    fake.dispatch(
        "MESSAGE_CREATE",
        paste("1302", "backup failed: ExtensionConfigParsingFailure"),
    );
    let posts = fake.wait_for(POSTS, 2, Duration::from_secs(15));
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1].body["message_reference"]["message_id"], "1302");
    quiet_for(&fake, POSTS, 2, Duration::from_millis(500));
}

#[test]
fn the_command_autocompletes_defers_and_follows_up_and_buttons_act() {
    let fake = FakeDiscord::start();
    let _bot = start(&fake, &[]);
    fake.dispatch(
        "INTERACTION_CREATE",
        fd::autocomplete("11", "tok-ac", "UserErrorFs"),
    );
    let cb = fake.wait_for(
        "POST /api/v10/interactions/11/tok-ac/callback",
        1,
        Duration::from_secs(15),
    );
    assert_eq!(cb[0].body["type"], 8);
    let choices = cb[0].body["data"]["choices"].as_array().unwrap();
    assert!(!choices.is_empty() && choices.len() <= 25);
    assert_eq!(choices[0]["value"], "UserErrorFsFreezeFailed");

    fake.dispatch(
        "INTERACTION_CREATE",
        fd::command(
            "12",
            "tok-cmd",
            json!([{"name": "code", "type": 3, "value": "UserErrorFsFreezeFailed"}]),
        ),
    );
    let cb = fake.wait_for(
        "POST /api/v10/interactions/12/tok-cmd/callback",
        1,
        Duration::from_secs(15),
    );
    assert_eq!(cb[0].body["type"], 5, "deferred");
    assert_eq!(cb[0].body["data"]["flags"], 64, "ephemeral by default");
    let follow = fake.wait_for(
        "POST /api/v10/webhooks/900/tok-cmd",
        1,
        Duration::from_secs(15),
    );
    assert_eq!(follow.len(), 1);
    assert!(follow[0].body["embeds"][0]["title"]
        .as_str()
        .unwrap()
        .starts_with("UserErrorFsFreezeFailed"));
    assert_eq!(follow[0].body["allowed_mentions"]["parse"], json!([]));

    // No option: usage and the known codes.
    fake.dispatch(
        "INTERACTION_CREATE",
        fd::command("13", "tok-help", json!([])),
    );
    let follow = fake.wait_for(
        "POST /api/v10/webhooks/900/tok-help",
        1,
        Duration::from_secs(15),
    );
    assert!(follow[0]
        .body
        .to_string()
        .contains("UserErrorSkuNotAvailable"));

    // A paste's reply, then its buttons.
    fake.dispatch("MESSAGE_CREATE", paste("1401", PASTE));
    let posts = fake.wait_for(POSTS, 1, Duration::from_secs(15));
    assert_eq!(posts.len(), 1);
    settle();
    let reply_id = "7003";
    fake.dispatch(
        "INTERACTION_CREATE",
        fd::button("14", "tok-b1", "guide.start", reply_id),
    );
    let cb = fake.wait_for(
        "POST /api/v10/interactions/14/tok-b1/callback",
        1,
        Duration::from_secs(15),
    );
    assert_eq!(cb[0].body["type"], 6, "acknowledged at once");
    let posts = fake.wait_for(POSTS, 2, Duration::from_secs(15));
    assert_eq!(posts.len(), 2);
    assert!(posts[1].body["embeds"][0]["title"]
        .as_str()
        .unwrap()
        .starts_with("Step 1/2"));
    assert_eq!(posts[1].body["message_reference"]["message_id"], reply_id);
    assert!(custom_ids(&posts[1].body).contains(&"guide.next:1".to_string()));
    fake.dispatch(
        "INTERACTION_CREATE",
        fd::button("15", "tok-b2", "escalation.open", reply_id),
    );
    let follow = fake.wait_for(
        "POST /api/v10/webhooks/900/tok-b2",
        1,
        Duration::from_secs(15),
    );
    assert!(follow[0]
        .body
        .to_string()
        .contains("Escalation is not set up yet"));
    fake.dispatch(
        "INTERACTION_CREATE",
        fd::button("16", "tok-b3", "feedback.wrong", reply_id),
    );
    let deleted = fake.wait_for(
        "DELETE /api/v10/channels/2001/messages/7003",
        1,
        Duration::from_secs(15),
    );
    assert_eq!(deleted.len(), 1);
}

#[test]
fn rate_limits_and_server_errors_are_retried_and_the_longest_entry_fits() {
    let fake = FakeDiscord::start();
    let _bot = start(&fake, &[]);
    fake.fail(POSTS, &[429, 502]);
    fake.dispatch(
        "MESSAGE_CREATE",
        paste("1501", "backup failed: ExtensionFailedVssWriterInBadState"),
    );
    let posts = fake.wait_for(POSTS, 3, Duration::from_secs(20));
    assert_eq!(posts.len(), 3, "a 429, a 502, then the reply");
    quiet_for(&fake, POSTS, 3, Duration::from_millis(500));
    let e = &posts[2].body["embeds"][0];
    let len = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    assert!(len(&e["title"]) <= 256 && len(&e["description"]) <= 4096);
    let fields = e["fields"].as_array().unwrap();
    assert!(!fields.is_empty() && fields.len() <= 25);
    let mut total = len(&e["title"]) + len(&e["description"]) + len(&e["footer"]["text"]);
    for f in fields {
        assert!(len(&f["name"]) <= 256 && len(&f["value"]) <= 1024);
        total += len(&f["name"]) + len(&f["value"]);
    }
    assert!(total <= 6000, "{total}");
    for row in posts[2].body["components"].as_array().unwrap() {
        assert!(row["components"].as_array().unwrap().len() <= 5);
    }
}

#[test]
fn thread_mode_answers_in_a_new_thread() {
    let fake = FakeDiscord::start();
    let _bot = start(&fake, &[("BACKUP_BOT__DISCORD__REPLY", "thread")]);
    fake.dispatch("MESSAGE_CREATE", paste("1601", PASTE));
    let threads = fake.wait_for(
        "POST /api/v10/channels/2001/messages/1601/threads",
        1,
        Duration::from_secs(15),
    );
    assert_eq!(threads.len(), 1);
    assert!(threads[0].body["name"]
        .as_str()
        .unwrap()
        .starts_with("UserErrorFsFreezeFailed"));
    let posts = fake.wait_for(
        "POST /api/v10/channels/1601/messages",
        1,
        Duration::from_secs(15),
    );
    assert_eq!(posts.len(), 1, "the answer goes into the thread");
}

#[test]
fn a_missing_message_content_intent_ends_with_one_clear_line() {
    let fake = FakeDiscord::start();
    fake.close_after_identify(4014);
    let out = command(&fake, &["serve"], &[]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("4014"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("Message Content Intent"), "{line}");
    assert!(fake.connections() <= 2, "not a crash loop");
}

#[test]
fn register_commands_is_a_bulk_overwrite() {
    let fake = FakeDiscord::start();
    for _ in 0..2 {
        let out = command(
            &fake,
            &["discord", "register-commands"],
            &[("BACKUP_BOT__DISCORD__GUILDS", fd::GUILD_ID)],
        )
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("registered /backup-error (guild 3001")
        );
    }
    let puts = fake.calls("PUT /api/v10/applications/900/guilds/3001/commands");
    assert_eq!(puts.len(), 2);
    assert_eq!(puts[0].body, puts[1].body, "the same overwrite each time");
    let cmd = &puts[0].body[0];
    assert_eq!(cmd["name"], "backup-error");
    let opts = cmd["options"].as_array().unwrap();
    assert_eq!(
        (opts[0]["name"].as_str(), opts[0]["autocomplete"].as_bool()),
        (Some("code"), Some(true))
    );
    assert_eq!(opts[1]["name"], "query");
}

#[test]
fn a_429_is_retried_after_the_wait_discord_asks() {
    let fake = FakeDiscord::start();
    let _bot = start(&fake, &[]);
    // Discord asks for 5 s; every request inside them gets another 429.
    fake.rate_limit(POSTS, 5.0);
    fake.dispatch("MESSAGE_CREATE", paste("1601", PASTE));
    let until = Instant::now() + Duration::from_secs(40);
    while Instant::now() < until && fake.calls(POSTS).iter().all(|c| c.limited) {
        std::thread::sleep(Duration::from_millis(50));
    }
    quiet_for(&fake, POSTS, 2, Duration::from_millis(500));
    let posts = fake.calls(POSTS);
    assert!(posts[0].limited && !posts[1].limited, "{posts:#?}");
}
