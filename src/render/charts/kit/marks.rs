//! The elements plotters draws that stand for data: bars, cells and points that write their
//! series, place and value into the SVG (`class="mark"`, `data-*`, a `<title>` tooltip), so a
//! test counts one mark per data point and reads back what it shows; and dashed lines, which
//! plotters would draw as many short segments.

use plotters::element::{Drawable, PointCollection};
use plotters_backend::{BackendColor, BackendCoord};

use super::backend::{Drawn, Svg, HATCH};

/// Rounds for output so that tiny float differences never change the bytes.
pub fn n(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

/// What a mark shows: its series, its place on the category axis and its value (as data), and
/// the value as a reader sees it in the tooltip.
#[derive(Debug, Clone)]
pub struct Data {
    pub series: String,
    pub at: String,
    pub value: String,
    pub said: String,
}

impl Data {
    /// `value` for machines, `said` as the reader's language writes it.
    pub fn new(series: &str, at: &str, value: f64, said: String) -> Data {
        Data {
            series: series.to_string(),
            at: at.to_string(),
            value: n(value),
            said,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Rect,
    Hidden,
    Point,
}

/// A data mark in chart coordinates.
pub struct Mark {
    corners: [(f64, f64); 2],
    shape: Shape,
    colour: String,
    /// Pixels left free on each side, horizontally and vertically (gaps between cells); a
    /// dot's radius.
    inset: (i32, i32),
    data: Data,
}

impl Mark {
    /// A bar or cell from one corner to the other.
    pub fn rect(
        from: (f64, f64),
        to: (f64, f64),
        colour: &str,
        inset: (i32, i32),
        data: Data,
    ) -> Mark {
        Mark {
            corners: [from, to],
            shape: Shape::Rect,
            colour: colour.into(),
            inset,
            data,
        }
    }

    /// A hatched cell whose value is suppressed: `data-value="suppressed"` for machines, the
    /// report language's word (`data.said`) in its tooltip.
    pub fn hidden(from: (f64, f64), to: (f64, f64), inset: (i32, i32), data: Data) -> Mark {
        let data = Data {
            value: "suppressed".into(),
            ..data
        };
        Mark {
            corners: [from, to],
            shape: Shape::Hidden,
            colour: String::new(),
            inset,
            data,
        }
    }

    /// A dot of `radius` pixels for one value of a line or a scatter.
    pub fn point(at: (f64, f64), radius: i32, colour: &str, data: Data) -> Mark {
        let inset = (radius, radius);
        Mark {
            corners: [at, at],
            shape: Shape::Point,
            colour: colour.into(),
            inset,
            data,
        }
    }
}

impl<'a> PointCollection<'a, (f64, f64)> for &'a Mark {
    type Point = &'a (f64, f64);
    type IntoIter = &'a [(f64, f64)];
    fn point_iter(self) -> &'a [(f64, f64)] {
        &self.corners
    }
}

impl Drawable<Svg> for Mark {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        svg: &mut Svg,
        _: (u32, u32),
    ) -> Drawn {
        let (Some(a), Some(b)) = (pos.next(), pos.next()) else {
            return Ok(());
        };
        let d = &self.data;
        let tip = format!("{}: {} {}", d.series, d.at, d.said);
        let data = [d.series.as_str(), d.at.as_str(), d.value.as_str()];
        let (x, y) = (a.0.min(b.0) + self.inset.0, a.1.min(b.1) + self.inset.1);
        let w = ((a.0 - b.0).abs() - 2 * self.inset.0).max(0);
        let h = ((a.1 - b.1).abs() - 2 * self.inset.1).max(0);
        let rect = (
            "rect",
            format!("x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\""),
        );
        let rect = (rect.0, rect.1.as_str());
        match self.shape {
            Shape::Rect => svg.mark(
                rect,
                &format!("fill=\"{}\"", self.colour),
                "mark",
                data,
                &tip,
            ),
            Shape::Hidden => svg.mark(
                rect,
                &format!("fill=\"url(#{HATCH})\""),
                "mark suppressed",
                data,
                &tip,
            ),
            Shape::Point => {
                let dot = format!("cx=\"{}\" cy=\"{}\" r=\"{}\"", a.0, a.1, self.inset.0);
                svg.mark(
                    ("circle", &dot),
                    &format!("fill=\"{}\"", self.colour),
                    "mark",
                    data,
                    &tip,
                )
            }
        }
    }
}

/// A dashed line through points in chart coordinates.
pub struct Dashed {
    pub points: Vec<(f64, f64)>,
    pub colour: BackendColor,
    pub width: u32,
}

impl<'a> PointCollection<'a, (f64, f64)> for &'a Dashed {
    type Point = &'a (f64, f64);
    type IntoIter = &'a [(f64, f64)];
    fn point_iter(self) -> &'a [(f64, f64)] {
        &self.points
    }
}

impl Drawable<Svg> for Dashed {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        pos: I,
        svg: &mut Svg,
        _: (u32, u32),
    ) -> Drawn {
        let path: Vec<BackendCoord> = pos.collect();
        if path.len() < 2 {
            return Ok(());
        }
        svg.dashed(&path, self.colour, self.width)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_rounded_for_output() {
        assert_eq!(n(12.345), "12.35");
        assert_eq!(n(3.0), "3");
        assert_eq!(n(-0.004), "0");
    }
}
