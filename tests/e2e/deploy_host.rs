//! deploy/ for a host and for Slack: the systemd unit (hardening, read by systemd's own
//! `systemd-analyze verify` where it is installed) and the Slack app manifest (the scopes,
//! events, command, interactivity and Socket Mode the adapter relies on).

use crate::deploy::{assert_known, list, read, s, yaml};
use crate::support::{root, temp_dir};
use std::collections::BTreeMap;

#[test]
fn the_systemd_unit_is_hardened_and_verifies() {
    let text = read("deploy/systemd/backup-bot.service");
    let mut section = String::new();
    let mut keys: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("not key=value: {line}"));
        keys.entry((section.clone(), k.to_string()))
            .or_default()
            .push(v.to_string());
    }
    let get = |k: &str| {
        keys.get(&("Service".to_string(), k.to_string()))
            .cloned()
            .unwrap_or_default()
    };
    for (k, v) in [
        ("DynamicUser", "yes"),
        ("ProtectSystem", "strict"),
        ("NoNewPrivileges", "yes"),
        ("StateDirectory", "backup-bot"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("CapabilityBoundingSet", ""),
        ("RestartPreventExitStatus", "2"),
    ] {
        assert_eq!(get(k), [v], "{k}");
    }
    assert_eq!(get("ExecStart"), ["/usr/local/bin/backup-bot serve"]);
    let env: BTreeMap<String, String> = get("Environment")
        .iter()
        .filter_map(|e| e.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert!(
        env["BACKUP_BOT__STORAGE__URL"].starts_with("sqlite:///var/lib/backup-bot/"),
        "the SQLite file in the StateDirectory"
    );
    assert_known(&env.keys().collect::<Vec<_>>());
    assert_eq!(
        keys[&("Install".to_string(), "WantedBy".to_string())],
        ["multi-user.target"]
    );
    // systemd's own reader, where it is installed.
    match std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
    {
        Ok(_) => {
            let dir = temp_dir("unit");
            let unit = dir.join("backup-bot.service");
            let exe = env!("CARGO_BIN_EXE_backup-bot");
            std::fs::write(&unit, text.replace("/usr/local/bin/backup-bot", exe)).unwrap();
            let out = std::process::Command::new("systemd-analyze")
                .arg("verify")
                .arg(&unit)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success() && err.trim().is_empty(), "{err}");
        }
        Err(_) => {
            eprintln!("systemd-analyze is not installed: the unit was read by the line reader only")
        }
    }
}

#[test]
fn the_slack_app_manifest_asks_for_what_the_adapter_uses() {
    let m = &yaml("deploy/slack-app-manifest.yaml")[0];
    let scopes = list(&m["oauth_config"]["scopes"]["bot"]);
    let events = list(&m["settings"]["event_subscriptions"]["bot_events"]);
    // The events the adapter handles (its inbound code names them) are subscribed...
    let inbound = read("bot/slack/src/inbound.rs");
    for variant in ["AppMention", "Message"] {
        assert!(
            inbound.contains(&format!("SlackEventCallbackBody::{variant}")),
            "{variant}"
        );
    }
    for e in [
        "app_mention",
        "message.channels",
        "message.groups",
        "message.im",
        "message.mpim",
    ] {
        assert!(events.contains(&e.to_string()), "{e}: {events:?}");
    }
    // ...and each has its scope; so has every Web API method the adapter calls.
    for e in &events {
        let scope = match e.split_once('.') {
            Some(("message", kind)) => format!("{kind}:history"),
            _ => "app_mentions:read".to_string(),
        };
        assert!(scopes.contains(&scope), "{e} needs {scope}: {scopes:?}");
    }
    let adapter: String = ["run.rs", "socket.rs", "http.rs", "send.rs"]
        .iter()
        .map(|f| std::fs::read_to_string(root().join("bot/slack/src").join(f)).unwrap_or_default())
        .collect();
    let calls = [
        ("chat_post_message", "chat:write"),
        ("chat_update", "chat:write"),
        ("chat_delete", "chat:write"),
        ("files_info", "files:read"),
        ("usergroups_users_list", "usergroups:read"),
        ("conversations_replies", "channels:history"),
        ("conversations_replies", "groups:history"),
    ];
    let used: Vec<_> = calls.iter().filter(|(c, _)| adapter.contains(c)).collect();
    assert!(!used.is_empty(), "the adapter's Web API calls");
    for (call, scope) in used {
        assert!(scopes.contains(&scope.to_string()), "{call} needs {scope}");
    }
    assert!(scopes.contains(&"commands".to_string()));
    let cmds = m["features"]["slash_commands"].as_vec().unwrap();
    assert!(cmds.iter().any(|c| s(&c["command"]) == "/backup-error"));
    assert!(
        read("bot/core/src/command.rs").contains("backup-error")
            || read("bot/slack/src/inbound.rs").contains("backup-error")
    );
    assert_eq!(
        m["settings"]["interactivity"]["is_enabled"].as_bool(),
        Some(true)
    );
    assert_eq!(m["settings"]["socket_mode_enabled"].as_bool(), Some(true));
}
