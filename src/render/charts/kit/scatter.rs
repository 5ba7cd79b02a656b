//! Points on two value axes, one mark per team, with a note under the title.

use super::chart::Drawing;
use super::frame::{draw, Axis, Frame, Place, Scale};
use super::marks::{Data, Mark};
use super::palette::CATEGORICAL;

pub fn scatter(
    name: &str,
    title: &str,
    points: &[(f64, f64)],
    x: &Axis,
    y: &Axis,
    note: &str,
) -> Drawing {
    let note = (!note.is_empty()).then(|| (Place::UnderTitle, note.to_string()));
    let frame = Frame {
        note,
        ..Frame::new(Scale::value(x), Scale::value(y))
    };
    draw(name, title, frame, |plot| {
        let marks = points.iter().map(|(px, py)| {
            Mark::point(
                (*px, *py),
                9,
                CATEGORICAL[0],
                Data::new("team", &(x.tip)(*px), *py, (y.tip)(*py)),
            )
        });
        plot.draw_series(marks)?;
        Ok(points.len())
    })
}
