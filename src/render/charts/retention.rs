//! Retention: for each cohort (the period people first took part), the share still active in
//! each period since.

use super::context::Context;
use super::kit::{heatmap, Drawing, Heat};

pub fn chart(c: &Context) -> Option<Drawing> {
    let (cohorts, lang, w) = (&c.report.cohorts, c.lang, c.w);
    if cohorts.is_empty() {
        return None;
    }
    let width = cohorts.iter().map(|k| k.shares.len()).max().unwrap_or(0);
    let share = |v: f64| format!("{}%", lang.number(v * 100.0, 0));
    let heat = Heat {
        rows: cohorts.iter().map(|k| lang.period(&k.label)).collect(),
        columns: (0..width).map(|k| k.to_string()).collect(),
        values: cohorts.iter().map(|k| k.shares.clone()).collect(),
        suppressed: Vec::new(),
        row_title: w.cohort.into(),
        column_title: w.since_first.into(),
        max: 1.0,
        label: &share,
        note: String::new(),
        hidden: w.practice.suppressed,
    };
    Some(heatmap("retention", w.retention_chart, &heat))
}
