//! Bars per category: stacked (negative values stack downward from zero) or side by side, one
//! mark per bar segment.

use plotters::element::PathElement;
use plotters::style::Color;

use super::chart::Drawing;
use super::frame::{draw, Axis, Frame, Scale};
use super::marks::{Data, Mark};
use super::palette::{rgb, INK};

/// A set of bars with one value per category.
pub struct Bars {
    pub name: String,
    pub colour: String,
    pub values: Vec<Option<f64>>,
}

/// The share of a category's width left between bars: a fifth, at most 28 pixels.
fn gap(band_pixels: f64) -> f64 {
    (28.0 / band_pixels.max(1.0)).min(0.2)
}

/// A bar segment: its corners, its value and its category.
type Segment = ((f64, f64), (f64, f64), f64, usize);

/// Each series' segments, stacked in series order (the first
/// at the bottom) or side by side.
fn segments(series: &[Bars], n: usize, stacked: bool, gap: f64) -> Vec<Vec<Segment>> {
    let mut out = vec![Vec::new(); series.len()];
    let width = (1.0 - gap)
        / if stacked {
            1.0
        } else {
            series.len().max(1) as f64
        };
    for i in 0..n {
        let (mut up, mut down) = (0.0, 0.0);
        for (s, bars) in series.iter().enumerate() {
            let Some(v) = bars.values.get(i).copied().flatten() else {
                continue;
            };
            let left = i as f64 - 0.5 + gap / 2.0 + if stacked { 0.0 } else { width * s as f64 };
            let (from, to) = match (stacked, v >= 0.0) {
                (false, _) => (0.0, v),
                (true, true) => (up, up + v),
                (true, false) => (down, down + v),
            };
            (up, down) = if !stacked {
                (up, down)
            } else if v >= 0.0 {
                (to, down)
            } else {
                (up, to)
            };
            out[s].push(((left, from), (left + width, to), v, i));
        }
    }
    out
}

/// Bars per category, stacked or side by side; the legend lists the top of a stack first.
pub fn bars(
    name: &str,
    title: &str,
    categories: &[String],
    x_title: &str,
    y: &Axis,
    series: &[Bars],
    stacked: bool,
) -> Drawing {
    let legend: Vec<(String, String)> = match series.len() {
        0 | 1 => Vec::new(),
        _ => series
            .iter()
            .rev()
            .map(|b| (b.name.clone(), b.colour.clone()))
            .collect(),
    };
    let ys = Scale::value(y);
    let room = Frame::plot_width(&legend, ys.room());
    let xs = Scale::categories(categories, x_title, room);
    let frame = Frame {
        legend,
        ..Frame::new(xs, ys)
    };
    let n = categories.len();
    let drawn = segments(series, n, stacked, gap(room / n.max(1) as f64));
    let below_zero = y.min < 0.0;
    draw(name, title, frame, |plot| {
        let mut marks = 0;
        for (bars, segments) in series.iter().zip(&drawn) {
            let rects = segments.iter().map(|(a, b, v, i)| {
                let at = categories.get(*i).map_or("", String::as_str);
                Mark::rect(
                    *a,
                    *b,
                    &bars.colour,
                    (0, 0),
                    Data::new(&bars.name, at, *v, (y.tip)(*v)),
                )
            });
            marks += segments.len();
            plot.draw_series(rects)?;
        }
        if below_zero {
            let zero = vec![(-0.5, 0.0), (n as f64 - 0.5, 0.0)];
            plot.draw_series([PathElement::new(zero, rgb(INK).stroke_width(2))])?;
        }
        Ok(marks)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: [Vec<Option<f64>>; 2]) -> Vec<Bars> {
        let [a, b] = values;
        vec![
            Bars {
                name: "one".into(),
                colour: "#000000".into(),
                values: a,
            },
            Bars {
                name: "two".into(),
                colour: "#111111".into(),
                values: b,
            },
        ]
    }

    // Category 0 stacks 10 then 5 (0–10, 10–15); category 1 has only "two" (0–2); in
    // category 2 "one" is 30 above zero and "two" −3 below it (0–30, 0 to −3).
    #[test]
    fn stacks_grow_up_and_down_from_zero() {
        let s = series([
            vec![Some(10.0), None, Some(30.0)],
            vec![Some(5.0), Some(2.0), Some(-3.0)],
        ]);
        let drawn = segments(&s, 3, true, 0.2);
        let spans = |k: usize| {
            drawn[k]
                .iter()
                .map(|(a, b, _, i)| (*i, a.1, b.1))
                .collect::<Vec<_>>()
        };
        assert_eq!(spans(0), vec![(0, 0.0, 10.0), (2, 0.0, 30.0)]);
        assert_eq!(
            spans(1),
            vec![(0, 10.0, 15.0), (1, 0.0, 2.0), (2, 0.0, -3.0)]
        );
        // Side by side: each bar 0.4 wide, the second starting where the first ends.
        let side = segments(&s, 3, false, 0.2);
        assert_eq!((side[0][0].0 .0, side[1][0].0 .0), (-0.4, 0.0));
    }

    #[test]
    fn every_value_is_one_mark() {
        let pct = |v: f64| format!("{v:.0}%");
        let y = Axis {
            title: "Share (%)".into(),
            min: 0.0,
            max: 100.0,
            label: &pct,
            tip: &pct,
        };
        let s = series([
            vec![Some(10.0), None, Some(30.0)],
            vec![Some(5.0), Some(0.0), Some(1.0)],
        ]);
        let cats: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let chart = bars("b", "Bars", &cats, "period", &y, &s, true).unwrap();
        assert_eq!(chart.marks, 5);
        assert_eq!(chart.svg.matches("class=\"mark\"").count(), 5);
    }
}
