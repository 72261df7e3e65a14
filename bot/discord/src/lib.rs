//! The Discord adapter: the only crate that names serenity. Gateway events become neutral events,
//! the core decides, rendering makes embeds and buttons, the runtime sends them over REST.

mod escalate;
#[doc(hidden)]
pub mod fuzzing;
mod gateway;
mod interact;
pub mod render;
pub mod rest;
pub mod run;
pub mod send;

pub use run::{DiscordBot, DiscordOptions, ReplyStyle};
