//! A Dockerfile reader and the main lint rules of hadolint, for deploy/Dockerfile (no Docker
//! daemon here to build it): continuation lines joined, comments dropped, instructions split
//! into stages.

/// One instruction: its keyword (upper case) and the rest of its line.
#[derive(Debug, Clone)]
pub struct Instruction {
    pub keyword: String,
    pub args: String,
    pub line: usize,
}

/// A build stage: its `FROM` image, its name and its instructions.
#[derive(Debug)]
pub struct Stage {
    pub image: String,
    pub name: Option<String>,
    pub instructions: Vec<Instruction>,
}

/// Reads a Dockerfile into stages (instructions before the first FROM, ARGs, are dropped).
pub fn parse(text: &str) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    let mut pending = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('#') || (line.is_empty() && pending.is_empty()) {
            continue;
        }
        if pending.is_empty() {
            start = i + 1;
        }
        match line.strip_suffix('\\') {
            Some(head) => {
                pending.push_str(head.trim_end());
                pending.push(' ');
                continue;
            }
            None => pending.push_str(line),
        }
        let full = std::mem::take(&mut pending);
        let (keyword, args) = full.split_once(char::is_whitespace).unwrap_or((&full, ""));
        let ins = Instruction {
            keyword: keyword.to_ascii_uppercase(),
            args: args.split_whitespace().collect::<Vec<_>>().join(" "),
            line: start,
        };
        if ins.keyword == "FROM" {
            let words: Vec<&str> = ins
                .args
                .split(' ')
                .filter(|w| !w.starts_with("--"))
                .collect();
            let name = match words.as_slice() {
                [_, as_, name] if as_.eq_ignore_ascii_case("as") => Some(name.to_string()),
                _ => None,
            };
            stages.push(Stage {
                image: words.first().unwrap_or(&"").to_string(),
                name,
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            stage.instructions.push(ins);
        }
    }
    stages
}

impl Stage {
    pub fn all<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'a Instruction> + 'a {
        self.instructions
            .iter()
            .filter(move |i| i.keyword == keyword)
    }

    pub fn last(&self, keyword: &str) -> Option<&Instruction> {
        self.instructions.iter().rfind(|i| i.keyword == keyword)
    }
}

/// The problems hadolint's main rules would report, as `line: rule: what`.
pub fn lint(stages: &[Stage]) -> Vec<String> {
    let mut p = Vec::new();
    let names: Vec<&str> = stages.iter().filter_map(|s| s.name.as_deref()).collect();
    for s in stages {
        let image = s.image.as_str();
        if names.contains(&image) || image == "scratch" {
            continue;
        }
        let (repo, tag) = match image.split_once('@') {
            Some((repo, _digest)) => (repo, "digest"),
            None => match image.rsplit_once(':') {
                Some((repo, tag)) if !tag.contains('/') => (repo, tag),
                _ => (image, ""),
            },
        };
        if tag.is_empty() {
            p.push(format!("DL3006: FROM {repo} has no tag: pin a version"));
        } else if tag == "latest" || !tag.bytes().any(|c| c.is_ascii_digit()) {
            p.push(format!("DL3007: FROM {image}: pin a version, not `{tag}`"));
        }
    }
    let Some(last) = stages.last() else {
        return vec!["no FROM".to_string()];
    };
    if stages.len() < 2 {
        p.push("not a multi-stage build: the toolchain would ship in the image".to_string());
    }
    match last.last("USER") {
        None => p.push("DL3002: the final stage runs as root (no USER)".to_string()),
        Some(u) => {
            let user = u.args.split(':').next().unwrap_or("");
            if user == "root" || user == "0" {
                p.push(format!("{}: DL3002: USER {} is root", u.line, u.args));
            }
        }
    }
    if last.last("HEALTHCHECK").is_none() {
        p.push("no HEALTHCHECK in the final stage".to_string());
    }
    for s in stages {
        for i in &s.instructions {
            let a = &i.args;
            match i.keyword.as_str() {
                "RUN" => {
                    if a.contains("apt-get install") {
                        if !a.contains("--no-install-recommends") {
                            p.push(format!(
                                "{}: DL3015: apt-get install without --no-install-recommends",
                                i.line
                            ));
                        }
                        if !a.contains("rm -rf /var/lib/apt/lists") {
                            p.push(format!("{}: DL3009: apt lists left in the image", i.line));
                        }
                        if !a.contains("apt-get update") {
                            p.push(format!(
                                "{}: DL3059: apt-get install without update in the same RUN",
                                i.line
                            ));
                        }
                    }
                    if a.contains("apt-get upgrade") || a.contains("dist-upgrade") {
                        p.push(format!("{}: DL3005: apt-get upgrade", i.line));
                    }
                    if a.contains("sudo ") {
                        p.push(format!("{}: DL3004: sudo", i.line));
                    }
                    if a.contains("cargo build")
                        && !(a.contains("--locked") && a.contains("--release"))
                    {
                        p.push(format!(
                            "{}: cargo build without --release --locked",
                            i.line
                        ));
                    }
                    if a.contains("cd ") {
                        p.push(format!("{}: DL3003: use WORKDIR, not cd", i.line));
                    }
                }
                "ADD" if !a.contains("://") => {
                    p.push(format!("{}: DL3020: ADD for local files: use COPY", i.line));
                }
                "WORKDIR" if !a.starts_with('/') => {
                    p.push(format!("{}: DL3000: WORKDIR {a} is not absolute", i.line));
                }
                "CMD" | "ENTRYPOINT" if !a.starts_with('[') => {
                    p.push(format!(
                        "{}: DL3025: {} in shell form: use JSON",
                        i.line, i.keyword
                    ));
                }
                "MAINTAINER" => p.push(format!("{}: DL4000: MAINTAINER is deprecated", i.line)),
                _ => {}
            }
        }
    }
    if !stages
        .iter()
        .any(|s| s.all("RUN").any(|r| r.args.contains("cargo build")))
    {
        p.push("no cargo build".to_string());
    }
    p
}

/// `ENV` pairs of a stage: `ENV A=1 B=2` and the old `ENV A 1`.
pub fn env(stage: &Stage) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for i in stage.all("ENV") {
        if i.args.contains('=') {
            for pair in i.args.split(' ') {
                if let Some((k, v)) = pair.split_once('=') {
                    out.push((k.to_string(), v.trim_matches('"').to_string()));
                }
            }
        } else if let Some((k, v)) = i.args.split_once(' ') {
            out.push((k.to_string(), v.to_string()));
        }
    }
    out
}

#[test]
fn the_lint_finds_what_hadolint_would() {
    let bad = "FROM rust AS build\nWORKDIR src\nRUN cd x && cargo build --release\n\
               FROM debian:latest\nRUN apt-get install -y curl\nADD target/x /x\nCMD backup-bot serve\n";
    let found = lint(&parse(bad));
    for rule in [
        "DL3006",
        "DL3007",
        "DL3002",
        "HEALTHCHECK",
        "DL3000",
        "DL3003",
        "--locked",
        "DL3015",
        "DL3009",
        "DL3059",
        "DL3020",
        "DL3025",
    ] {
        assert!(found.iter().any(|f| f.contains(rule)), "{rule}: {found:?}");
    }
    let joined = parse("FROM a:1 AS b\nRUN echo 1 \\\n  && echo 2\nUSER 0:0\n");
    assert_eq!(joined[0].instructions[0].args, "echo 1 && echo 2");
    assert!(lint(&joined).iter().any(|f| f.contains("USER 0:0 is root")));
}
