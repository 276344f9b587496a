//! What stands at the top of the report (the `--check` verdict when the bench passes one, what the numbers are and
//! are not, the run counts) and, folded at the end, the machines, versions and metric conventions.

use crate::format::onnxruntime_version;
use crate::page::Page;
use crate::stats::Group;
use crate::{CheckVerdict, ok};
use maud::html;
use splatbench_record::{RunRecord, RunStatus};
use std::collections::BTreeMap;

pub fn top(page: &mut Page, records: &[RunRecord], check: Option<&CheckVerdict>) {
    if let Some(c) = check {
        page.top(html! {
            div class={ "verdict " (if c.passed { "pass" } else { "fail" }) } {
                strong { "--check " (if c.passed { "passed" } else { "FAILED" }) }
                @if !c.against.is_empty() { " against " code { (c.against) } }
                @if !c.table.is_empty() { details { summary { "per-metric comparison" } pre { (c.table) } } }
            }
        });
    }
    let count = |s: RunStatus| records.iter().filter(|r| r.status == s).count();
    page.top(html! {
        p {
            (records.len()) " runs: " (ok(records).count()) " ok, " (count(RunStatus::Failed)) " failed, "
            (count(RunStatus::Skipped)) " skipped."
        }
        p {
            strong { "Scope: " }
            "these are pipeline numbers on CPU-sized data, not comparisons with published (paper) results — except \
             rows labelled " code { "paper" } " in the settings column, which run their write-up's own settings."
        }
    });
}

/// Records the directory holds that the current suite does not contain (an older suite's, a removed entry's): named
/// so nothing seems lost, kept out of every table and mean.
pub fn not_in_suite(page: &mut Page, ids: &[String]) {
    if ids.is_empty() {
        return;
    }
    page.top(html! {
        details class="not-in-suite" {
            summary { (ids.len()) " records in this directory are not in this suite, and are in no table or mean" }
            ul { @for id in ids { li { code { (id) } } } }
        }
    });
}

/// The metric conventions, then one table per distinct environment (merged shards may come from different
/// machines), with its runs when there are several.
pub fn environment(page: &mut Page, records: &[RunRecord]) {
    page.section("Machine, versions and metric conventions", false);
    let mut conv = BTreeMap::new();
    for r in records {
        conv.extend(r.conventions.clone());
    }
    if !conv.is_empty() {
        page.h3("Metric conventions");
        page.kv_table(&conv);
    }
    page.para(&format!("Written by: {}", std::env::args().collect::<Vec<_>>().join(" ")));
    let envs = Group::by(records.iter().filter(|r| !r.environment.is_empty()), |r| r.environment.clone());
    for (i, (env, runs)) in envs.iter().enumerate() {
        if envs.len() == 1 {
            page.h3("Machine and versions");
        } else {
            page.h3(&format!("Machine and versions ({} of {}: {} runs)", i + 1, envs.len(), runs.len()));
            let ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
            page.para(&format!("Runs: {}", ids.join(", ")));
        }
        let mut env = env.clone();
        // The record keeps what ONNX Runtime reported, which may be its whole build string.
        if let Some(v) = env.get_mut("onnxruntime") {
            *v = onnxruntime_version(v);
        }
        page.kv_table(&env);
    }
}
