//! deploy/ names what the code expects: every manifest parses (YAML with yaml-rust2, TOML, the
//! Dockerfile with a line parser and hadolint's main rules, the systemd unit), every
//! `BACKUP_BOT__…` name is a key the configuration accepts (asked of the binary itself), the
//! ports agree with the listen address, the HTTP paths are served, and the Slack app manifest
//! asks for what the Slack adapter uses.

use crate::dockerfile;
use crate::fake_slack::FakeSlack;
use crate::support::free_port;
use crate::support::slack::request;
use crate::support::{bin, root, temp_dir};
use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};
use yaml_rust2::{Yaml, YamlLoader};

pub(crate) fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(crate) fn yaml(path: &str) -> Vec<Yaml> {
    YamlLoader::load_from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(crate) fn s(y: &Yaml) -> String {
    match y {
        Yaml::String(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        other => panic!("not a scalar: {other:?}"),
    }
}

pub(crate) fn list(y: &Yaml) -> Vec<String> {
    y.as_vec()
        .map(|v| v.iter().map(s).collect())
        .unwrap_or_default()
}

/// The port of a listen address such as `0.0.0.0:8080`.
fn port(listen: &str) -> u16 {
    listen.rsplit(':').next().unwrap().parse().unwrap()
}

/// `KEY=value` lines (an env file), comments and blanks left out.
fn env_file(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}` from `vars`.
fn interpolate(value: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}').map(|e| i + e).expect("a closing brace");
        let inner = &rest[i + 2..end];
        let name = inner.split([':', '-', '?']).next().unwrap();
        let default = inner.split_once(":-").map(|x| x.1).unwrap_or("");
        out.push_str(vars.get(name).map(String::as_str).unwrap_or(default));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Filled-in values for the secrets whose manifest values are placeholders.
fn filled(vars: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    vars.iter()
        .map(|(k, v)| {
            let v = match k.as_str() {
                "BACKUP_BOT__SLACK__BOT_TOKEN" => "xoxb-1-2-filled".to_string(),
                "BACKUP_BOT__SLACK__APP_TOKEN" => "xapp-1-A2-3-filled".to_string(),
                "BACKUP_BOT__DISCORD__TOKEN" => "discord-filled".to_string(),
                _ => v.clone(),
            };
            (k.clone(), v)
        })
        .collect()
}

/// `config check` with exactly these variables (and optionally a file): (exit code, stderr).
fn config_check(vars: &BTreeMap<String, String>, file: Option<&str>) -> (Option<i32>, String) {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = temp_dir(&format!("deploy-check-{n}"));
    let mut cmd = bin();
    cmd.args(["config", "check"])
        .current_dir(&dir)
        .env_remove("BACKUP_BOT_CONFIG");
    for (k, _) in std::env::vars() {
        if k.starts_with("BACKUP_BOT") || k.starts_with("SLACK_") || k == "DISCORD_TOKEN" {
            cmd.env_remove(k);
        }
    }
    if let Some(f) = file {
        std::fs::write(dir.join("c.toml"), f).unwrap();
        cmd.args(["--config", "c.toml"]);
    }
    for (k, v) in vars {
        if k.starts_with("BACKUP_BOT") {
            cmd.env(k, v);
        }
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Every `BACKUP_BOT__…` name is a key the configuration accepts, and the keys of the
/// example file (each documented key has its variable).
pub(crate) fn assert_known(names: &[&String]) {
    let example: toml::Table = read("deploy/backup-bot.example.toml").parse().unwrap();
    let mut documented = Vec::new();
    for (section, keys) in &example {
        if let Some(t) = keys.as_table() {
            for k in t.keys() {
                documented.push(format!(
                    "BACKUP_BOT__{}__{}",
                    section.to_uppercase(),
                    k.to_uppercase()
                ));
            }
        }
    }
    for name in names.iter().filter(|n| n.starts_with("BACKUP_BOT__")) {
        assert!(
            documented.contains(name),
            "{name} is not in the example configuration"
        );
        let vars = BTreeMap::from([(name.to_string(), "x".to_string())]);
        let (_, err) = config_check(&vars, None);
        assert!(!err.contains("unknown key"), "{name}: {err}");
    }
}

#[test]
fn the_dockerfile_builds_locked_and_runs_unprivileged_with_a_health_check() {
    let text = read("deploy/Dockerfile");
    let stages = dockerfile::parse(&text);
    let problems = dockerfile::lint(&stages);
    assert!(problems.is_empty(), "{problems:#?}");
    let last = stages.last().unwrap();
    assert!(last
        .all("COPY")
        .any(|c| c.args.starts_with("--from=build ")));
    let env: BTreeMap<String, String> = dockerfile::env(last).into_iter().collect();
    let listen = &env["BACKUP_BOT__HTTP__LISTEN"];
    assert!(
        listen.starts_with("0.0.0.0:"),
        "reachable from outside the container: {listen}"
    );
    let p = port(listen);
    assert_eq!(last.last("EXPOSE").unwrap().args, p.to_string());
    let health = &last.last("HEALTHCHECK").unwrap().args;
    assert!(
        health.contains(&format!("http://127.0.0.1:{p}/healthz")),
        "{health}"
    );
    let entry = &last.last("ENTRYPOINT").unwrap().args;
    let cmd = &last.last("CMD").unwrap().args;
    assert!(entry.contains("/usr/local/bin/backup-bot") && cmd.contains("\"serve\""));
    assert_known(&env.keys().collect::<Vec<_>>());
    // The build context keeps what the build needs.
    let dockerignore = read(".dockerignore");
    let ignored: Vec<&str> = dockerignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "content/",
        "index/",
        "bot/",
        "tests/",
    ] {
        assert!(
            !ignored
                .iter()
                .any(|i| needed.starts_with(i.trim_start_matches("**/").trim_end_matches('*'))),
            "{needed} is ignored"
        );
    }
    assert!(ignored.contains(&"target/") && ignored.contains(&".git/"));
}

#[test]
fn compose_runs_the_bot_with_postgres_and_its_configuration_is_accepted() {
    let doc = &yaml("deploy/docker-compose.yml")[0];
    let bot = &doc["services"]["bot"];
    assert_eq!(s(&bot["build"]["dockerfile"]), "deploy/Dockerfile");
    assert_eq!(s(&bot["build"]["context"]), "..");
    assert_eq!(s(&bot["env_file"]), ".env");
    let pg = &doc["services"]["postgres"];
    let image = s(&pg["image"]);
    assert!(
        image.starts_with("postgres:")
            && image
                .split(':')
                .nth(1)
                .unwrap()
                .starts_with(|c: char| c.is_ascii_digit()),
        "{image}"
    );
    assert_eq!(list(&pg["volumes"])[0], "pgdata:/var/lib/postgresql/data");
    assert!(!doc["volumes"]["pgdata"].is_badvalue());
    assert_eq!(
        s(&bot["depends_on"]["postgres"]["condition"]),
        "service_healthy"
    );
    let dotenv = env_file(&read("deploy/.env.example"));
    let mut vars = dotenv.clone();
    for (k, v) in bot["environment"].as_hash().unwrap() {
        vars.insert(s(k), interpolate(&s(v), &dotenv));
    }
    let url = &vars["BACKUP_BOT__STORAGE__URL"];
    assert!(
        url.starts_with("postgres://backup_bot:") && url.ends_with("@postgres:5432/backup_bot"),
        "{url}"
    );
    assert_eq!(s(&pg["environment"]["POSTGRES_DB"]), "backup_bot");
    let p = port(&vars["BACKUP_BOT__HTTP__LISTEN"]);
    assert!(list(&bot["ports"])[0].ends_with(&format!(":{p}")));
    assert_known(&vars.keys().collect::<Vec<_>>());
    // As shipped, the placeholders are refused; filled in, serve would start.
    let (code, err) = config_check(&vars, None);
    assert_eq!(code, Some(2));
    assert!(err.contains("placeholder"), "{err}");
    let (code, err) = config_check(&filled(&vars), None);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn kubernetes_manifests_agree_with_each_other_and_the_binary() {
    let dep = &yaml("deploy/kubernetes/deployment.yaml")[0];
    let cm = &yaml("deploy/kubernetes/configmap.yaml")[0];
    let secret = &yaml("deploy/kubernetes/secret.yaml")[0];
    let svc = &yaml("deploy/kubernetes/service.yaml")[0];
    for (doc, kind) in [
        (dep, "Deployment"),
        (cm, "ConfigMap"),
        (secret, "Secret"),
        (svc, "Service"),
    ] {
        assert_eq!(s(&doc["kind"]), kind);
    }
    assert_eq!(dep["spec"]["replicas"].as_i64(), Some(2));
    let pod = &dep["spec"]["template"];
    let c = &pod["spec"]["containers"][0];
    // The configuration file: mounted where BACKUP_BOT_CONFIG says, and accepted.
    let mount = s(&c["volumeMounts"][0]["mountPath"]);
    let volume = &pod["spec"]["volumes"][0];
    assert_eq!(s(&volume["configMap"]["name"]), s(&cm["metadata"]["name"]));
    let (file_key, file) = cm["data"].as_hash().unwrap().iter().next().unwrap();
    let config_path = c["env"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|e| s(&e["name"]) == "BACKUP_BOT_CONFIG")
        .map(|e| s(&e["value"]))
        .unwrap();
    assert_eq!(config_path, format!("{mount}/{}", s(file_key)));
    let file = s(file);
    let config: toml::Table = file.parse().unwrap();
    let listen = config["http"]["listen"].as_str().unwrap();
    let p = port(listen);
    // Tokens from the Secret.
    assert_eq!(
        s(&c["envFrom"][0]["secretRef"]["name"]),
        s(&secret["metadata"]["name"])
    );
    let vars: BTreeMap<String, String> = secret["stringData"]
        .as_hash()
        .unwrap()
        .iter()
        .map(|(k, v)| (s(k), s(v)))
        .collect();
    assert_known(&vars.keys().collect::<Vec<_>>());
    let (code, err) = config_check(&vars, Some(&file));
    assert_eq!(code, Some(2), "the shipped placeholders are refused");
    assert!(err.contains("placeholder"), "{err}");
    let (code, err) = config_check(&filled(&vars), Some(&file));
    assert_eq!(code, Some(0), "{err}");
    // Ports and probes.
    let named = &c["ports"][0];
    assert_eq!(named["containerPort"].as_i64(), Some(p.into()));
    let name = s(&named["name"]);
    assert_eq!(s(&c["readinessProbe"]["httpGet"]["path"]), "/readyz");
    assert_eq!(s(&c["livenessProbe"]["httpGet"]["path"]), "/healthz");
    for probe in ["readinessProbe", "livenessProbe"] {
        assert_eq!(s(&c[probe]["httpGet"]["port"]), name);
    }
    assert_eq!(s(&svc["spec"]["ports"][0]["targetPort"]), name);
    assert_eq!(svc["spec"]["selector"], pod["metadata"]["labels"]);
    for ann in [
        &pod["metadata"]["annotations"],
        &svc["metadata"]["annotations"],
    ] {
        assert_eq!(s(&ann["prometheus.io/scrape"]), "true");
        assert_eq!(s(&ann["prometheus.io/port"]), p.to_string());
        assert_eq!(s(&ann["prometheus.io/path"]), "/metrics");
    }
    // Resources from the measured memory; the image's user.
    let res = &c["resources"];
    assert_eq!(s(&res["requests"]["memory"]), "128Mi");
    assert_eq!(s(&res["limits"]["memory"]), "256Mi");
    assert_eq!(
        pod["spec"]["securityContext"]["runAsUser"].as_i64(),
        Some(10001)
    );
    assert!(read("deploy/Dockerfile").contains("USER 10001:10001"));
    assert_eq!(list(&c["args"]), ["serve"]);
}

#[test]
fn the_http_paths_the_manifests_name_are_served() {
    let mut paths: Vec<String> = Vec::new();
    let dep = &yaml("deploy/kubernetes/deployment.yaml")[0];
    let c = &dep["spec"]["template"]["spec"]["containers"][0];
    for probe in ["readinessProbe", "livenessProbe"] {
        paths.push(s(&c[probe]["httpGet"]["path"]));
    }
    paths.push(s(
        &dep["spec"]["template"]["metadata"]["annotations"]["prometheus.io/path"]
    ));
    let health = dockerfile::parse(&read("deploy/Dockerfile"));
    let hc = &health.last().unwrap().last("HEALTHCHECK").unwrap().args;
    paths.push(
        hc.split("/healthz")
            .next()
            .map(|_| "/healthz".to_string())
            .unwrap(),
    );
    paths.sort();
    paths.dedup();
    let fake = FakeSlack::start();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let dir = temp_dir(&format!("deploy-serve-{port}"));
    let mut child = bin()
        .arg("serve")
        .current_dir(&dir)
        .env_remove("BACKUP_BOT_CONFIG")
        .env("BACKUP_BOT__SLACK__BOT_TOKEN", "xoxb-test-token")
        .env("BACKUP_BOT__SLACK__MODE", "http")
        .env("BACKUP_BOT__SLACK__SIGNING_SECRET", "test-signing-secret")
        .env("BACKUP_BOT__SLACK__API_URL", fake.api_url())
        .env("BACKUP_BOT__HTTP__LISTEN", &addr)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until && request(&addr, "GET", "/healthz", &[], "").0 != 200 {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut missing = Vec::new();
    for p in &paths {
        let status = request(&addr, "GET", p, &[], "").0;
        if !(200..300).contains(&status) {
            missing.push(format!("{p}: {status}"));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(missing.is_empty(), "{missing:?}");
    assert!(
        paths.contains(&"/healthz".to_string()) && paths.len() == 3,
        "{paths:?}"
    );
}
