//! Reach and participation over time, the targets on these measures drawn as dashes, and each
//! campaign shaded over the weeks it ran.

use super::context::Context;
use super::kit::palette::CATEGORICAL;
use super::kit::{lines, Axis, Drawing, Line, XAxis};
use crate::render::model::Report;
use crate::render::text::cut;
use crate::render::words::{fill, metric_label};

/// The measures drawn, each with its colour.
const MEASURES: [&str; 3] = ["participation_rate", "reach_rate", "contribution_rate"];

/// The most characters of a campaign's name the legend shows.
const LEGEND_NAME: usize = 14;

/// The grey of a campaign's shading.
const CAMPAIGN_SHADE: &str = "#7f7f7f";

pub fn chart(c: &Context) -> Drawing {
    let report = c.report;
    let name = |k: usize| metric_label(MEASURES[k], c.lang);
    let mut series: Vec<Line> = (0..MEASURES.len())
        .filter(|k| {
            report
                .periods
                .iter()
                .any(|p| p.figure(MEASURES[*k]).is_some())
        })
        .map(|k| {
            let values = report
                .periods
                .iter()
                .map(|p| p.figure(MEASURES[k]).map(|v| v * 100.0));
            Line::over_periods(name(k), CATEGORICAL[k], values, &c.labels)
        })
        .collect();
    let last = report.periods.len().saturating_sub(1) as f64;
    for t in &report.targets {
        if let Some(k) = MEASURES.iter().position(|m| *m == t.metric) {
            let label = format!("{} ({})", c.w.target, name(k));
            let level = t.target * 100.0;
            series.push(Line::reference(
                &label,
                CATEGORICAL[k],
                &[(0.0, level), (last, level)],
            ));
        }
    }
    let top = series
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|p| p.1))
        .fold(10.0f64, f64::max);
    series.extend(campaign_bands(report, top));
    let (pct, pct_tip) = (c.percent(), c.percent_tip());
    let y = Axis {
        title: c.w.share_of_headcount.into(),
        min: 0.0,
        max: top,
        label: &pct,
        tip: &pct_tip,
    };
    let x = XAxis::Categories(c.labels.clone());
    lines("trends", c.w.trends_chart, &x, c.kind, &y, &series)
}

/// Shaded spans, one per campaign that lies inside the periods, from the bottom of the axis to
/// `top`; each named in the legend.
fn campaign_bands(report: &Report, top: f64) -> Vec<Line> {
    let w = report.language.words().practice;
    let bands = report.practice.campaigns.iter().filter_map(|c| {
        let (from, to) = c.span?;
        Some(Line {
            band: vec![(from, 0.0, top), (to, 0.0, top)],
            marks: false,
            ..Line::plain(
                &fill(w.campaign_band, &[&cut(&c.name, LEGEND_NAME)]),
                CAMPAIGN_SHADE,
                Vec::new(),
            )
        })
    });
    bands.collect()
}
