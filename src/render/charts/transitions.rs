//! Transitions: how many people moved from each rung in one period to each rung in the next.

use super::context::Context;
use super::kit::{heatmap, Drawing, Heat};
use crate::render::words::fill;

pub fn chart(c: &Context) -> Option<Drawing> {
    let (report, lang, w) = (c.report, c.lang, c.w);
    let t = report.transitions.as_ref()?;
    let max = t.counts.iter().flatten().copied().max().unwrap_or(0) as f64;
    let count = |v: f64| lang.count(v.round() as u64);
    let (from, to) = (lang.period(&t.from), lang.period(&t.to));
    let heat = Heat {
        rows: report.rungs.clone(),
        columns: report.rungs.clone(),
        values: t
            .counts
            .iter()
            .map(|r| r.iter().map(|n| Some(f64::from(*n))).collect())
            .collect(),
        suppressed: Vec::new(),
        row_title: fill(w.rung_in, &[&from]),
        column_title: fill(w.rung_in, &[&to]),
        max,
        label: &count,
        note: String::new(),
        hidden: w.practice.suppressed,
    };
    Some(heatmap(
        "transitions",
        &fill(w.transitions_chart, &[&from, &to]),
        &heat,
    ))
}
