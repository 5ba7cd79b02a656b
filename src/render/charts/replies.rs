//! The reply rate per period: the share of threads answered within the reply window.

use super::context::Context;
use super::kit::palette::CATEGORICAL;
use super::kit::{lines, Axis, Drawing, Line, XAxis};
use crate::render::words::metric_label;

pub fn chart(c: &Context) -> Drawing {
    let (report, w) = (c.report, c.w);
    let name = metric_label("reply_rate", c.lang);
    let values = report
        .periods
        .iter()
        .map(|p| p.figure("reply_rate").map(|v| v * 100.0));
    let series = [Line::over_periods(name, CATEGORICAL[0], values, &c.labels)];
    let (pct, pct_tip) = (c.percent(), c.percent_tip());
    let y = Axis {
        title: format!("{name} (%)"),
        min: 0.0,
        max: 100.0,
        label: &pct,
        tip: &pct_tip,
    };
    let window = format!("{} {}", report.reply_window_hours, w.hours_unit);
    let title = format!("{} ({window})", w.reply_rate_chart);
    lines(
        "replies",
        &title,
        &XAxis::Categories(c.labels.clone()),
        c.kind,
        &y,
        &series,
    )
}
