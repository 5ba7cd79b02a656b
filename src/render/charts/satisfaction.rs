//! Teams' participation against their survey score, with the rank correlation under the title.

use super::context::Context;
use super::kit::{scatter, Axis, Drawing};
use crate::render::model::Scatter;
use crate::render::words::fill;

pub fn chart(c: &Context) -> Option<Drawing> {
    let (report, lang, w) = (c.report, c.lang, c.w);
    let s = report.outcomes.as_ref()?.scatter.as_ref()?;
    let points: Vec<(f64, f64)> = s.points.iter().map(|(x, y)| (x * 100.0, *y)).collect();
    let xmax = points.iter().map(|p| p.0).fold(10.0, f64::max);
    let (lo, hi) = points.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.1), hi.max(p.1))
    });
    let (lo, hi) = if lo < hi {
        (lo.floor(), hi.ceil())
    } else {
        (0.0, 1.0)
    };
    let (pct, pct_tip) = (c.percent(), c.percent_tip());
    let (score, score_tip) = (|v: f64| lang.number(v, 1), |v: f64| lang.number(v, 2));
    let x_title = fill(w.scatter_x, &[&report.outcome_window_periods.to_string()]);
    let x = Axis {
        title: x_title,
        min: 0.0,
        max: xmax,
        label: &pct,
        tip: &pct_tip,
    };
    let y = Axis {
        title: s.outcome.clone(),
        min: lo,
        max: hi,
        label: &score,
        tip: &score_tip,
    };
    let title = format!(
        "{} ({}, {})",
        w.scatter_chart,
        s.outcome,
        lang.period(&s.period)
    );
    Some(scatter(
        "satisfaction",
        &title,
        &points,
        &x,
        &y,
        &note(c, s),
    ))
}

/// "Spearman's ρ = 0.45 (95% 0.1 to 0.7), 24 teams", or nothing without a correlation.
fn note(c: &Context, s: &Scatter) -> String {
    let Some(k) = &s.correlation else {
        return String::new();
    };
    let (Some(r), Some(lo), Some(hi)) = (k.rho, k.ci_low, k.ci_high) else {
        return String::new();
    };
    let number = |v: f64| c.lang.number(v, 2);
    fill(
        c.w.scatter_note,
        &[&number(r), &number(lo), &number(hi), &k.n_teams.to_string()],
    )
}
