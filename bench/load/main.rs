//! The load program (`cargo bench -p backup-bot --bench load`): the real `backup-bot serve`
//! (release build) as its own process, fed a busy workspace's traffic at rising rates through
//! the fake Slack (signed HTTP events, then Socket Mode) and the fake Discord gateway of the
//! end-to-end tests, until latency bends. Beside it, the same HTTP traffic through a
//! regex-per-code handler (this program again, as its own process), so each figure is also a
//! ratio. Prints Markdown tables for BENCHMARKS.md.
//!
//! `LOAD_RATES=100,250,500` and `LOAD_SECONDS=3` change the rates and each phase's length.

#[allow(dead_code)]
#[path = "../../tests/e2e/fake_discord.rs"]
mod fake_discord;
#[path = "../../tests/e2e/fake_pagerduty.rs"]
mod fake_pagerduty;
#[allow(dead_code)]
#[path = "../../tests/e2e/fake_slack.rs"]
mod fake_slack;
#[allow(dead_code)]
#[path = "../../tests/e2e/support.rs"]
mod support;

mod baseline;
mod discord;
mod measure;
mod mix;
mod slack;

use fake_discord::FakeDiscord;
use fake_slack::FakeSlack;
use measure::{Proc, Row};
use mix::Fixtures;
use slack::{Run, Via};
use std::time::{Duration, Instant};
use support::slack::{start_slack, SECRET, TOKEN};
use support::temp_dir;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--baseline") {
        baseline::serve(&args[i + 1..]);
        return;
    }
    let rates: Vec<u32> = std::env::var("LOAD_RATES")
        .unwrap_or_else(|_| "100,250,500,1000,2000,4000,8000".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .collect();
    let secs: f64 = std::env::var("LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let started = Instant::now();
    let fx = Fixtures::load();
    println!(
        "mix: {} chatter lines, {} pastes, {} codes from tests/fixtures and content; {secs} s per rate",
        fx.chatter.len(),
        fx.pastes.len(),
        fx.codes.len()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("{}", Row::header());

    let http = {
        let fake = FakeSlack::start();
        let bot = start_slack(&fake, false, &temp_dir("load-http"), &[]);
        let run = Run {
            name: "backup-bot, Slack HTTP",
            fake: &fake,
            via: Via::Http(bot.addr.clone()),
            proc: Proc(bot.child.id()),
        };
        slack::rates(&rt, &run, &fx, &rates, secs)
    };
    let regex = {
        let fake = FakeSlack::start();
        let b = baseline::start(&fake.api_url(), SECRET, TOKEN);
        let run = Run {
            name: "regex handler, Slack HTTP",
            fake: &fake,
            via: Via::Http(b.addr.clone()),
            proc: Proc(b.child.id()),
        };
        slack::rates(&rt, &run, &fx, &rates, secs)
    };
    let socket = {
        let fake = FakeSlack::start();
        let bot = start_slack(&fake, true, &temp_dir("load-socket"), &[]);
        let until = Instant::now() + Duration::from_secs(20);
        while !fake.socket_connected() {
            assert!(Instant::now() < until, "the bot did not open its socket");
            std::thread::sleep(Duration::from_millis(20));
        }
        let run = Run {
            name: "backup-bot, Slack Socket Mode",
            fake: &fake,
            via: Via::Socket,
            proc: Proc(bot.child.id()),
        };
        slack::rates(&rt, &run, &fx, &rates, secs)
    };
    let discord = {
        let fake = FakeDiscord::start();
        let bot = support::discord::start(&fake, &[]);
        discord::rates(&fake, Proc(bot.child.id()), &fx, &rates, secs)
    };

    println!("\n{}", Row::header());
    for r in http.iter().chain(&regex).chain(&socket).chain(&discord) {
        println!("{}", r.line());
    }
    println!("\nbackup-bot over the regex handler (Slack HTTP, same traffic):\n");
    print!("{}", measure::ratios(&http, &regex));
    println!("\nthe whole run: {:.0} s", started.elapsed().as_secs_f64());
}
