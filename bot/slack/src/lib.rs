//! The Slack adapter: the only crate that names slack_morphism. Inbound payloads become neutral
//! events, the core decides, rendering makes Block Kit, the runtime sends (Web API, response
//! URLs) over HTTP Events or Socket Mode.

#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod inbound;
pub mod modal;
pub mod render;
pub mod run;
pub mod send;
pub mod socket;
pub mod unreadable;

pub use run::{SlackBot, SlackOptions};
