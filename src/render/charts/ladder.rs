//! The ladder: each period's headcount split over the rungs, 100% stacked, the catch-all at the
//! bottom and the highest rung on top.

use super::context::Context;
use super::kit::palette::ladder_colours;
use super::kit::{bars, Axis, Bars, Drawing};
use crate::render::words::fill;

pub fn chart(c: &Context) -> Drawing {
    let report = c.report;
    let colours = ladder_colours(report.rungs.len());
    let series: Vec<Bars> = report
        .rungs
        .iter()
        .enumerate()
        .rev()
        .map(|(r, name)| Bars {
            name: name.clone(),
            colour: colours[r].to_string(),
            values: report
                .periods
                .iter()
                .map(|p| p.rung_shares.get(r).copied().flatten().map(|s| s * 100.0))
                .collect(),
        })
        .collect();
    let (pct, pct_tip) = (c.percent(), c.percent_tip());
    let y = Axis {
        title: c.w.share_of_headcount.into(),
        min: 0.0,
        max: 100.0,
        label: &pct,
        tip: &pct_tip,
    };
    let title = fill(c.w.ladder_chart, &[&report.ladder_name]);
    bars("ladder", &title, &c.labels, c.kind, &y, &series, true)
}
