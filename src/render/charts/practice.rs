//! The charts of the sections on practitioners' questions (spec §9): the self-reported rung
//! against the observed one (a heatmap like the transitions, suppressed cells hatched), leaders'
//! presence over time, and the shading that marks each campaign on the trend chart.

use super::kinds::{heatmap, lines, Axis, Chart, Heat, Line, XAxis};
use super::svg::CATEGORICAL;
use crate::render::model::{LeaderRow, Report};
use crate::render::words::fill;

/// The grey of a campaign's shading.
const CAMPAIGN_SHADE: &str = "#7f7f7f";

/// Shaded spans on the trend chart, one per campaign that lies inside the periods, from the
/// bottom of the axis to `top`; each named in the legend.
pub fn campaign_bands(report: &Report, top: f64) -> Vec<Line> {
    let w = report.language.words().practice;
    report
        .practice
        .campaigns
        .iter()
        .filter_map(|c| {
            let (from, to) = c.span?;
            Some(Line {
                name: fill(w.campaign_band, &[&short(&c.name)]),
                colour: CAMPAIGN_SHADE.into(),
                points: Vec::new(),
                step: false,
                dashed: false,
                marks: false,
                band: vec![(from, 0.0, top), (to, 0.0, top)],
            })
        })
        .collect()
}

/// A campaign's name cut to fit the legend, with an ellipsis when cut.
fn short(name: &str) -> String {
    const FITS: usize = 14;
    if name.chars().count() <= FITS {
        return name.to_string();
    }
    let cut: String = name.chars().take(FITS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// The profile heatmap and the leaders' chart, where the report has them.
pub fn charts(report: &Report, labels: &[String], kind: &str) -> Vec<Chart> {
    profile(report)
        .into_iter()
        .chain(leadership(report, labels, kind))
        .collect()
}

fn profile(report: &Report) -> Option<Chart> {
    let p = report.practice.profile.as_ref()?;
    if p.respondents < u64::from(report.min_group_size) {
        return None;
    }
    let (lang, w) = (report.language, report.language.words());
    let count = |v: f64| lang.count(v.round() as u64);
    let max = p
        .counts
        .iter()
        .flatten()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0) as f64;
    Some(heatmap(
        "profile",
        w.practice.profile_chart,
        &Heat {
            rows: report.rungs.clone(),
            columns: report.rungs.clone(),
            values: p
                .counts
                .iter()
                .map(|r| r.iter().map(|c| c.map(|c| c as f64)).collect())
                .collect(),
            suppressed: p
                .counts
                .iter()
                .map(|r| r.iter().map(Option::is_none).collect())
                .collect(),
            row_title: w.practice.self_rung.into(),
            column_title: w.practice.observed_rung.into(),
            max,
            label: &count,
            note: fill(w.suppressed_cell, &[&report.min_group_size.to_string()]),
            hidden: w.practice.suppressed,
        },
    ))
}

/// One of the leaders' shares.
type Share = fn(&LeaderRow) -> Option<f64>;

fn leadership(report: &Report, labels: &[String], kind: &str) -> Option<Chart> {
    let rows = &report.practice.leadership;
    if rows.iter().all(|r| r.leaders.is_none()) {
        return None;
    }
    let (lang, w) = (report.language, report.language.words());
    let series: [(&str, Share); 3] = [
        (w.practice.leaders_active, |r| r.active),
        (w.practice.leaders_contributing, |r| r.contributing),
        (w.practice.leaders_outside, |r| r.outside_team),
    ];
    let lines_: Vec<Line> = series
        .iter()
        .enumerate()
        .map(|(i, (name, value))| {
            let values = rows.iter().map(|r| value(r).map(|v| v * 100.0));
            Line::over_periods(name, CATEGORICAL[i], values, labels)
        })
        .collect();
    let pct = move |v: f64| format!("{}%", lang.number(v, 0));
    Some(lines(
        "leadership",
        w.practice.leadership_chart,
        &XAxis::Categories(labels.to_vec()),
        kind,
        &Axis {
            title: w.practice.leaders_axis.into(),
            min: 0.0,
            max: 100.0,
            label: &pct,
        },
        &lines_,
    ))
}
