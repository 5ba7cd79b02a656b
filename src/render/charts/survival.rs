//! Kaplan–Meier curves of staying employed per rung, each with Greenwood's 95% interval shaded.

use super::context::Context;
use super::kit::palette::{ladder_colours, CATCH_ALL};
use super::kit::{lines, Axis, Drawing, Line, XAxis};
use crate::render::model::Curve;

/// A curve's line: the rung's colour, a darker grey for the catch-all's.
fn curve(c: &Context, k: &Curve, colours: &[&str]) -> Line {
    let r = c
        .report
        .rungs
        .iter()
        .position(|n| *n == k.group)
        .unwrap_or(0);
    let colour = match colours.get(r) {
        Some(&CATCH_ALL) => "#7f7f86",
        Some(colour) => colour,
        None => "#000000",
    };
    let points = k
        .steps
        .iter()
        .map(|s| (s.0, Some(s.1 * 100.0), c.lang.number(s.0, 0)))
        .collect();
    Line {
        step: true,
        band: k
            .steps
            .iter()
            .map(|s| (s.0, s.2 * 100.0, s.3 * 100.0))
            .collect(),
        ..Line::plain(&k.group, colour, points)
    }
}

pub fn chart(c: &Context) -> Option<Drawing> {
    let (lang, w) = (c.lang, c.w);
    let curves = &c.report.outcomes.as_ref()?.curves;
    if curves.is_empty() {
        return None;
    }
    let colours = ladder_colours(c.report.rungs.len());
    let series: Vec<Line> = curves.iter().map(|k| curve(c, k, &colours)).collect();
    let steps = || curves.iter().flat_map(|k| k.steps.iter());
    let tmax = steps().map(|s| s.0).fold(1.0, f64::max);
    let ymin = steps().map(|s| s.2.min(s.1) * 100.0).fold(100.0, f64::min);
    let x = XAxis::Numeric {
        min: 0.0,
        max: tmax,
        label: Box::new(move |v| lang.number(v, 0)),
    };
    let (pct, pct_tip) = (c.percent(), c.percent_tip());
    let y = Axis {
        title: w.still_employed.into(),
        min: (ymin - 5.0).max(0.0).floor(),
        max: 100.0,
        label: &pct,
        tip: &pct_tip,
    };
    Some(lines(
        "survival",
        w.survival_chart,
        &x,
        w.survival_x,
        &y,
        &series,
    ))
}

#[cfg(test)]
mod tests {
    use crate::render::model::{sample, Curve, Outcomes};

    // One curve of two steps: (0, 100%, band 100–100) and (2, 80%, band 60–95). Its band is
    // one shaded polygon: along the upper bounds (2 corners per step), down at the last step
    // (2), back along the lower bounds (2): 6 corners.
    #[test]
    fn survival_curves_carry_their_confidence_band() {
        let mut report = sample();
        let group = report.rungs[0].clone();
        let steps = vec![(0.0, 1.0, 1.0, 1.0), (2.0, 0.8, 0.6, 0.95)];
        report.outcomes = Some(Outcomes {
            curves: vec![Curve { group, steps }],
            ..Default::default()
        });
        let charts = super::super::all(&report).unwrap();
        let survival = charts.iter().find(|c| c.name == "survival").unwrap();
        let bands: Vec<&str> = survival
            .svg
            .lines()
            .filter(|l| l.starts_with("<polygon") && l.contains("fill-opacity=\"0.15\""))
            .collect();
        assert_eq!(bands.len(), 1, "{}", survival.svg);
        let points = bands[0]
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(points.split(' ').count(), 6, "{points}");
    }
}
