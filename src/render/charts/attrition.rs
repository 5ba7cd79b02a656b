//! The share of each rung's people who left within the horizon after a period.

use super::context::Context;
use super::kit::palette::CATEGORICAL;
use super::kit::{bars, Axis, Bars, Drawing};
use crate::render::words::fill;

pub fn chart(c: &Context) -> Option<Drawing> {
    let (report, lang, w) = (c.report, c.lang, c.w);
    let a = report.outcomes.as_ref()?.attrition.as_ref()?;
    let values: Vec<Option<f64>> = a.rungs.iter().map(|(_, s)| s.map(|s| s * 100.0)).collect();
    let max = values.iter().flatten().copied().fold(5.0, f64::max);
    let rungs: Vec<String> = a.rungs.iter().map(|r| r.0.clone()).collect();
    let series = [Bars {
        name: w.left_share.into(),
        colour: CATEGORICAL[5].into(),
        values,
    }];
    let (pct, pct_tip) = (c.percent(), c.percent_tip());
    let y = Axis {
        title: w.left_share.into(),
        min: 0.0,
        max,
        label: &pct,
        tip: &pct_tip,
    };
    let horizon = report.horizon_periods.to_string();
    let title = fill(w.attrition_chart, &[&horizon, &lang.period(&a.period)]);
    Some(bars(
        "attrition",
        &title,
        &rungs,
        w.rung,
        &y,
        &series,
        false,
    ))
}
