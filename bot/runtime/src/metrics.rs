//! The bot's metrics, process-wide, in Prometheus text (prometheus-client). Every label value
//! comes from a fixed set (platform names, call kinds, match reasons): never a channel, a user
//! or the text of a paste.

use crate::{Failure, Wait};
use backup_bot_core::Reply;
use backup_bot_index::Reason;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::LazyLock;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ByPlatform {
    platform: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ByReason {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ByCall {
    platform: &'static str,
    method: &'static str,
}

struct Metrics {
    registry: Registry,
    heard: Family<ByPlatform, Counter>,
    matches: Family<ByReason, Counter>,
    replies: Family<ByPlatform, Counter>,
    latency: Family<ByPlatform, Histogram>,
    api_errors: Family<ByCall, Counter>,
    rate_limited: Family<ByCall, Counter>,
    reconnects: Family<ByPlatform, Counter>,
    entries: Gauge,
    reload_failures: Counter,
    escalations_open: Gauge,
}

fn latency_histogram() -> Histogram {
    Histogram::new([0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0])
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("backup_bot");
    let heard = Family::<ByPlatform, Counter>::default();
    registry.register("messages_heard", "Messages the bot heard", heard.clone());
    let matches = Family::<ByReason, Counter>::default();
    registry.register(
        "matches",
        "Answers given, by how the entry was found",
        matches.clone(),
    );
    let replies = Family::<ByPlatform, Counter>::default();
    registry.register(
        "replies_sent",
        "Replies the platform accepted",
        replies.clone(),
    );
    let latency = Family::<ByPlatform, Histogram>::new_with_constructor(
        latency_histogram as fn() -> Histogram,
    );
    registry.register(
        "reply_latency_seconds",
        "From an event in to its reply accepted by the platform",
        latency.clone(),
    );
    let api_errors = Family::<ByCall, Counter>::default();
    registry.register(
        "platform_api_errors",
        "Failed platform calls (each attempt), by kind of call",
        api_errors.clone(),
    );
    let rate_limited = Family::<ByCall, Counter>::default();
    registry.register(
        "platform_rate_limited",
        "Platform calls answered 429, by kind of call",
        rate_limited.clone(),
    );
    let reconnects = Family::<ByPlatform, Counter>::default();
    registry.register(
        "socket_reconnects",
        "Socket Mode and gateway connections after the first",
        reconnects.clone(),
    );
    let entries = Gauge::default();
    registry.register(
        "content_entries_loaded",
        "Entries in the content in use",
        entries.clone(),
    );
    let reload_failures = Counter::default();
    registry.register(
        "reload_failures",
        "Content reloads refused (the previous content stays)",
        reload_failures.clone(),
    );
    let escalations_open = Gauge::default();
    registry.register(
        "escalations_open",
        "Escalations open now",
        escalations_open.clone(),
    );
    Metrics {
        registry,
        heard,
        matches,
        replies,
        latency,
        api_errors,
        rate_limited,
        reconnects,
        entries,
        reload_failures,
        escalations_open,
    }
});

/// The metrics in the Prometheus (OpenMetrics) text format.
pub fn render() -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = encode(&mut out, &METRICS.registry);
    out
}

/// The content type of [`render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub(crate) fn heard(platform: &'static str) {
    METRICS.heard.get_or_create(&ByPlatform { platform }).inc();
}

fn reason(r: Reason) -> &'static str {
    match r {
        Reason::ExactCode => "code",
        Reason::CorrectedCode => "corrected",
        Reason::NumericCode => "numeric",
        Reason::Message => "message",
        Reason::Symptom => "symptom",
        Reason::Title => "title",
        Reason::Question => "question",
        Reason::Words => "words",
    }
}

/// A reply accepted by the platform, `since` the event came in.
pub(crate) fn replied(platform: &'static str, reply: &Reply, since: Duration) {
    METRICS
        .replies
        .get_or_create(&ByPlatform { platform })
        .inc();
    METRICS
        .latency
        .get_or_create(&ByPlatform { platform })
        .observe(since.as_secs_f64());
    if let Reply::Answer { found, .. } = reply {
        METRICS
            .matches
            .get_or_create(&ByReason {
                reason: reason(found.reason),
            })
            .inc();
    }
}

/// One attempt of a platform call that failed.
pub fn failed(platform: &'static str, method: &'static str, f: &Failure) {
    let call = ByCall { platform, method };
    METRICS.api_errors.get_or_create(&call).inc();
    if matches!(f.wait, Wait::After(_)) {
        METRICS.rate_limited.get_or_create(&call).inc();
    }
}

/// A platform connection opened again after the first.
pub fn reconnected(platform: &'static str) {
    METRICS
        .reconnects
        .get_or_create(&ByPlatform { platform })
        .inc();
}

/// The content in use now has `n` entries.
pub fn entries_loaded(n: usize) {
    METRICS.entries.set(i64::try_from(n).unwrap_or(i64::MAX));
}

/// A content reload was refused.
pub fn reload_failed() {
    METRICS.reload_failures.inc();
}

/// Escalations open now.
pub fn escalations_open(n: i64) {
    METRICS.escalations_open.set(n);
}
