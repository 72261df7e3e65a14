//! The pastes in tests/fixtures, scored as the evaluation scores them: the public cases and our
//! own rewordings (spacing, 스냅샷/스냅숏, particles, paraphrases, portal, PowerShell and mail
//! shapes, look-alike codes, chatter), the companion article's public cases, and realistic pastes
//! written from public issue trackers and the portal without looking at the matcher (rewordings,
//! extension logs, people's own words, Korean chat, near neighbours, look-alikes from other
//! tools), and a third and a fourth held-out set of the same kinds.

use crate::support::{match_lines, root};
use serde_json::Value;

fn score(file: &str) -> (usize, usize, usize, usize, Vec<String>) {
    let cases: Vec<Value> = std::fs::read_to_string(root().join("tests/fixtures").join(file))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let texts: Vec<String> = cases
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_string())
        .collect();
    let replies = match_lines(&texts);
    assert_eq!(replies.len(), cases.len());
    let (mut ok, mut pos, mut fp, mut neg) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    for (c, r) in cases.iter().zip(&replies) {
        let expect = c["expect"].as_array();
        let phrases: Vec<&str> = match &c["expect_message"] {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let entry = c["expect_entry"].as_str();
        if expect.is_some() || !phrases.is_empty() || entry.is_some() {
            pos += 1;
            let mut good = r["matched"] == true;
            if let Some(id) = entry {
                good &= r["entry"] == id;
            }
            if let Some(codes) = expect {
                let got = r["codes"].as_array().cloned().unwrap_or_default();
                good &= got.len() <= 4 && codes.iter().any(|c| got.contains(c));
            }
            if !phrases.is_empty() {
                let m = r["message"].as_str().unwrap_or("");
                good &= phrases.iter().any(|p| m.contains(p));
            }
            if good {
                ok += 1;
            } else {
                misses.push(format!("{} -> {}", c["text"], r));
            }
        } else {
            neg += 1;
            if r["matched"] == true {
                fp += 1;
                misses.push(format!("false positive: {} -> {}", c["text"], r));
            }
        }
    }
    (ok, pos, fp, neg, misses)
}

#[test]
fn public_cases_all_pass() {
    let (ok, pos, fp, neg, misses) = score("public.jsonl");
    assert!(pos > 150 && neg >= 20);
    assert_eq!((ok, fp), (pos, 0), "{misses:#?}");
}

#[test]
fn the_companion_articles_public_cases_all_pass() {
    let (ok, pos, fp, neg, misses) = score("public-companion.jsonl");
    assert!(pos >= 60 && neg >= 6);
    assert_eq!((ok, fp), (pos, 0), "{misses:#?}");
}

#[test]
fn realistic_pastes_pass_the_bar() {
    let (ok, pos, fp, neg, misses) = score("real.jsonl");
    assert!(pos >= 100 && neg >= 40);
    assert!(ok as f64 / pos as f64 >= 0.9, "{ok}/{pos}: {misses:#?}");
    assert_eq!(fp, 0, "{misses:#?}");
}

#[test]
fn our_rewordings_and_look_alikes_pass() {
    let (ok, pos, fp, neg, misses) = score("pastes.jsonl");
    assert!(pos >= 40 && neg >= 40);
    assert_eq!((ok, fp), (pos, 0), "{misses:#?}");
}

/// A third held-out set, written blind (portal rewordings, people's own words, VMSnapshotLinux,
/// IaaSBcdrExtension and waagent log lines, Korean in both registers, near neighbours, and
/// look-alikes from other software: desktop BitLocker, other backup products, Site Recovery,
/// AKS, SQL, terraform, CI systems, generic fsfreeze talk, chatter). Its first run scored
/// 78/89 with 1 false positive out of 41.
#[test]
fn a_third_held_out_set_passes_its_bar() {
    let (ok, pos, fp, neg, misses) = score("heldout3.jsonl");
    assert!(pos >= 80 && neg >= 40);
    assert!(ok as f64 / pos as f64 >= 0.97, "{ok}/{pos}: {misses:#?}");
    assert_eq!(fp, 0, "{misses:#?}");
}

/// A fourth held-out set, written blind in twelve batches weighted to the kinds that were
/// weakest: the portal's "Diagnose and solve problems" restatements (English and Korean), people's
/// own accounts of restore and job rows, disk size, Marketplace plans, Trusted Launch, provisioning
/// state, key vault permissions, restore point collection limits and the agent subsections, terse
/// and casual Korean with typos, extension log lines, near neighbours, and look-alikes. Each batch
/// was scored before the content learnt from it: 172/320 right and 3/112 false positives in all on
/// first runs (the first batch 59/88 with 2/42); eight cases found unfair were then corrected.
/// Its two remaining false positives (a Windows Update line and a BizTalk server quoting the
/// Visual C++ and COM+ messages) went when BizTalk joined the other tools and a message pasted
/// with no sign of a backup had to be there nearly whole.
#[test]
fn a_fourth_held_out_set_passes_its_bar() {
    let (ok, pos, fp, neg, misses) = score("heldout4.jsonl");
    assert!(pos >= 270 && neg >= 100);
    assert!(ok as f64 / pos as f64 >= 0.96, "{ok}/{pos}: {misses:#?}");
    assert_eq!(fp, 0, "{misses:#?}");
}

/// A fifth held-out set, written blind from the sources before any look at the matcher or the
/// curated symptoms (portal restatements, az and PowerShell JSON, extension log lines, terse and
/// Korean chat, misspelt codes, table rows; other Azure services, other backup products, CI
/// logs and chatter as look-alikes). Its first run scored 132/160 with no false positive of 60;
/// since then the matcher names a retelling by its rare words (`matcher/explain.rs`) and the
/// content learnt symptoms from its misses.
#[test]
fn a_fifth_held_out_set_passes_its_bar() {
    let (ok, pos, fp, neg, misses) = score("heldout5.jsonl");
    assert!(pos >= 150 && neg >= 55);
    assert!(ok as f64 / pos as f64 >= 0.9, "{ok}/{pos}: {misses:#?}");
    assert_eq!(fp, 0, "{misses:#?}");
}

/// A sixth held-out set, written blind from public issue trackers and the sources without any
/// look at the content or the matcher (people's own accounts most of all, portal restatements,
/// extension and agent logs, az JSON, terse and casual Korean, misspelt codes; other backup
/// products, other Azure services, deployments and chatter as look-alikes). Its first run scored
/// 126/155 with no false positive of 45; then 134/155 with the rare-words rule alone, before the
/// content learnt symptoms from its misses.
#[test]
fn a_sixth_held_out_set_passes_its_bar() {
    let (ok, pos, fp, neg, misses) = score("heldout6.jsonl");
    assert!(pos >= 150 && neg >= 40);
    assert!(ok as f64 / pos as f64 >= 0.9, "{ok}/{pos}: {misses:#?}");
    assert_eq!(fp, 0, "{misses:#?}");
}
