//! Escalation on Slack, what its tests share: the fake PagerDuty on a runtime of its own, the
//! bot started with an on-call setup, a [`Drive`] that reaches it over HTTP or Socket Mode, and
//! reading mentions the way Slack does.

use super::slack::*;
use super::{free_port, temp_dir};
use crate::fake_pagerduty::FakePagerDuty;
use crate::fake_slack::FakeSlack;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub const CHANNEL: &str = "C024BE91L";
pub const ONCALL: &str = "S0ONCALL";
pub const SECOND: &str = "U0SECOND";
/// The person pressing buttons in the fixture.
pub const PRESSER: &str = "UA8RXUSPL";
pub const ROUTING_KEY: &str = "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY00";
/// The entry `PASTE` names.
pub const ENTRY: &str = "user-error-fs-freeze-failed";
pub const WITHIN: Duration = Duration::from_secs(20);

/// PagerDuty's fake on a runtime of its own (kept alive with it).
pub struct PagerDuty {
    pub fake: FakePagerDuty,
    _rt: tokio::runtime::Runtime,
}

impl PagerDuty {
    pub fn start() -> PagerDuty {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let fake = rt.block_on(FakePagerDuty::start());
        PagerDuty { fake, _rt: rt }
    }

    /// Waits until an event with this action was taken; (action, dedup_key) of all taken.
    pub fn wait_for(&self, action: &str) -> Vec<(String, String)> {
        poll(|| {
            let a = self.fake.actions();
            a.iter().any(|(x, _)| x == action).then_some(a)
        })
        .unwrap_or_else(|| panic!("PagerDuty never got {action}: {:?}", self.fake.actions()))
    }
}

/// Polls `f` until it gives something (or the time runs out).
pub fn poll<T>(mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let until = Instant::now() + WITHIN;
    loop {
        if let Some(t) = f() {
            return Some(t);
        }
        if Instant::now() > until {
            return None;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Every `<!…>` and `<@…>` in a text, the way Slack reads mentions.
pub fn pinged(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in s.match_indices('<') {
        let rest = &s[i..];
        if rest.starts_with("<!") || rest.starts_with("<@") {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            out.push(rest[..end].to_string());
        }
    }
    out
}

/// Whom a message body pings: the same in its fallback text and in its blocks.
pub fn pings(body: &Value) -> Vec<String> {
    let text = pinged(body["text"].as_str().unwrap_or(""));
    assert_eq!(text, pinged(&body["blocks"].to_string()), "{body}");
    text
}

/// The text and blocks of a message body, as one string.
pub fn shown(body: &Value) -> String {
    format!("{}\n{}", body["text"], body["blocks"])
}

/// How the test reaches the bot: signed HTTP requests, or Socket Mode envelopes.
pub struct Drive<'a> {
    pub fake: &'a FakeSlack,
    pub bot: &'a Bot,
    pub socket: bool,
    envelopes: std::cell::Cell<u32>,
}

impl<'a> Drive<'a> {
    pub fn new(fake: &'a FakeSlack, bot: &'a Bot, socket: bool) -> Drive<'a> {
        Drive {
            fake,
            bot,
            socket,
            envelopes: Default::default(),
        }
    }

    pub fn envelope(&self) -> String {
        self.envelopes.set(self.envelopes.get() + 1);
        format!("env-esc-{}", self.envelopes.get())
    }

    pub fn event(&self, v: &Value) {
        if self.socket {
            let id = self.envelope();
            assert!(self.fake.push(&json!({"type": "events_api", "envelope_id": id, "accepts_response_payload": false, "payload": v})));
        } else {
            assert_eq!(send_event(self.bot, v, &[]), 200);
        }
    }

    /// An interaction payload; over HTTP, the response's (status, body); over the socket, the
    /// acknowledgement's payload (None: acknowledged without one).
    pub fn interact(&self, payload: &Value) -> Option<Value> {
        if self.socket {
            let id = self.envelope();
            assert!(self.fake.push(&json!({"type": "interactive", "envelope_id": id, "accepts_response_payload": true, "payload": payload})));
            let ack = poll(|| {
                self.fake
                    .acks()
                    .into_iter()
                    .find(|a| a["envelope_id"] == id)
            })
            .expect("the interaction is acknowledged");
            ack.get("payload").filter(|p| !p.is_null()).cloned()
        } else {
            let form = format!("payload={}", url_encode(&payload.to_string()));
            let (status, body) = signed(
                self.bot,
                "/slack/interactions",
                "application/x-www-form-urlencoded",
                &form,
                &[],
            );
            assert_eq!(status, 200);
            (!body.is_empty()).then_some(Value::String(body))
        }
    }

    /// A press of `action` on our message `message_ts` in the thread `thread_ts`, by `user`.
    pub fn press(&self, message_ts: &str, thread_ts: &str, action: &str, user: &str) {
        let mut v: Value = serde_json::from_str(&fixture("block_actions.json")).unwrap();
        v["user"]["id"] = json!(user);
        v["container"]["message_ts"] = json!(message_ts);
        v["container"]["channel_id"] = json!(CHANNEL);
        v["channel"]["id"] = json!(CHANNEL);
        v["message"]["ts"] = json!(message_ts);
        v["message"]["thread_ts"] = json!(thread_ts);
        v["actions"][0]["action_id"] = json!(action);
        v["response_url"] = json!(self.fake.response_url(&response_id(action, user)));
        // Each press has a trigger of its own.
        v["trigger_id"] = json!(format!("1.2.{}", self.envelope()));
        self.interact(&v);
    }
}

/// The name of a press's response URL (no `#` or `:` in a URL's path).
pub fn response_id(action: &str, user: &str) -> String {
    format!("{action}-{user}").replace(['#', ':'], "-")
}

/// The posted message (ts, body) that `pick` finds, waiting for it.
pub fn posted(fake: &FakeSlack, what: &str, pick: impl Fn(&Value) -> bool) -> (String, Value) {
    poll(|| fake.posted().into_iter().find(|(_, b)| pick(b)))
        .unwrap_or_else(|| panic!("no {what} was posted: {:#?}", fake.posted()))
}

pub fn with_action(prefix: &str) -> impl Fn(&Value) -> bool + '_ {
    move |b| action_ids(b).iter().any(|a| a.starts_with(prefix))
}

pub fn start_oncall(
    fake: &FakeSlack,
    socket: bool,
    pd: &PagerDuty,
    extra: &[(&str, String)],
) -> Bot {
    let dir = temp_dir(&format!("escalation-{}", free_port()));
    let mut env = vec![
        ("BACKUP_BOT__ESCALATION__SLACK_ONCALL", ONCALL.to_string()),
        (
            "BACKUP_BOT__ESCALATION__SLACK_ONCALL_SECONDARY",
            SECOND.to_string(),
        ),
        ("BACKUP_BOT__ESCALATION__ACK_TIMEOUT", "1s".to_string()),
        (
            "BACKUP_BOT__PAGERDUTY__ROUTING_KEY",
            ROUTING_KEY.to_string(),
        ),
        ("BACKUP_BOT__PAGERDUTY__EVENTS_URL", pd.fake.url.clone()),
    ];
    env.extend(extra.iter().cloned());
    let bot = start_slack(fake, socket, &dir, &env);
    if socket {
        assert!(
            poll(|| fake.socket_connected().then_some(())).is_some(),
            "the socket connects"
        );
    }
    bot
}

/// What Slack sends when the modal is submitted: the view that was opened, with its state.
pub fn submission(view: &Value, opened: &Value, note: &str) -> Value {
    let mut v = view.clone();
    v["id"] = json!("V0SUBMIT");
    v["team_id"] = json!("T9TK3CUKW");
    v["hash"] = json!("1569362015.55b5e41b");
    v["state"] = json!({"values": {"note": {"note": {"type": "plain_text_input", "value": note}}}});
    json!({
        "type": "view_submission",
        "team": {"id": "T9TK3CUKW", "domain": "example"},
        "user": {"id": PRESSER, "username": "jtorrance", "name": "jtorrance", "team_id": "T9TK3CUKW"},
        "api_app_id": "AABA1ABCD",
        "token": "9s8d9as89d8as9d8as989",
        "trigger_id": format!("{}.next", opened["trigger_id"].as_str().unwrap()),
        "view": v,
        "response_urls": []
    })
}

/// Every message the bot posted or updated mentions only the configured targets.
pub fn assert_only_oncall(fake: &FakeSlack, targets: &[&str]) {
    let allowed: Vec<String> = targets
        .iter()
        .map(|t| {
            if t.starts_with('S') {
                format!("<!subteam^{t}>")
            } else {
                format!("<@{t}>")
            }
        })
        .collect();
    let bodies = fake
        .calls("chat.postMessage")
        .into_iter()
        .chain(fake.calls("chat.update"))
        .map(|c| shown(&c.body));
    for b in bodies {
        for p in pinged(&b) {
            assert!(allowed.contains(&p), "{p} in {b}");
        }
        for bad in ["@everyone", "@here", "@channel"] {
            assert!(!b.contains(bad), "{bad} in {b}");
        }
    }
}
