//! Line charts over periods or over numbers: solid or dashed lines that break at a missing
//! value, step shapes (survival curves), shaded bands (confidence intervals, campaigns) and a
//! mark per value.

use plotters::element::{PathElement, Polygon};
use plotters::style::Color;

use super::chart::Drawing;
use super::frame::{draw, Axis, Drawn, Frame, Plot, Scale};
use super::marks::{Dashed, Data, Mark};
use super::palette::rgb;

/// A line over categories (periods) or numbers.
pub struct Line {
    pub name: String,
    pub colour: String,
    /// `(x position, value, x label for the mark)`; a missing value breaks the line.
    pub points: Vec<(f64, Option<f64>, String)>,
    /// Draw as steps (a survival curve).
    pub step: bool,
    pub dashed: bool,
    /// Draw a mark per point that has an x label (reference lines have none).
    pub marks: bool,
    /// `(x, low, high)`: a shaded band around the line.
    pub band: Vec<(f64, f64, f64)>,
}

impl Line {
    /// A solid line over the periods with a mark per value: `values` in period order (a
    /// missing one breaks the line), `labels` the periods' labels.
    pub fn over_periods(
        name: &str,
        colour: &str,
        values: impl Iterator<Item = Option<f64>>,
        labels: &[String],
    ) -> Line {
        let points = values
            .zip(labels)
            .enumerate()
            .map(|(i, (v, label))| (i as f64, v, label.clone()))
            .collect();
        Line::plain(name, colour, points)
    }

    /// A solid line through `points` with a mark per value.
    pub fn plain(name: &str, colour: &str, points: Vec<(f64, Option<f64>, String)>) -> Line {
        let (name, colour) = (name.to_string(), colour.to_string());
        Line {
            name,
            colour,
            points,
            step: false,
            dashed: false,
            marks: true,
            band: Vec::new(),
        }
    }

    /// A dashed reference line through `points`, without marks.
    pub fn reference(name: &str, colour: &str, points: &[(f64, f64)]) -> Line {
        let points = points
            .iter()
            .map(|(x, y)| (*x, Some(*y), String::new()))
            .collect();
        Line {
            dashed: true,
            marks: false,
            ..Line::plain(name, colour, points)
        }
    }
}

/// The horizontal axis of a line chart: categories (x = index) or a numeric range.
pub enum XAxis {
    Categories(Vec<String>),
    Numeric {
        min: f64,
        max: f64,
        label: Box<dyn Fn(f64) -> String>,
    },
}

/// A line chart, with a legend on the right when more than one series has a name.
pub fn lines(
    name: &str,
    title: &str,
    x: &XAxis,
    x_title: &str,
    y: &Axis,
    series: &[Line],
) -> Drawing {
    let named = series.iter().filter(|l| !l.name.is_empty());
    let mut legend: Vec<(String, String)> =
        named.map(|l| (l.name.clone(), l.colour.clone())).collect();
    if legend.len() < 2 {
        legend.clear();
    }
    let ys = Scale::value(y);
    let xs = match x {
        XAxis::Categories(labels) => {
            Scale::categories(labels, x_title, Frame::plot_width(&legend, ys.room()))
        }
        XAxis::Numeric { min, max, label } => Scale::value(&Axis {
            title: x_title.to_string(),
            min: *min,
            max: *max,
            label: label.as_ref(),
            tip: label.as_ref(),
        }),
    };
    let frame = Frame {
        legend,
        ..Frame::new(xs, ys)
    };
    draw(name, title, frame, |plot| {
        let mut marks = 0;
        for l in series {
            marks += line(plot, l, y.tip)?;
        }
        Ok(marks)
    })
}

/// One series: its band, its segments between missing values and its marks (their tooltips
/// say the value by `tip`).
fn line(plot: &mut Plot, l: &Line, tip: &dyn Fn(f64) -> String) -> Drawn<usize> {
    let colour = rgb(&l.colour);
    if !l.band.is_empty() {
        plot.draw_series([Polygon::new(band(&l.band), colour.mix(0.15).filled())])?;
    }
    for run in l.points.split(|p| p.1.is_none()).filter(|r| r.len() > 1) {
        let mut path: Vec<(f64, f64)> = Vec::new();
        for (x, v, _) in run {
            let v = v.unwrap_or_default();
            if let (true, Some(prev)) = (l.step, path.last().copied()) {
                path.push((*x, prev.1));
            }
            path.push((*x, v));
        }
        if l.dashed {
            plot.draw_series([Dashed {
                points: path,
                colour: colour.to_backend_color(),
                width: 4,
            }])?;
        } else {
            plot.draw_series([PathElement::new(path, colour.stroke_width(4))])?;
        }
    }
    let marks: Vec<Mark> = if !l.marks {
        Vec::new()
    } else {
        l.points
            .iter()
            .filter(|(_, _, at)| !at.is_empty())
            .filter_map(|(x, v, at)| {
                Some(Mark::point(
                    (*x, (*v)?),
                    7,
                    &l.colour,
                    Data::new(&l.name, at, (*v)?, tip((*v)?)),
                ))
            })
            .collect()
    };
    let count = marks.len();
    plot.draw_series(marks)?;
    Ok(count)
}

/// The outline of a stepped band: along the upper bounds, down at the last step, back along
/// the lower bounds.
fn band(b: &[(f64, f64, f64)]) -> Vec<(f64, f64)> {
    let mut poly: Vec<(f64, f64)> = Vec::new();
    for w in b.windows(2) {
        poly.extend([(w[0].0, w[0].2), (w[1].0, w[0].2)]);
    }
    if let Some(last) = b.last() {
        poly.extend([(last.0, last.2), (last.0, last.1)]);
    }
    for w in b.windows(2).rev() {
        poly.extend([(w[1].0, w[0].1), (w[0].0, w[0].1)]);
    }
    poly
}

#[cfg(test)]
mod tests {
    use super::*;

    // Two steps, (0: 100 to 100) and (2: 60 to 95): along the first step's high (0,100)
    // (2,100), down the last step (2,95) (2,60), back along the first step's low (2,100)
    // (0,100). Six corners.
    #[test]
    fn a_band_follows_its_steps() {
        let b = band(&[(0.0, 100.0, 100.0), (2.0, 60.0, 95.0)]);
        assert_eq!(
            b,
            vec![
                (0.0, 100.0),
                (2.0, 100.0),
                (2.0, 95.0),
                (2.0, 60.0),
                (2.0, 100.0),
                (0.0, 100.0)
            ]
        );
    }

    #[test]
    fn every_value_is_one_mark_and_a_gap_breaks_the_line() {
        let label = |v: f64| format!("{v}");
        let y = Axis {
            title: "x".into(),
            min: 0.0,
            max: 1.0,
            label: &label,
            tip: &label,
        };
        let values = [Some(0.5), None, Some(0.7), Some(0.9)].into_iter();
        let labels: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let series = [Line::over_periods("s", "#000000", values, &labels)];
        let chart = lines(
            "l",
            "Lines",
            &XAxis::Categories(labels.clone()),
            "period",
            &y,
            &series,
        )
        .unwrap();
        assert_eq!(chart.marks, 3);
        assert_eq!(chart.svg.matches("<circle class=\"mark\"").count(), 3);
        // One segment, c to d: a lone value before the gap has no line.
        let segments = chart
            .svg
            .lines()
            .filter(|l| l.contains("stroke=\"#000000\" stroke-width=\"4\""));
        assert_eq!(segments.count(), 1);
        assert!(chart.svg.contains("<title>Lines</title>"));
    }
}
