//! The last period's most distinctive terms, each with how many people used it (README "Themes").

use super::context::Context;
use super::kit::palette::CATEGORICAL;
use super::kit::{ranked, Drawing};
use crate::render::words::fill;

pub fn chart(c: &Context) -> Option<Drawing> {
    let (t, lang, w) = (c.report.themes.as_ref()?, c.lang, c.w);
    if t.top.is_empty() {
        return None;
    }
    let rows: Vec<(String, f64)> = t
        .top
        .iter()
        .map(|r| (r.term.clone(), f64::from(r.people)))
        .collect();
    let count = |v: f64| lang.count(v.round() as u64);
    let title = fill(w.themes_chart, &[&lang.period(&t.period)]);
    Some(ranked(
        "themes",
        &title,
        &rows,
        (w.people, &count),
        CATEGORICAL[0],
    ))
}
