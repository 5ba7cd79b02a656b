//! The self-reported rung against the observed one (README "What people say, campaigns and leaders"): a heatmap like the transitions,
//! cells under the minimum group size hatched.

use super::context::Context;
use super::kit::{heatmap, Drawing, Heat};
use crate::render::words::fill;

pub fn chart(c: &Context) -> Option<Drawing> {
    let (report, lang, w) = (c.report, c.lang, c.w);
    let p = report.practice.profile.as_ref()?;
    if p.respondents < u64::from(report.min_group_size) {
        return None;
    }
    let count = |v: f64| lang.count(v.round() as u64);
    let max = p
        .counts
        .iter()
        .flatten()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0) as f64;
    let heat = Heat {
        rows: report.rungs.clone(),
        columns: report.rungs.clone(),
        values: p
            .counts
            .iter()
            .map(|r| r.iter().map(|n| n.map(|n| n as f64)).collect())
            .collect(),
        suppressed: p
            .counts
            .iter()
            .map(|r| r.iter().map(Option::is_none).collect())
            .collect(),
        row_title: w.practice.self_rung.into(),
        column_title: w.practice.observed_rung.into(),
        max,
        label: &count,
        note: fill(w.suppressed_cell, &[&report.min_group_size.to_string()]),
        hidden: w.practice.suppressed,
    };
    Some(heatmap("profile", w.practice.profile_chart, &heat))
}
