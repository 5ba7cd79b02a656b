//! Participation per department and period; groups under the minimum size hatched (docs/privacy.md).

use super::context::Context;
use super::kit::{heatmap, Drawing, Heat};
use crate::render::words::fill;

pub fn chart(c: &Context) -> Option<Drawing> {
    let (d, lang, w) = (c.report.departments.as_ref()?, c.lang, c.w);
    let share = |v: f64| format!("{}%", lang.number(v * 100.0, 0));
    let heat = Heat {
        rows: d.departments.clone(),
        columns: d.periods.iter().map(|p| lang.period(p)).collect(),
        values: d.rates.clone(),
        suppressed: d.suppressed.clone(),
        row_title: String::new(),
        column_title: c.kind.to_string(),
        max: 1.0,
        label: &share,
        note: fill(w.suppressed_cell, &[&c.report.min_group_size.to_string()]),
        hidden: w.practice.suppressed,
    };
    Some(heatmap("departments", w.department_chart, &heat))
}
