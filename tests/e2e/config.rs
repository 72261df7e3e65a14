//! Configuration that catches mistakes: `config check` names every problem at once, refuses
//! tokens of the wrong kind and the example's placeholders, reads ids as numbers or strings,
//! takes the platforms' own variable names, never shows a secret, and exits 0 only when `serve`
//! would start.

use crate::support::{bin, root, run, temp_dir};
use std::path::Path;
use std::process::Output;

/// Runs the binary in `dir` with only these configuration variables (none inherited).
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = bin();
    cmd.args(args)
        .current_dir(dir)
        .env_remove("BACKUP_BOT_CONFIG");
    for (k, _) in std::env::vars() {
        if k.starts_with("BACKUP_BOT__") || k.starts_with("SLACK_") || k == "DISCORD_TOKEN" {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn check(dir: &Path, file: Option<&str>, env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut args = vec!["config", "check"];
    if let Some(f) = file {
        std::fs::write(dir.join("c.toml"), f).unwrap();
        args.extend(["--config", "c.toml"]);
    }
    let out = run_env(dir, &args, env);
    let (o, e) = text(&out);
    (out.status.code(), o, e)
}

const SLACK_OK: [(&str, &str); 2] = [
    ("BACKUP_BOT__SLACK__BOT_TOKEN", "xoxb-1-2-good"),
    ("BACKUP_BOT__SLACK__APP_TOKEN", "xapp-1-A2-3-good"),
];

#[test]
fn every_problem_is_named_at_once() {
    let dir = temp_dir("config-all");
    let file = "[slack]\nmode = \"sockets\"\nbot_token = \"xapp-1-A1-swapped\"\napp_token = \"xoxb-1-2-swapped\"\nbot_tokn = \"x\"\n\
                [discord]\ntoken = \"t\"\nreply = \"threads\"\nguilds = [\"my-server\", 222]\n[defaults]\ncooldown = \"soon\"\n\
                [colours]\nred = true\n";
    let (code, _, err) = check(&dir, Some(file), &[]);
    assert_eq!(code, Some(2), "{err}");
    // The unknown keys are all named, and every value of the known ones is checked too.
    for want in [
        "7 problems",
        "unknown key `slack.bot_tokn`",
        "unknown key `colours`",
        "slack.mode `sockets` must be",
        "slack.bot_token and slack.app_token are swapped",
        "discord.reply `threads` must be",
        "discord.guilds: `my-server` is not a Discord id",
        "defaults.cooldown `soon` is not a duration",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    assert!(!err.contains("swapped\""), "no token shown: {err}");
    // A key of the wrong type is named with an example.
    let (_, _, err) = check(
        &dir,
        Some("[discord]\ntoken = \"t\"\nguilds = { a = 1 }\n"),
        &[],
    );
    assert!(
        err.contains("discord.guilds: takes Discord server (guild) ids, e.g. guilds = [\"")
            && err.contains("BACKUP_BOT__DISCORD__GUILDS="),
        "{err}"
    );
}

#[test]
fn the_example_file_is_refused_for_its_placeholders() {
    let out = run(
        &[
            "config",
            "check",
            "--config",
            "deploy/backup-bot.example.toml",
        ],
        b"",
    );
    let (o, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{o}{err}");
    for key in [
        "slack.bot_token",
        "slack.app_token",
        "discord.token",
        "discord.application_id",
        "discord.guilds",
    ] {
        assert!(
            err.lines()
                .any(|l| l.contains(key) && l.contains("placeholder")),
            "{key}: {err}"
        );
    }
    assert!(!err.contains("your-") && !o.contains("your-"), "{err}");
    // With the placeholders replaced (by variables, as in production) and the runbook folder
    // pointed somewhere real, it is a configuration serve starts with; secrets stay hidden.
    let runbooks = root().join("deploy/runbooks");
    let out = run_env(
        &root(),
        &[
            "config",
            "check",
            "--config",
            "deploy/backup-bot.example.toml",
        ],
        &[
            ("BACKUP_BOT__SLACK__BOT_TOKEN", "xoxb-very-secret"),
            ("BACKUP_BOT__SLACK__APP_TOKEN", "xapp-very-secret"),
            ("BACKUP_BOT__DISCORD__TOKEN", "discord-very-secret"),
            ("BACKUP_BOT__DISCORD__APPLICATION_ID", "1184721109823746048"),
            ("BACKUP_BOT__DISCORD__GUILDS", "1184721109823746049"),
            ("BACKUP_BOT__CONTENT__DIRS", runbooks.to_str().unwrap()),
        ],
    );
    let (o, err) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{o}{err}");
    assert!(!format!("{o}{err}").contains("very-secret"), "{o}{err}");
    assert!(o.contains("bot_token = \"[redacted]\""), "{o}");
    assert!(
        o.contains("[channels.\"C0123456789\"]\nmode = \"mention\"\ncooldown = \"3600s\""),
        "{o}"
    );
    assert!(
        o.contains("[storage]\nurl = \"sqlite://backup-bot.db\"\nretention = \"2592000s\""),
        "{o}"
    );
}

#[test]
fn discord_ids_are_numbers_or_strings_and_lists_come_comma_separated() {
    let dir = temp_dir("config-ids");
    let file = "[discord]\ntoken = \"t\"\napplication_id = \"900\"\nguilds = [\"222\", 333]\nchannels = \"444\"\n\
                [slack]\nbot_token = \"xoxb-1\"\napp_token = \"xapp-1\"\nchannels = [\"C0123ABCD\"]\n";
    let (code, out, err) = check(&dir, Some(file), &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("application_id = 900\nguilds = [222, 333]"),
        "{out}"
    );
    assert!(out.contains("channels = [\"444\"]"), "{out}");
    let env = [
        ("BACKUP_BOT__DISCORD__TOKEN", "t"),
        ("BACKUP_BOT__DISCORD__GUILDS", "1,2"),
        ("BACKUP_BOT__DISCORD__CHANNELS", "3, 4"),
        ("BACKUP_BOT__SLACK__CHANNELS", "C0123ABCD,G0456EFGH"),
        SLACK_OK[0],
        SLACK_OK[1],
    ];
    let (code, out, err) = check(&dir, None, &env);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("guilds = [1, 2]"), "{out}");
    assert!(out.contains("channels = [\"3\", \"4\"]"), "{out}");
    assert!(
        out.contains("channels = [\"C0123ABCD\", \"G0456EFGH\"]"),
        "{out}"
    );
    // A channel's name where its id belongs.
    let (code, _, err) = check(
        &dir,
        None,
        &[
            SLACK_OK[0],
            SLACK_OK[1],
            ("BACKUP_BOT__SLACK__CHANNELS", "general"),
        ],
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("slack.channels: `general` is not a channel id"),
        "{err}"
    );
}

#[test]
fn the_platforms_own_variable_names_are_read_and_ours_win() {
    let dir = temp_dir("config-fallback");
    let (code, out, err) = check(
        &dir,
        None,
        &[
            ("SLACK_BOT_TOKEN", "xoxb-from-slack-cli"),
            ("SLACK_APP_TOKEN", "xapp-from-slack-cli"),
            ("DISCORD_TOKEN", "from-discord-tools"),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("[slack]\nmode = \"socket\"") && out.contains("[discord]\ntoken"),
        "{out}"
    );
    // SLACK_SIGNING_SECRET for HTTP mode.
    let (code, _, err) = check(
        &dir,
        None,
        &[
            ("SLACK_BOT_TOKEN", "xoxb-1"),
            ("SLACK_SIGNING_SECRET", "abc"),
            ("BACKUP_BOT__SLACK__MODE", "http"),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    // Both set: the BACKUP_BOT__ name wins (the fallback here is wrong, so it would fail).
    let (code, _, err) = check(
        &dir,
        None,
        &[
            ("SLACK_BOT_TOKEN", "xapp-wrong-kind"),
            ("SLACK_APP_TOKEN", "xapp-1"),
            ("BACKUP_BOT__SLACK__BOT_TOKEN", "xoxb-right"),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    // The fallback also wins over the file.
    let (code, _, err) = check(
        &dir,
        Some("[slack]\nbot_token = \"xapp-wrong-in-file\"\napp_token = \"xapp-1\"\n"),
        &[("SLACK_BOT_TOKEN", "xoxb-right")],
    );
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn no_configuration_error_shows_a_secret() {
    let dir = temp_dir("config-secrets");
    let discord = "MTE4NDcyMTEwOTgyMzc0NjA0OA.GhIjKl.aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789ab";
    let cases: Vec<(String, Vec<&str>)> = vec![
        // A syntax error on a token's line.
        ("[slack]\nbot_token = \"xoxb-111-222-sEcReT\napp_token = 1\n".into(), vec!["sEcReT"]),
        // Tokens under the wrong keys.
        (format!("[slack]\nmode = \"xoxb-111-222-sEcReT\"\n[discord]\nreply = \"{discord}\"\ntoken = \"t\"\n"), vec!["sEcReT", "GhIjKl"]),
        ("[http]\nlisten = \"xapp-1-A2-sEcReT\"\n".into(), vec!["sEcReT"]),
        ("[discord]\ntoken = \"t\"\nguilds = [\"xoxb-111-222-sEcReT\"]\n".into(), vec!["sEcReT"]),
        // A URL with a password.
        ("[slack]\napi_url = \"https://bot:pAsSwOrD@proxy.example/api/\"\n".into(), vec!["pAsSwOrD"]),
        // A signing secret that is wrong where it is.
        ("[slack]\nbot_token = \"xoxb-1\"\nsigning_secret = \"8f14e45fceea167a5a36dedd4bea2543\"\nmode = \"https\"\n".into(), vec!["8f14e45fceea167a5a36dedd4bea2543"]),
    ];
    for (file, secrets) in cases {
        let (code, out, err) = check(&dir, Some(&file), &[]);
        assert_eq!(code, Some(2), "{file}\n{err}");
        for s in secrets {
            assert!(!out.contains(s) && !err.contains(s), "{file}\n{out}{err}");
        }
        assert!(err.lines().count() >= 1 && !err.trim().is_empty());
    }
    let (_, _, err) = check(
        &dir,
        Some("[slack]\nbot_token = \"xoxb-111-222-sEcReT\napp_token = 1\n"),
        &[],
    );
    assert!(err.contains("TOML syntax error at line 2"), "{err}");
}

#[test]
fn check_exits_0_only_when_serve_would_start() {
    let dir = temp_dir("config-serve");
    // Nothing configured: serve would stop, so does the check (the configuration still shows).
    let (code, out, err) = check(&dir, None, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(out.contains("[http]"), "{out}");
    assert!(
        err.contains("serve would not start") && err.contains("backup-bot console"),
        "{err}"
    );
    let serve = run_env(&dir, &["serve"], &[]);
    assert_eq!(serve.status.code(), Some(2));
    // A runbook folder that is not there.
    let (code, _, err) = check(
        &dir,
        None,
        &[
            SLACK_OK[0],
            SLACK_OK[1],
            ("BACKUP_BOT__CONTENT__DIRS", "/nonexistent/runbooks"),
        ],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("/nonexistent/runbooks"), "{err}");
    let (code, _, err) = check(&dir, None, &SLACK_OK);
    assert_eq!(code, Some(0), "{err}");
}

/// No segment of an error line is said twice.
fn said_once(line: &str) {
    let parts: Vec<&str> = line
        .split(": ")
        .map(str::trim)
        .filter(|p| p.len() > 8)
        .collect();
    for (i, p) in parts.iter().enumerate() {
        assert!(!parts[i + 1..].contains(p), "said twice: {line}");
    }
}

#[test]
fn errors_are_said_once() {
    let out = run(&["content", "lint", "/nonexistent"], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
    said_once(err.trim());
    // Discord refusing the token while the application is looked up: its 401, as Discord
    // sends it, from a one-route server.
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", server.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for stream in server.incoming().take(5) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let body = r#"{"message": "401: Unauthorized", "code": 0}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let dir = temp_dir("config-once");
    let out = run_env(
        &dir,
        &["discord", "register-commands"],
        &[
            ("BACKUP_BOT__DISCORD__TOKEN", "refused-token"),
            ("BACKUP_BOT__DISCORD__API_URL", &origin),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("backup-bot:"))
        .unwrap_or_else(|| panic!("{err}"));
    said_once(line);
}

#[test]
fn commands_that_only_read_content_note_other_problems_and_go_on() {
    let dir = temp_dir("config-console");
    // A user token left in the shell by other tooling: serve would refuse it, ask goes on.
    let env = [("SLACK_BOT_TOKEN", "xoxp-1-2-user-token")];
    let out = run_env(&dir, &["ask", "error code 380008"], &env);
    let (o, err) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(o.contains("380008") || o.contains("AzureVmOffline"), "{o}");
    assert_eq!(
        err.matches("slack.bot_token must be a bot token").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("not used by this command") && !err.contains("user-token"),
        "{err}"
    );
    let (code, _, _) = check(&dir, None, &env);
    assert_eq!(code, Some(2));
    // A problem with the content keys stops them.
    let out = run_env(
        &dir,
        &["ask", "error code 380008"],
        &[("BACKUP_BOT__CONTENT__WATCH", "sometimes")],
    );
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("content.watch `sometimes`"), "{err}");
}

#[test]
fn the_pagerduty_routing_key_is_redacted_and_escalation_mistakes_are_named_together() {
    let dir = temp_dir("config-escalation");
    let key = "PDROUTINGKEYPDROUTINGKEYPDROUTIN";
    let file = "[escalation]\nslack_oncall = \"S0123ONCALL\"\nack_timeout = \"20m\"\n\
                [channels.\"C0SAP\"]\nslack_oncall = \"U0123SAP\"\n";
    let env = [
        ("BACKUP_BOT__PAGERDUTY__ROUTING_KEY", key),
        (
            "BACKUP_BOT__ESCALATION__RESPONDERS",
            "S0123ONCALL,U0123LEAD",
        ),
        SLACK_OK[0],
        SLACK_OK[1],
    ];
    let (code, out, err) = check(&dir, Some(file), &env);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!format!("{out}{err}").contains(key), "{out}{err}");
    assert!(
        out.contains("[pagerduty]\nrouting_key = \"[redacted]\"\nevents_url = \"https://events.pagerduty.com/v2/enqueue\""),
        "{out}"
    );
    assert!(out.contains("ack_timeout = \"1200s\""), "{out}");
    assert!(
        out.contains("responders = [\"S0123ONCALL\", \"U0123LEAD\"]"),
        "{out}"
    );
    assert!(out.contains("slack_oncall = \"U0123SAP\""), "{out}");
    // A wrong key (the real one, mistyped) is named without being shown, beside the other
    // problems.
    let bad = "PDROUTINGKEY-PDROUTINGKEY-PDROUTINGKEY";
    let file = "[escalation]\nslack_oncall = \"#oncall\"\nack_timeout = \"soon\"\n";
    let env = [
        ("BACKUP_BOT__PAGERDUTY__ROUTING_KEY", bad),
        SLACK_OK[0],
        SLACK_OK[1],
    ];
    let (code, out, err) = check(&dir, Some(file), &env);
    assert_eq!(code, Some(2), "{out}{err}");
    for needle in [
        "escalation.slack_oncall",
        "escalation.ack_timeout",
        "pagerduty.routing_key",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    assert!(!format!("{out}{err}").contains(bad), "{err}");
}

#[test]
fn secrets_in_the_wrong_variables_and_urls_credentials_are_never_shown() {
    let dir = temp_dir("config-variables");
    let signing = "8f14e45fceea167a5a36dedd4bea2543";
    type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        // Secrets under the wrong variables.
        (
            vec![
                SLACK_OK[0],
                SLACK_OK[1],
                ("BACKUP_BOT__SLACK__MODE", signing),
                ("BACKUP_BOT__HTTP__LISTEN", "xapp-1-A2-3-sEcReT"),
                ("BACKUP_BOT__LOG__FORMAT", "R8e2fA91c0d4Kq"),
                ("BACKUP_BOT__SLACK__BOT_TOKNE", "xoxb-9-9-sEcReT2"),
            ],
            vec![signing, "sEcReT", "R8e2fA91c0d4Kq"],
        ),
        // A bot token in the app token's variable and the other way round.
        (
            vec![
                ("SLACK_BOT_TOKEN", "xapp-1-A2-3-sEcReT"),
                ("SLACK_APP_TOKEN", "xoxb-1-2-sEcReT"),
            ],
            vec!["sEcReT"],
        ),
    ];
    for (env, secrets) in cases {
        let (code, out, err) = check(&dir, None, &env);
        assert_eq!(code, Some(2), "{env:?}\n{err}");
        for s in secrets {
            assert!(!out.contains(s) && !err.contains(s), "{s}\n{out}{err}");
        }
    }
    // `config check` shows every URL without its password or its query, and still exits 0.
    let (code, out, err) = check(
        &dir,
        None,
        &[
            SLACK_OK[0],
            SLACK_OK[1],
            (
                "BACKUP_BOT__SLACK__API_URL",
                "https://bot:pAsSwOrD@proxy.example/api?key=qUeRy",
            ),
            ("BACKUP_BOT__DISCORD__TOKEN", "t"),
            (
                "BACKUP_BOT__DISCORD__API_URL",
                "http://u:dIsCpW@127.0.0.1:8081",
            ),
            (
                "BACKUP_BOT__STORAGE__URL",
                "postgres://bot:pGpW@db/x?password=pGpW2",
            ),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("api_url = \"https://bot:[redacted]@proxy.example/api?[redacted]\""),
        "{out}"
    );
    for s in ["pAsSwOrD", "qUeRy", "dIsCpW", "pGpW"] {
        assert!(!out.contains(s) && !err.contains(s), "{s}\n{out}{err}");
    }
}
