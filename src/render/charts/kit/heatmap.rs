//! A grid of cells coloured by value, rows from the top down and columns labelled above; a
//! suppressed cell is hatched and says so, an empty one is left blank.

use plotters::element::Text;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::backend::HEIGHT;
use super::chart::Drawing;
use super::frame::{draw, font, Drawn, Frame, Place, Plot, Scale};
use super::marks::{Data, Mark};
use super::palette::{BLUES, INK};

/// The cells' data.
pub struct Heat<'a> {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// `values[row][column]`: None is an empty cell (no data) unless suppressed.
    pub values: Vec<Vec<Option<f64>>>,
    pub suppressed: Vec<Vec<bool>>,
    pub row_title: String,
    pub column_title: String,
    pub max: f64,
    pub label: &'a dyn Fn(f64) -> String,
    /// Shown under the grid (e.g. what hatching means).
    pub note: String,
    /// The tooltip word of a suppressed cell, in the report's language.
    pub hidden: &'a str,
}

/// The step of [`BLUES`] for `v`.
fn shade(v: f64, max: f64) -> usize {
    let share = if max > 0.0 {
        (v / max).clamp(0.0, 1.0)
    } else {
        0.0
    };
    ((share * (BLUES.len() - 1) as f64).round() as usize).min(BLUES.len() - 1)
}

pub fn heatmap(name: &str, title: &str, heat: &Heat) -> Drawing {
    let ys = Scale::rows(&heat.rows, &heat.row_title);
    let room = Frame::plot_width(&[], ys.room());
    let xs = Scale::categories(&heat.columns, &heat.column_title, room);
    let note = (!heat.note.is_empty()).then(|| (Place::Foot, heat.note.clone()));
    let frame = Frame {
        x_on_top: true,
        hatched: true,
        note,
        ..Frame::new(xs, ys)
    };
    // Values are written in cells wide and tall enough for them.
    let cell = (
        room / heat.columns.len().max(1) as f64,
        f64::from(HEIGHT - 220) / heat.rows.len().max(1) as f64,
    );
    let text = cell.0 >= 68.0 && cell.1 >= 28.0;
    draw(name, title, frame, |plot| {
        let mut marks = 0;
        for i in 0..heat.rows.len() {
            for j in 0..heat.columns.len() {
                marks += usize::from(draw_cell(plot, heat, (i, j), text)?);
            }
        }
        Ok(marks)
    })
}

/// Cell `(i, j)`: hatched when suppressed, coloured by its value (written in it when `text`),
/// nothing when empty; whether it drew a mark.
fn draw_cell(plot: &mut Plot, heat: &Heat, (i, j): (usize, usize), text: bool) -> Drawn<bool> {
    let (x, y) = (j as f64, Scale::row(i, heat.rows.len()));
    let corners = ((x - 0.5, y - 0.5), (x + 0.5, y + 0.5));
    let hidden = heat
        .suppressed
        .get(i)
        .and_then(|s| s.get(j))
        .copied()
        .unwrap_or(false);
    let value = heat.values.get(i).and_then(|v| v.get(j)).copied().flatten();
    let (row, column) = (&heat.rows[i], &heat.columns[j]);
    match (hidden, value) {
        (true, _) => {
            let data = Data {
                said: heat.hidden.to_string(),
                ..Data::new(row, column, 0.0, String::new())
            };
            plot.draw_series([Mark::hidden(corners.0, corners.1, (2, 2), data)])?;
        }
        (false, Some(v)) => {
            let k = shade(v, heat.max);
            plot.draw_series([Mark::rect(
                corners.0,
                corners.1,
                BLUES[k],
                (2, 2),
                Data::new(row, column, v, (heat.label)(v)),
            )])?;
            if text {
                let ink = if k >= 4 { "#ffffff" } else { INK };
                let style = font(20, ink).pos(Pos::new(HPos::Center, VPos::Center));
                plot.draw_series([Text::new((heat.label)(v), (x, y), style)])?;
            }
        }
        (false, None) => return Ok(false),
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Seven blues: 0 of 10 is the lightest, 10 of 10 the darkest, 5 of 10 the middle (3).
    #[test]
    fn cells_are_shaded_by_their_share_of_the_largest() {
        assert_eq!(
            (shade(0.0, 10.0), shade(10.0, 10.0), shade(5.0, 10.0)),
            (0, 6, 3)
        );
        assert_eq!(shade(3.0, 0.0), 0);
    }

    #[test]
    fn suppressed_cells_are_hatched_marks() {
        let label = |v: f64| format!("{v}");
        let heat = Heat {
            rows: vec!["r1".into(), "r2".into()],
            columns: vec!["c1".into()],
            values: vec![vec![Some(3.0)], vec![None]],
            suppressed: vec![vec![false], vec![true]],
            row_title: "rows".into(),
            column_title: "columns".into(),
            max: 3.0,
            label: &label,
            note: "hatched: fewer than 5".into(),
            hidden: "suppressed",
        };
        let chart = heatmap("h", "Heat", &heat).unwrap();
        assert_eq!(chart.marks, 2);
        assert_eq!(chart.svg.matches("class=\"mark suppressed\"").count(), 1);
        assert!(chart.svg.contains("fill=\"url(#suppressed)\""));
        assert!(chart.svg.contains("<pattern id=\"suppressed\""));
    }
}
