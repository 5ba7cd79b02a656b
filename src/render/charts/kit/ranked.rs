//! Horizontal bars, one per labelled value, first at the top: a ranking (terms by people, terms
//! by rising score). Every bar is a mark named by its whole label.

use super::chart::Drawing;
use super::frame::{draw, Axis, Frame, Scale};
use super::marks::{Data, Mark};
use crate::render::text::cut;

/// Longest label a ranking shows whole; longer ones end in an ellipsis.
const LABEL: usize = 28;

/// The ranking of `rows` on an axis from zero past the largest value, titled and labelled by
/// `axis`.
pub fn ranked(
    name: &str,
    title: &str,
    rows: &[(String, f64)],
    axis: (&str, &dyn Fn(f64) -> String),
    colour: &str,
) -> Drawing {
    let labels: Vec<String> = rows.iter().map(|r| cut(&r.0, LABEL)).collect();
    let max = rows.iter().map(|r| r.1).fold(1.0, f64::max);
    let x = Axis {
        title: axis.0.to_string(),
        min: 0.0,
        max,
        label: axis.1,
        tip: axis.1,
    };
    let frame = Frame::new(Scale::value(&x), Scale::rows(&labels, ""));
    draw(name, title, frame, |plot| {
        let bars = rows.iter().enumerate().map(|(i, (label, value))| {
            let y = Scale::row(i, rows.len());
            let data = Data::new(&x.title, label, *value, (x.tip)(*value));
            Mark::rect((0.0, y - 0.35), (*value, y + 0.35), colour, (0, 0), data)
        });
        plot.draw_series(bars)?;
        Ok(rows.len())
    })
}
