//! The command line's own help: an example under every subcommand's `--help`, shell completions,
//! and the exit codes the README documents.

use crate::support::{root, run};

/// The subcommands listed under "Commands:" in a help text.
fn subcommands(help: &str) -> Vec<String> {
    help.split("Commands:\n")
        .nth(1)
        .map(|rest| {
            rest.lines()
                .take_while(|l| l.starts_with("  "))
                .filter_map(|l| l.split_whitespace().next())
                .filter(|c| *c != "help")
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn help(path: &[String]) -> String {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let out = run(&args, b"");
    assert!(out.status.success(), "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_subcommand_help_has_an_example() {
    let mut todo = vec![vec![]];
    let mut leaves = 0;
    while let Some(path) = todo.pop() {
        let text = help(&path);
        let subs = subcommands(&text);
        if subs.is_empty() {
            leaves += 1;
            let example = text
                .split_once("Example")
                .map(|x| x.1)
                .unwrap_or_else(|| panic!("no example in `{}` --help:\n{text}", path.join(" ")));
            assert!(example.contains("backup-bot "), "{text}");
        }
        for s in subs {
            let mut p = path.clone();
            p.push(s);
            todo.push(p);
        }
    }
    assert!(leaves >= 9, "{leaves} commands");
}

#[test]
fn completions_cover_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(&["completions", shell], b"");
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for word in ["register-commands", "console", "lint", "config"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
    }
    let out = run(&["completions", "tcsh"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_exit_codes_are_documented() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let top = help(&[]);
    for text in [&readme, &top] {
        assert!(
            text.contains("Exit codes") && text.contains("`content lint`"),
            "exit codes: {text}"
        );
    }
    // What they say holds: 1 for lint problems, 2 for a usage or configuration error.
    let dir = crate::support::temp_dir("exit-codes");
    std::fs::write(dir.join("bad.md"), "not an entry\n").unwrap();
    let lint = run(&["content", "lint", dir.to_str().unwrap()], b"");
    assert_eq!(lint.status.code(), Some(1));
    assert_eq!(run(&["no-such-command"], b"").status.code(), Some(2));
    assert_eq!(run(&["ask"], b"").status.code(), Some(2));
}
