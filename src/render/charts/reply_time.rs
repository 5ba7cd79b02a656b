//! The median hours to a thread's first reply, per period.

use super::context::Context;
use super::kit::palette::CATEGORICAL;
use super::kit::{lines, Axis, Drawing, Line, XAxis};
use crate::render::words::metric_label;

const MEASURE: &str = "median_first_reply_hours";

pub fn chart(c: &Context) -> Drawing {
    let (periods, lang, w) = (&c.report.periods, c.lang, c.w);
    let values = periods.iter().map(|p| p.figure(MEASURE));
    let series = [Line::over_periods(
        metric_label(MEASURE, lang),
        CATEGORICAL[2],
        values,
        &c.labels,
    )];
    let max = periods
        .iter()
        .filter_map(|p| p.figure(MEASURE))
        .fold(1.0, f64::max);
    let hours = |v: f64| lang.number(v, 0);
    let hours_tip = |v: f64| lang.number(v, 1);
    let y = Axis {
        title: w.hours.into(),
        min: 0.0,
        max,
        label: &hours,
        tip: &hours_tip,
    };
    lines(
        "reply_time",
        w.reply_time_chart,
        &XAxis::Categories(c.labels.clone()),
        c.kind,
        &y,
        &series,
    )
}
