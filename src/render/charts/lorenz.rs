//! The Lorenz curve of the last period's contributions, beside the line of equality and the
//! 90-9-1 rule, with its Gini coefficient in the title. The curve is a line; only the points a
//! reader compares with the rule carry a mark: the bottom half, 90% and 99% of people.

use super::context::Context;
use super::kit::palette::CATEGORICAL;
use super::kit::{lines, Axis, Drawing, Line, XAxis};
use crate::render::words::{fill, DASH};

/// The 90-9-1 rule: 90% contribute nothing, 9% a tenth of the content, 1% the rest.
const RULE: [(f64, f64); 4] = [(0.0, 0.0), (90.0, 0.0), (99.0, 10.0), (100.0, 100.0)];

/// The shares of people (in %) whose point on the curve is marked.
const MARKED: [f64; 3] = [50.0, 90.0, 99.0];

pub fn chart(c: &Context) -> Option<Drawing> {
    let (report, lang, w) = (c.report, c.lang, c.w);
    if report.lorenz.len() < 2 {
        return None;
    }
    let last = c.labels.last().cloned().unwrap_or_default();
    let (pct, pct_tip) = (c.percent(), c.percent_tip());
    let marked = |x: f64| MARKED.iter().any(|m| (m - x).abs() < 1e-6);
    let curve = report
        .lorenz
        .iter()
        .map(|(x, y)| (x * 100.0, Some(y * 100.0)))
        .map(|(x, y)| (x, y, if marked(x) { pct(x) } else { String::new() }))
        .collect();
    let series = [
        Line::reference(w.equality, "#9a9aa0", &[(0.0, 0.0), (100.0, 100.0)]),
        Line::reference(w.rule_90_9_1, CATEGORICAL[1], &RULE),
        Line::plain(w.lorenz_curve, CATEGORICAL[0], curve),
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
        tip: &pct_tip,
    };
    let gini = report.periods.last().and_then(|p| p.figure("gini"));
    let gini = gini.map_or_else(|| DASH.to_string(), |g| lang.number(g, 2));
    let title = fill(w.lorenz_chart, &[&last, &gini]);
    Some(lines("lorenz", &title, &x, w.share_of_people, &y, &series))
}
