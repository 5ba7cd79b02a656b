//! The ladder chart: 100%-stacked bars of rung shares per period, highest rung on top, so a
//! growing dark band at the top of the bars means people are moving up.

use plotters::prelude::*;

use super::ladder_colours;
use crate::render::model::Report;

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 540;
const LEGEND: u32 = 210;

/// The chart as an SVG document.
pub fn svg(report: &Report) -> Result<String, String> {
    let mut buf = String::new();
    draw(report, &mut buf).map_err(|e| format!("drawing the ladder chart: {e}"))?;
    Ok(buf)
}

fn draw<'a>(report: &Report, buf: &'a mut String) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let root = SVGBackend::with_string(buf, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let (plot, legend) = root.split_horizontally(WIDTH - LEGEND);
    let n = report.periods.len() as u32;
    let labels: Vec<String> = report.periods.iter().map(|p| p.label.clone()).collect();
    let colours = ladder_colours(report.rungs.len());

    let mut chart = ChartBuilder::on(&plot)
        .caption(
            format!(
                "Who does what: the {} ladder per {}",
                report.ladder_name, report.period_kind
            ),
            ("sans-serif", 22).into_font(),
        )
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(60)
        // plotters' integer ranges include their end: 0..n-1 gives one segment per period.
        .build_cartesian_2d((0u32..n.max(1) - 1).into_segmented(), 0f64..100f64)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(labels.len().max(1))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                labels.get(*i as usize).cloned().unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        })
        .y_labels(6)
        .y_label_formatter(&|y| format!("{y:.0}%"))
        .y_desc("Share of headcount (%)")
        .x_desc(report.period_kind.as_str())
        .label_style(("sans-serif", 13).into_font())
        .draw()?;

    let mut bars = Vec::new();
    for (i, period) in report.periods.iter().enumerate() {
        let i = i as u32;
        let mut bottom = 0.0;
        // The catch-all rung sits at the bottom, the highest rung on top.
        for (r, share) in period.rung_shares.iter().enumerate().rev() {
            let Some(share) = share else { continue };
            let top = bottom + share * 100.0;
            if top > bottom {
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), bottom),
                        (SegmentValue::Exact(i + 1), top),
                    ],
                    colours[r].filled(),
                );
                bar.set_margin(0, 0, 6, 6);
                bars.push(bar);
            }
            bottom = top;
        }
    }
    chart.draw_series(bars)?;

    for (r, name) in report.rungs.iter().enumerate() {
        let y = 70 + 26 * r as i32;
        legend.draw(&Rectangle::new([(8, y), (24, y + 16)], colours[r].filled()))?;
        legend.draw(&Text::new(
            name.clone(),
            (32, y + 2),
            ("sans-serif", 15).into_font(),
        ))?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::model::{PeriodRow, Population, Report};

    fn report() -> Report {
        Report {
            engage_version: "0".into(),
            pipeline: "t".into(),
            period_kind: "month".into(),
            timezone: "UTC".into(),
            as_of: None,
            population: Population::Roster,
            ladder_name: "forrester".into(),
            rungs: vec!["Top".into(), "Rest".into()],
            periods: vec![
                PeriodRow {
                    label: "2025-01".into(),
                    headcount: 4,
                    active: 1,
                    participation_rate: Some(0.25),
                    rung_people: vec![1, 3],
                    rung_shares: vec![Some(0.25), Some(0.75)],
                },
                PeriodRow {
                    label: "2025-02".into(),
                    headcount: 2,
                    active: 0,
                    participation_rate: Some(0.0),
                    rung_people: vec![0, 2],
                    rung_shares: vec![Some(0.0), Some(1.0)],
                },
            ],
            inputs: vec![],
            source_notes: vec![],
            unresolved_accounts: None,
            latest: Vec::new(),
            metric_notes: Vec::new(),
            outcomes: None,
        }
    }

    #[test]
    fn one_bar_segment_per_non_empty_share_and_a_label_per_period() {
        let svg = svg(&report()).unwrap();
        // Segments: 2025-01 has two, 2025-02 one (the zero share draws nothing); plus the
        // background, two legend swatches.
        let rects = svg.matches("<rect").count();
        assert_eq!(rects, 1 + 3 + 2, "{svg}");
        // Each period label once, and no label for a segment beyond the last period.
        assert_eq!(svg.matches("\n2025-01\n").count(), 1, "{svg}");
        assert_eq!(svg.matches("\n2025-02\n").count(), 1, "{svg}");
        assert_eq!(svg.matches(">\n\n</text>").count(), 0, "{svg}");
        // The top rung's colour: one bar (2025-01) and its legend swatch.
        assert_eq!(svg.matches("fill=\"#440154\"").count(), 2, "{svg}");
    }
}
