//! Matching benchmarks: chatter throughput on one core, latency of pastes (with p50/p99), index
//! build time, resident memory. Run with `cargo bench -p backup-bot-index`.

use backup_bot_index::{load_dir, Entry, Matcher};
use criterion::{black_box, BenchmarkId, Criterion, Throughput};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn entries() -> Vec<Entry> {
    load_dir(&root().join("content/entries")).unwrap()
}

/// The fixtures' texts: what a channel mostly says (chatter), what must get no answer although it
/// reads like a failure (look-alikes: other software's errors, near misses), and pastes (cases
/// with an expected answer).
struct Fixtures {
    chatter: Vec<String>,
    look_alikes: Vec<String>,
    pastes: Vec<String>,
}

fn fixtures() -> Fixtures {
    let mut f = Fixtures {
        chatter: Vec::new(),
        look_alikes: Vec::new(),
        pastes: Vec::new(),
    };
    for name in ["public.jsonl", "pastes.jsonl"] {
        let text = std::fs::read_to_string(root().join("tests/fixtures").join(name)).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let t = v["text"].as_str().unwrap().to_string();
            if v["expect"].is_array()
                || !v["expect_message"].is_null()
                || v["expect_entry"].is_string()
            {
                f.pastes.push(t);
            } else if v["shape"] == "chatter" {
                f.chatter.push(t);
            } else {
                f.look_alikes.push(t);
            }
        }
    }
    f
}

fn benches(c: &mut Criterion) {
    let entries = entries();
    let m = Matcher::new(entries.clone()).unwrap();
    let Fixtures {
        chatter,
        look_alikes,
        pastes,
    } = fixtures();

    for (group, texts) in [("chatter", &chatter), ("look-alikes", &look_alikes)] {
        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Elements(texts.len() as u64));
        g.bench_function(format!("all {group} cases"), |b| {
            b.iter(|| {
                for t in texts {
                    black_box(m.find(black_box(t)));
                }
            })
        });
        g.finish();
    }

    let mut g = c.benchmark_group("paste");
    for (name, text) in [
        ("exact code in a log line", "2026-11-20T03:12:44Z ERROR backup job for erp-app02 failed: VMRestorePointInternalError"),
        ("misspelt code", "getting VMRestoerPointInternalError on erp-app02 again, anyone seen this?"),
        ("english message", "Backup failed with: Snapshot operation failed because VSS writers were in a bad state."),
        ("korean message", "백업 실패: VSS 기록기가 잘못된 상태에 있으므로 스냅샷 작업이 실패했습니다."),
        ("numeric code", "작업 실패 - 오류 코드 380008"),
    ] {
        g.bench_with_input(BenchmarkId::from_parameter(name), text, |b, t| b.iter(|| black_box(m.find(black_box(t)))));
    }
    g.finish();

    let mut g = c.benchmark_group("start-up");
    g.sample_size(20);
    g.bench_function("build the index from entries", |b| {
        b.iter(|| black_box(Matcher::new(entries.clone()).unwrap()))
    });
    g.finish();

    percentiles(&m, &pastes);
    memory();
}

/// p50 and p99 over every paste of the fixtures, each matched many times.
fn percentiles(m: &Matcher, pastes: &[String]) {
    let mut samples: Vec<Duration> = Vec::new();
    for _ in 0..200 {
        for t in pastes {
            let t0 = Instant::now();
            black_box(m.find(black_box(t)));
            samples.push(t0.elapsed());
        }
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    println!(
        "paste latency over {} pastes x 200: p50 {:?}, p99 {:?}, max {:?}",
        pastes.len(),
        at(0.50),
        at(0.99),
        samples.last().unwrap()
    );
}

/// Resident memory of this process with the matcher built.
fn memory() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(rss) = status.lines().find(|l| l.starts_with("VmHWM")) {
        println!(
            "peak resident memory of the benchmark process: {}",
            rss.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
}
