//! The last period's rising terms, by how far their use stands above their own past (z, spec
//! §8).

use super::context::Context;
use super::kit::palette::CATEGORICAL;
use super::kit::{ranked, Drawing};
use crate::render::words::fill;

pub fn chart(c: &Context) -> Option<Drawing> {
    let (t, lang, w) = (c.report.themes.as_ref()?, c.lang, c.w);
    if t.rising.is_empty() {
        return None;
    }
    let rows: Vec<(String, f64)> = t
        .rising
        .iter()
        .map(|r| (r.term.clone(), r.z.unwrap_or(0.0)))
        .collect();
    let z = |v: f64| lang.number(v, 1);
    let title = fill(w.themes_rising_chart, &[&lang.period(&t.period)]);
    Some(ranked(
        "themes_rising",
        &title,
        &rows,
        (w.rising_axis, &z),
        CATEGORICAL[1],
    ))
}
