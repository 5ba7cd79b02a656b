//! The Lorenz curve of the last period's contributions, beside the line of equality and the
//! 90-9-1 rule.

use super::context::Context;
use super::kit::palette::CATEGORICAL;
use super::kit::{lines, Axis, Drawing, Line, XAxis};
use crate::render::words::{fill, metric_label};

/// The 90-9-1 rule: 90% contribute nothing, 9% a tenth of the content, 1% the rest.
const RULE: [(f64, f64); 4] = [(0.0, 0.0), (90.0, 0.0), (99.0, 10.0), (100.0, 100.0)];

pub fn chart(c: &Context) -> Option<Drawing> {
    let (report, lang, w) = (c.report, c.lang, c.w);
    if report.lorenz.len() < 2 {
        return None;
    }
    let last = c.labels.last().cloned().unwrap_or_default();
    let pct = c.percent();
    let curve = report
        .lorenz
        .iter()
        .map(|(x, y)| (x * 100.0, Some(y * 100.0), pct(x * 100.0)))
        .collect();
    let series = [
        Line::reference(w.equality, "#9a9aa0", &[(0.0, 0.0), (100.0, 100.0)]),
        Line::reference(w.rule_90_9_1, CATEGORICAL[1], &RULE),
        Line::plain(metric_label("gini", lang), CATEGORICAL[0], curve),
    ];
    let x = XAxis::Numeric {
        min: 0.0,
        max: 100.0,
        label: Box::new(c.percent()),
    };
    let y = Axis {
        title: w.share_of_contributions.into(),
        min: 0.0,
        max: 100.0,
        label: &pct,
    };
    let title = fill(w.lorenz_chart, &[&last]);
    Some(lines("lorenz", &title, &x, w.share_of_people, &y, &series))
}
