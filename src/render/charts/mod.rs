//! The report's charts, every one as an SVG string drawn by the small kit in `svg.rs` (the PNG
//! is rendered from the same SVG). One colour-blind-safe palette throughout: viridis for the
//! ordered ladder, Okabe–Ito for series, blues for heatmaps. Titles name what the chart is
//! about; axes say their units.

pub mod kinds;
mod practice;
pub mod raster;
pub mod svg;

use kinds::{bars, heatmap, lines, scatter, Axis, Bars, Chart, Heat, Line, XAxis};
use svg::CATEGORICAL;

use super::model::{self, Report};
use super::words::{fill, metric_label, Language};

/// Viridis, sampled at ten even steps: ordered, colour-blind safe and readable in greyscale.
const VIRIDIS: [&str; 10] = [
    "#440154", "#482878", "#3e4a89", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6dcd59",
    "#b4de2c", "#fde725",
];

/// The neutral grey of a ladder's catch-all rung (nobody reached, nothing done).
pub const CATCH_ALL: &str = "#d9d9d9";

/// `n` ordered colours from dark (highest) to light, spread evenly over the palette.
pub fn ordered_colours(n: usize) -> Vec<&'static str> {
    match n {
        0 => Vec::new(),
        1 => vec![VIRIDIS[0]],
        _ => (0..n)
            .map(|i| VIRIDIS[(i * (VIRIDIS.len() - 1) + (n - 1) / 2) / (n - 1)])
            .collect(),
    }
}

/// Ladder colours: ordered colours for the rungs with a condition, grey for the catch-all.
pub fn ladder_colours(rungs: usize) -> Vec<&'static str> {
    let mut colours = ordered_colours(rungs.saturating_sub(1));
    if rungs > 0 {
        colours.push(CATCH_ALL);
    }
    colours
}

fn percent_axis(lang: Language) -> impl Fn(f64) -> String {
    move |v| format!("{}%", lang.number(v, 0))
}

/// Every chart the report's data supports, in the order the report shows them.
pub fn all(report: &Report) -> Vec<Chart> {
    let lang = report.language;
    let w = lang.words();
    let labels: Vec<String> = report
        .periods
        .iter()
        .map(|p| lang.period(&p.label))
        .collect();
    let kind = lang.kind(report.period_kind, false);
    let pct = percent_axis(lang);
    let mut charts = Vec::new();

    // The ladder: 100% stacked, the catch-all at the bottom and the highest rung on top.
    let colours = ladder_colours(report.rungs.len());
    let ladder_series: Vec<Bars> = report
        .rungs
        .iter()
        .enumerate()
        .rev()
        .map(|(r, name)| Bars {
            name: name.clone(),
            colour: colours[r].to_string(),
            values: report
                .periods
                .iter()
                .map(|p| p.rung_shares.get(r).copied().flatten().map(|s| s * 100.0))
                .collect(),
        })
        .collect();
    charts.push(bars(
        "ladder",
        &fill(w.ladder_chart, &[&report.ladder_name]),
        &labels,
        kind,
        &Axis {
            title: w.share_of_headcount.into(),
            min: 0.0,
            max: 100.0,
            label: &pct,
        },
        &ladder_series,
        true,
    ));

    if let Some(t) = &report.transitions {
        let max = t.counts.iter().flatten().copied().max().unwrap_or(0) as f64;
        let count = |v: f64| lang.count(v.round() as u64);
        charts.push(heatmap(
            "transitions",
            &fill(
                w.transitions_chart,
                &[&lang.period(&t.from), &lang.period(&t.to)],
            ),
            &Heat {
                rows: report.rungs.clone(),
                columns: report.rungs.clone(),
                values: t
                    .counts
                    .iter()
                    .map(|r| r.iter().map(|c| Some(f64::from(*c))).collect())
                    .collect(),
                suppressed: Vec::new(),
                row_title: fill(w.rung_in, &[&lang.period(&t.from)]),
                column_title: fill(w.rung_in, &[&lang.period(&t.to)]),
                max,
                label: &count,
                note: String::new(),
                hidden: w.practice.suppressed,
            },
        ));
    }

    // Reach and participation over time, with the targets on these measures drawn as dashes.
    let trend_metrics = [
        ("participation_rate", 0usize),
        ("reach_rate", 1),
        ("contribution_rate", 2),
    ];
    let names = [
        metric_label("participation_rate", lang),
        metric_label("reach_rate", lang),
        metric_label("contribution_rate", lang),
    ];
    let mut trend: Vec<Line> = trend_metrics
        .iter()
        .filter(|(m, _)| report.periods.iter().any(|p| p.figure(m).is_some()))
        .map(|(m, c)| {
            let values = report
                .periods
                .iter()
                .map(|p| p.figure(m).map(|v| v * 100.0));
            Line::over_periods(names[*c], CATEGORICAL[*c], values, &labels)
        })
        .collect();
    let n = report.periods.len();
    for t in &report.targets {
        if let Some((_, c)) = trend_metrics.iter().find(|(m, _)| *m == t.metric) {
            trend.push(Line {
                name: format!("{} ({})", w.target, names[*c]),
                colour: CATEGORICAL[*c].to_string(),
                points: vec![
                    (0.0, Some(t.target * 100.0), String::new()),
                    (
                        n.saturating_sub(1) as f64,
                        Some(t.target * 100.0),
                        String::new(),
                    ),
                ],
                step: false,
                dashed: true,
                marks: false,
                band: Vec::new(),
            });
        }
    }
    let trend_max = trend
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|p| p.1))
        .fold(10.0f64, f64::max);
    trend.extend(practice::campaign_bands(report, trend_max));
    charts.push(lines(
        "trends",
        w.trends_chart,
        &XAxis::Categories(labels.clone()),
        kind,
        &Axis {
            title: w.share_of_headcount.into(),
            min: 0.0,
            max: trend_max,
            label: &pct,
        },
        &trend,
    ));

    // Lifecycle: new, returning and resurrecting above zero, dormant below.
    let life_names = [w.new, w.returning, w.resurrecting, w.dormant];
    let life: Vec<Bars> = (0..4)
        .map(|k| Bars {
            name: life_names[k].to_string(),
            colour: CATEGORICAL[k].to_string(),
            values: report
                .periods
                .iter()
                .map(|p| {
                    let v = f64::from(p.lifecycle[k]);
                    Some(if k == 3 { -v } else { v })
                })
                .collect(),
        })
        .collect();
    let up = report
        .periods
        .iter()
        .map(|p| f64::from(p.lifecycle[0] + p.lifecycle[1] + p.lifecycle[2]))
        .fold(1.0, f64::max);
    let down = report
        .periods
        .iter()
        .map(|p| f64::from(p.lifecycle[3]))
        .fold(0.0, f64::max);
    let count_axis = |v: f64| lang.number(v.abs(), 0);
    charts.push(bars(
        "lifecycle",
        w.lifecycle_chart,
        &labels,
        kind,
        &Axis {
            title: w.people.into(),
            min: -down,
            max: up,
            label: &count_axis,
        },
        &life,
        true,
    ));

    if !report.cohorts.is_empty() {
        let width = report
            .cohorts
            .iter()
            .map(|c| c.shares.len())
            .max()
            .unwrap_or(0);
        let share = |v: f64| format!("{}%", lang.number(v * 100.0, 0));
        charts.push(heatmap(
            "retention",
            w.retention_chart,
            &Heat {
                rows: report
                    .cohorts
                    .iter()
                    .map(|c| lang.period(&c.label))
                    .collect(),
                columns: (0..width).map(|k| k.to_string()).collect(),
                values: report.cohorts.iter().map(|c| c.shares.clone()).collect(),
                suppressed: Vec::new(),
                row_title: w.cohort.into(),
                column_title: w.since_first.into(),
                max: 1.0,
                label: &share,
                note: String::new(),
                hidden: w.practice.suppressed,
            },
        ));
    }

    if report.lorenz.len() > 1 {
        let last = report
            .periods
            .last()
            .map(|p| lang.period(&p.label))
            .unwrap_or_default();
        let point = |(x, y): &(f64, f64)| {
            (
                x * 100.0,
                Some(y * 100.0),
                format!("{}%", lang.number(x * 100.0, 0)),
            )
        };
        // The 90-9-1 rule: 90% contribute nothing, 9% a tenth of the content, 1% the rest.
        let rule = vec![
            (0.0, Some(0.0), String::new()),
            (90.0, Some(0.0), String::new()),
            (99.0, Some(10.0), String::new()),
            (100.0, Some(100.0), String::new()),
        ];
        let pct_x = move |v: f64| format!("{}%", lang.number(v, 0));
        charts.push(lines(
            "lorenz",
            &fill(w.lorenz_chart, &[&last]),
            &XAxis::Numeric {
                min: 0.0,
                max: 100.0,
                label: Box::new(pct_x),
            },
            w.share_of_people,
            &Axis {
                title: w.share_of_contributions.into(),
                min: 0.0,
                max: 100.0,
                label: &pct,
            },
            &[
                Line {
                    name: w.equality.into(),
                    colour: "#9a9aa0".into(),
                    points: vec![
                        (0.0, Some(0.0), String::new()),
                        (100.0, Some(100.0), String::new()),
                    ],
                    step: false,
                    dashed: true,
                    marks: false,
                    band: Vec::new(),
                },
                Line {
                    name: w.rule_90_9_1.into(),
                    colour: CATEGORICAL[1].into(),
                    points: rule,
                    step: false,
                    dashed: true,
                    marks: false,
                    band: Vec::new(),
                },
                Line {
                    name: metric_label("gini", lang).into(),
                    colour: CATEGORICAL[0].into(),
                    points: report.lorenz.iter().map(point).collect(),
                    step: false,
                    dashed: false,
                    marks: true,
                    band: Vec::new(),
                },
            ],
        ));
    }

    let series = |metric: &str, scale: f64, c: usize| Line {
        name: metric_label(metric, lang).to_string(),
        colour: CATEGORICAL[c].to_string(),
        points: report
            .periods
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    i as f64,
                    p.figure(metric).map(|v| v * scale),
                    labels[i].clone(),
                )
            })
            .collect(),
        step: false,
        dashed: false,
        marks: true,
        band: Vec::new(),
    };
    charts.push(lines(
        "replies",
        &format!("{} ({} h)", w.reply_rate_chart, report.reply_window_hours),
        &XAxis::Categories(labels.clone()),
        kind,
        &Axis {
            title: metric_label("reply_rate", lang).to_string() + " (%)",
            min: 0.0,
            max: 100.0,
            label: &pct,
        },
        &[series("reply_rate", 100.0, 0)],
    ));
    let hours_max = report
        .periods
        .iter()
        .filter_map(|p| p.figure("median_first_reply_hours"))
        .fold(1.0, f64::max);
    let hours = |v: f64| lang.number(v, 0);
    charts.push(lines(
        "reply_time",
        w.reply_time_chart,
        &XAxis::Categories(labels.clone()),
        kind,
        &Axis {
            title: w.hours.into(),
            min: 0.0,
            max: hours_max,
            label: &hours,
        },
        &[series("median_first_reply_hours", 1.0, 2)],
    ));
    if let Some(t) = &report.themes {
        charts.extend(themes(lang, t));
    }

    if let Some(d) = &report.departments {
        let share = |v: f64| format!("{}%", lang.number(v * 100.0, 0));
        charts.push(heatmap(
            "departments",
            w.department_chart,
            &Heat {
                rows: d.departments.clone(),
                columns: d.periods.iter().map(|p| lang.period(p)).collect(),
                values: d.rates.clone(),
                suppressed: d.suppressed.clone(),
                row_title: String::new(),
                column_title: kind.to_string(),
                max: 1.0,
                label: &share,
                note: fill(w.suppressed_cell, &[&report.min_group_size.to_string()]),
                hidden: w.practice.suppressed,
            },
        ));
    }

    if let Some(o) = &report.outcomes {
        if let Some(s) = &o.scatter {
            let xmax = s.points.iter().map(|p| p.0 * 100.0).fold(10.0, f64::max);
            let (ymin, ymax) = s.points.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
                (lo.min(p.1), hi.max(p.1))
            });
            let note = match &s.correlation {
                Some(c) => match (c.rho, c.ci_low, c.ci_high) {
                    (Some(r), Some(lo), Some(hi)) => fill(
                        w.scatter_note,
                        &[
                            &lang.number(r, 2),
                            &lang.number(lo, 2),
                            &lang.number(hi, 2),
                            &c.n_teams.to_string(),
                        ],
                    ),
                    _ => String::new(),
                },
                None => String::new(),
            };
            let score = |v: f64| lang.number(v, 1);
            let pct_x = |v: f64| format!("{}%", lang.number(v, 0));
            charts.push(scatter(
                "satisfaction",
                &format!(
                    "{} ({}, {})",
                    w.scatter_chart,
                    s.outcome,
                    lang.period(&s.period)
                ),
                &s.points
                    .iter()
                    .map(|(x, y)| (x * 100.0, *y))
                    .collect::<Vec<_>>(),
                &Axis {
                    title: fill(w.scatter_x, &[&report.outcome_window_periods.to_string()]),
                    min: 0.0,
                    max: xmax,
                    label: &pct_x,
                },
                &Axis {
                    title: s.outcome.clone(),
                    min: if ymin < ymax { ymin.floor() } else { 0.0 },
                    max: if ymin < ymax { ymax.ceil() } else { 1.0 },
                    label: &score,
                },
                &note,
            ));
        }
        if let Some(model::Attrition {
            period,
            rungs: rows,
        }) = &o.attrition
        {
            let values: Vec<Option<f64>> = rows.iter().map(|(_, s)| s.map(|s| s * 100.0)).collect();
            let max = values.iter().flatten().copied().fold(5.0, f64::max);
            charts.push(bars(
                "attrition",
                &fill(
                    w.attrition_chart,
                    &[&report.horizon_periods.to_string(), &lang.period(period)],
                ),
                &rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
                w.rung,
                &Axis {
                    title: w.left_share.into(),
                    min: 0.0,
                    max,
                    label: &pct,
                },
                &[Bars {
                    name: w.left_share.into(),
                    colour: CATEGORICAL[5].into(),
                    values,
                }],
                false,
            ));
        }
        if !o.curves.is_empty() {
            let colours = ladder_colours(report.rungs.len());
            let tmax = o
                .curves
                .iter()
                .flat_map(|c| c.steps.iter().map(|s| s.0))
                .fold(1.0, f64::max);
            let curves: Vec<Line> = o
                .curves
                .iter()
                .map(|c| {
                    let r = report.rungs.iter().position(|n| *n == c.group).unwrap_or(0);
                    Line {
                        name: c.group.clone(),
                        colour: if colours.get(r) == Some(&CATCH_ALL) {
                            "#7f7f86".into()
                        } else {
                            colours.get(r).copied().unwrap_or("#000").to_string()
                        },
                        points: c
                            .steps
                            .iter()
                            .map(|s| (s.0, Some(s.1 * 100.0), lang.number(s.0, 0)))
                            .collect(),
                        step: true,
                        dashed: false,
                        marks: true,
                        // Greenwood's 95% interval around each step, shaded.
                        band: c
                            .steps
                            .iter()
                            .map(|s| (s.0, s.2 * 100.0, s.3 * 100.0))
                            .collect(),
                    }
                })
                .collect();
            let ymin = o
                .curves
                .iter()
                .flat_map(|c| c.steps.iter().map(|s| s.2.min(s.1) * 100.0))
                .fold(100.0, f64::min);
            let t_label = move |v: f64| lang.number(v, 0);
            charts.push(lines(
                "survival",
                w.survival_chart,
                &XAxis::Numeric {
                    min: 0.0,
                    max: tmax,
                    label: Box::new(t_label),
                },
                w.survival_x,
                &Axis {
                    title: w.still_employed.into(),
                    min: (ymin - 5.0).max(0.0).floor(),
                    max: 100.0,
                    label: &pct,
                },
                &curves,
            ));
        }
    }
    charts.extend(practice::charts(report, &labels, kind));
    charts
}

/// The last period's most used terms by people, and its rising terms by z (spec §8).
fn themes(lang: Language, t: &model::Themes) -> Vec<Chart> {
    let w = lang.words();
    let period = lang.period(&t.period);
    let mut charts = Vec::new();
    if !t.top.is_empty() {
        let rows: Vec<(String, f64)> = t
            .top
            .iter()
            .map(|r| (r.term.clone(), f64::from(r.people)))
            .collect();
        let max = rows.iter().map(|r| r.1).fold(1.0, f64::max);
        let count = |v: f64| lang.count(v.round() as u64);
        charts.push(kinds::ranked(
            "themes",
            &fill(w.themes_chart, &[&period]),
            &rows,
            &Axis {
                title: w.people.into(),
                min: 0.0,
                max,
                label: &count,
            },
            CATEGORICAL[0],
        ));
    }
    if !t.rising.is_empty() {
        let rows: Vec<(String, f64)> = t
            .rising
            .iter()
            .map(|r| (r.term.clone(), r.z.unwrap_or(0.0)))
            .collect();
        let max = rows.iter().map(|r| r.1).fold(1.0, f64::max);
        let z = |v: f64| lang.number(v, 1);
        charts.push(kinds::ranked(
            "themes_rising",
            &fill(w.themes_rising_chart, &[&period]),
            &rows,
            &Axis {
                title: w.rising_axis.into(),
                min: 0.0,
                max,
                label: &z,
            },
            CATEGORICAL[1],
        ));
    }
    charts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_colours_span_the_palette() {
        let c = ordered_colours(6);
        assert_eq!(c.len(), 6);
        assert_eq!(c[0], "#440154");
        assert_eq!(c[5], "#fde725");
        assert_eq!(ladder_colours(7)[6], "#d9d9d9");
    }

    // One curve of two steps: (0, 100%, band 100–100) and (2, 80%, band 60–95). Its band is
    // one shaded polygon: along the upper bounds (2 corners per step), down at the last step
    // (2), back along the lower bounds (2): 6 corners.
    #[test]
    fn survival_curves_carry_their_confidence_band() {
        let mut report = crate::render::model::sample();
        report.outcomes = Some(crate::render::model::Outcomes {
            curves: vec![crate::render::model::Curve {
                group: report.rungs[0].clone(),
                steps: vec![(0.0, 1.0, 1.0, 1.0), (2.0, 0.8, 0.6, 0.95)],
            }],
            ..Default::default()
        });
        let charts = all(&report);
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
