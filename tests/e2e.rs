//! End-to-end tests: the real `backup-bot` binary on the real content. One test binary.

#[path = "e2e/cli.rs"]
mod cli;
#[path = "e2e/commands.rs"]
mod commands;
#[path = "e2e/companion.rs"]
mod companion;
#[path = "e2e/config.rs"]
mod config;
#[path = "e2e/content.rs"]
mod content;
#[path = "e2e/delivery.rs"]
mod delivery;
#[path = "e2e/deploy.rs"]
mod deploy;
#[path = "e2e/deploy_host.rs"]
mod deploy_host;
#[path = "e2e/discord.rs"]
mod discord;
#[path = "e2e/discord_faults.rs"]
mod discord_faults;
#[path = "e2e/dockerfile.rs"]
mod dockerfile;
#[path = "e2e/escalation_console.rs"]
mod escalation_console;
#[path = "e2e/escalation_discord.rs"]
mod escalation_discord;
#[path = "e2e/escalation_slack.rs"]
mod escalation_slack;
#[path = "e2e/escalation_store.rs"]
mod escalation_store;
#[path = "e2e/eval.rs"]
mod eval;
#[path = "e2e/fake_discord.rs"]
mod fake_discord;
#[path = "e2e/fake_pagerduty.rs"]
mod fake_pagerduty;
#[path = "e2e/fake_slack.rs"]
mod fake_slack;
#[path = "e2e/health.rs"]
mod health;
#[path = "e2e/http_limits.rs"]
mod http_limits;
#[path = "e2e/kill_faults.rs"]
mod kill_faults;
#[path = "e2e/logs.rs"]
mod logs;
#[path = "e2e/metrics.rs"]
mod metrics;
#[path = "e2e/network.rs"]
mod network;
#[path = "e2e/pictures.rs"]
mod pictures;
#[path = "e2e/runbooks.rs"]
mod runbooks;
#[path = "e2e/shutdown.rs"]
mod shutdown;
#[path = "e2e/slack.rs"]
mod slack;
#[path = "e2e/socket_faults.rs"]
mod socket_faults;
#[path = "e2e/store.rs"]
mod store;
#[path = "e2e/store_pg.rs"]
mod store_pg;
#[path = "e2e/support.rs"]
mod support;
