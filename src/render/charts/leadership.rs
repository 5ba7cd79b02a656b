//! Leaders' presence per period (README "What people say, campaigns and leaders"): the shares of leaders and managers active,
//! contributing, and replying to someone of another team.

use super::context::Context;
use super::kit::palette::CATEGORICAL;
use super::kit::{lines, Axis, Drawing, Line, XAxis};
use crate::render::model::LeaderRow;

/// One of the leaders' shares.
type Share = fn(&LeaderRow) -> Option<f64>;

pub fn chart(c: &Context) -> Option<Drawing> {
    let (rows, w) = (&c.report.practice.leadership, c.w.practice);
    if rows.iter().all(|r| r.leaders.is_none()) {
        return None;
    }
    let shares: [(&str, Share); 3] = [
        (w.leaders_active, |r| r.active),
        (w.leaders_contributing, |r| r.contributing),
        (w.leaders_outside, |r| r.outside_team),
    ];
    let series: Vec<Line> = shares
        .iter()
        .enumerate()
        .map(|(i, (name, share))| {
            let values = rows.iter().map(|r| share(r).map(|v| v * 100.0));
            Line::over_periods(name, CATEGORICAL[i], values, &c.labels)
        })
        .collect();
    let (pct, pct_tip) = (c.percent(), c.percent_tip());
    let y = Axis {
        title: w.leaders_axis.into(),
        min: 0.0,
        max: 100.0,
        label: &pct,
        tip: &pct_tip,
    };
    let x = XAxis::Categories(c.labels.clone());
    Some(lines(
        "leadership",
        w.leadership_chart,
        &x,
        c.kind,
        &y,
        &series,
    ))
}
