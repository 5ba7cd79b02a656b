//! The frame every chart is drawn in, with plotters: the canvas and its title, a Cartesian
//! coordinate system, axes with their ticks, labels and titles, the grid, and the legend. Both
//! axes are numbers ([`Span`]) with their labelled points chosen here: a value axis takes the
//! points plotters picks for its range, a category axis (periods, rungs, departments) one point
//! per category at 0, 1, 2 … with the labels thinned so that they never overlap.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use plotters::chart::{ChartBuilder, ChartContext, SeriesLabelPosition};
use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, DrawingAreaErrorKind, IntoDrawingArea};
use plotters::element::{Rectangle, Text};
use plotters::prelude::Cartesian2d;
use plotters::style::{Color, FontStyle, IntoFont, TextStyle, TRANSPARENT, WHITE};

use super::backend::{text_width, Svg, WIDTH};
use super::chart::Chart;
use super::palette::{rgb, GRID, INK, MUTED};

/// One axis's coordinates for plotters: a linear span of numbers and the points labelled on it
/// (plotters' own float axis chooses its points itself and formats them its way).
#[derive(Debug, Clone)]
pub struct Span {
    range: (f64, f64),
    ticks: Vec<f64>,
}

impl Ranged for Span {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, (from, to): (i32, i32)) -> i32 {
        let (lo, hi) = self.range;
        let share = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        (f64::from(from) + share * f64::from(to - from)).round() as i32
    }

    /// The labelled points; no lighter grid between them.
    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.0..self.range.1
    }
}

/// The coordinates of every chart: numbers on both axes.
pub type Coords = Cartesian2d<Span, Span>;
/// A chart being drawn.
pub type Plot<'a> = ChartContext<'a, Svg, Coords>;
/// What drawing on a plot returns.
pub type Drawn<T = ()> = Result<T, DrawingAreaErrorKind<fmt::Error>>;

/// Text sizes in pixels of the 1600-pixel canvas (half that in the SVG's 800 units).
pub const TITLE: u32 = 34;
pub const LABEL: u32 = 22;
pub const AXIS_TITLE: u32 = 24;

/// Text in one of the charts' colours.
pub fn font(size: u32, colour: &str) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&rgb(colour))
}

/// Bold text, for titles.
fn bold(size: u32, colour: &str) -> TextStyle<'static> {
    ("sans-serif", size, FontStyle::Bold)
        .into_font()
        .color(&rgb(colour))
}

/// A value axis as a chart asks for it: the values to cover and how to label them.
pub struct Axis<'a> {
    pub title: String,
    /// Lowest and highest value to cover (the axis rounds them outward to its ticks).
    pub min: f64,
    pub max: f64,
    /// Tick labels.
    pub label: &'a dyn Fn(f64) -> String,
    /// A value as a mark's tooltip says it (in the report's language, more precise than a
    /// tick).
    pub tip: &'a dyn Fn(f64) -> String,
}

/// Most labelled points on a value axis.
const TICKS: usize = 8;

/// The smallest k such that every k-th label, centred on its category `band` pixels wide,
/// keeps clear of the next one shown.
fn spacing(labels: &[String], band: f64) -> usize {
    let widths: Vec<f64> = labels
        .iter()
        .map(|l| text_width(l, f64::from(LABEL)))
        .collect();
    let clear = |k: usize| {
        let shown: Vec<f64> = widths.iter().step_by(k).copied().collect();
        shown
            .windows(2)
            .all(|w| (w[0] + w[1]) / 2.0 + 16.0 <= band * k as f64)
    };
    (1..labels.len().max(1))
        .find(|k| clear(*k))
        .unwrap_or(labels.len().max(1))
}

/// One axis of the frame: its range, the points that get a label, and its title.
pub struct Scale<'a> {
    range: (f64, f64),
    ticks: Vec<f64>,
    label: Box<dyn Fn(f64) -> String + 'a>,
    title: String,
    /// Grid lines at the ticks: value axes have them, category axes not.
    grid: bool,
}

impl<'a> Scale<'a> {
    /// A value axis over `axis`'s values, widened to the nearest of the ticks plotters picks.
    pub fn value(axis: &Axis<'a>) -> Scale<'a> {
        let (lo, hi) = (axis.min, axis.max.max(axis.min + 1e-9));
        let picked = RangedCoordf64::from(lo..hi).key_points(TICKS);
        let step = match picked.as_slice() {
            [a, b, ..] => b - a,
            _ => hi - lo,
        };
        let (lo, hi) = ((lo / step).floor() * step, (hi / step - 1e-9).ceil() * step);
        let ticks = RangedCoordf64::from(lo..hi + step * 1e-6).key_points(TICKS);
        let label = axis.label;
        Scale {
            range: (lo, hi),
            ticks,
            label: Box::new(label),
            title: axis.title.clone(),
            grid: true,
        }
    }

    /// Categories at 0, 1, 2 …, each labelled; every k-th label only when neighbours would
    /// not fit side by side in `room` pixels.
    pub fn categories(labels: &'a [String], title: &str, room: f64) -> Scale<'a> {
        let k = labels.len().max(1);
        let every = spacing(labels, room / k as f64);
        Scale {
            range: (-0.5, k as f64 - 0.5),
            ticks: (0..k).step_by(every).map(|i| i as f64).collect(),
            label: Box::new(move |v| labels.get(v.round() as usize).cloned().unwrap_or_default()),
            title: title.to_string(),
            grid: false,
        }
    }

    /// Rows from the top down: row i sits at `n - 1 - i`, so the first is at the top.
    pub fn rows(labels: &'a [String], title: &str) -> Scale<'a> {
        let k = labels.len();
        let at = move |v: f64| k.checked_sub(1 + v.round().max(0.0) as usize);
        Scale {
            range: (-0.5, k.max(1) as f64 - 0.5),
            ticks: (0..k).map(|i| i as f64).collect(),
            label: Box::new(move |v| {
                at(v)
                    .and_then(|i| labels.get(i))
                    .cloned()
                    .unwrap_or_default()
            }),
            title: title.to_string(),
            grid: false,
        }
    }

    /// Where row `i` of `n` sits on a [`Scale::rows`] axis.
    pub fn row(i: usize, n: usize) -> f64 {
        (n - 1 - i) as f64
    }

    /// The pixels the axis's labels and title take beside a vertical axis.
    pub fn room(&self) -> u32 {
        let widest = self
            .ticks
            .iter()
            .map(|t| text_width(&(self.label)(*t), f64::from(LABEL)));
        let title = if self.title.is_empty() { 0.0 } else { 44.0 };
        (widest.fold(0.0, f64::max) + 24.0 + title).clamp(80.0, 480.0) as u32
    }

    fn coord(&self) -> Span {
        Span {
            range: self.range,
            ticks: self.ticks.clone(),
        }
    }
}

/// A chart's frame: its axes and what else it shows.
pub struct Frame<'a> {
    pub x: Scale<'a>,
    pub y: Scale<'a>,
    /// The legend right of the plot: each entry's name and colour, top first (none: no legend).
    pub legend: Vec<(String, String)>,
    /// Category labels above the plot (heatmaps) instead of below.
    pub x_on_top: bool,
    /// Defines the hatching of suppressed cells.
    pub hatched: bool,
    /// A line of text under the title (a correlation) or under the plot (what hatching means).
    pub note: Option<(Place, String)>,
}

/// Where a frame's note goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Place {
    UnderTitle,
    Foot,
}

impl<'a> Frame<'a> {
    pub fn new(x: Scale<'a>, y: Scale<'a>) -> Frame<'a> {
        Frame {
            x,
            y,
            legend: Vec::new(),
            x_on_top: false,
            hatched: false,
            note: None,
        }
    }

    /// The plot's width in pixels, for laying out category labels before it is built.
    pub fn plot_width(legend: &[(String, String)], y_room: u32) -> f64 {
        let right = legend_width(legend) + right_margin(legend);
        f64::from(WIDTH - LEFT_MARGIN - y_room - right)
    }
}

/// Pixels left of the y axis's labels.
const LEFT_MARGIN: u32 = 16;

/// Pixels right of the plot: a wide margin at the canvas edge, a narrow one before a legend.
fn right_margin(legend: &[(String, String)]) -> u32 {
    if legend.is_empty() {
        40
    } else {
        16
    }
}

/// The room a legend takes right of the plot: its longest name, a swatch and margins; none
/// without a legend.
fn legend_width(entries: &[(String, String)]) -> u32 {
    if entries.is_empty() {
        return 0;
    }
    let longest = entries
        .iter()
        .map(|e| text_width(&e.0, f64::from(AXIS_TITLE)));
    (longest.fold(0.0, f64::max) + 72.0).clamp(160.0, 600.0) as u32
}

/// Draws a chart: the frame, then `body` on its plot (returning how many marks it drew), then
/// the legend.
pub fn draw(
    name: &str,
    title: &str,
    frame: Frame,
    body: impl FnOnce(&mut Plot) -> Drawn<usize>,
) -> Result<Chart, super::chart::ChartError> {
    let out = Rc::new(RefCell::new(String::new()));
    let marks = paint(out.clone(), title, frame, body).map_err(|e| super::chart::ChartError {
        chart: name.to_string(),
        detail: e.to_string(),
    })?;
    let mut out = out.take();
    out.push_str("</svg>\n");
    Ok(Chart {
        name: name.into(),
        title: title.into(),
        svg: out,
        marks,
    })
}

fn paint(
    out: Rc<RefCell<String>>,
    title: &str,
    frame: Frame,
    body: impl FnOnce(&mut Plot) -> Drawn<usize>,
) -> Drawn<usize> {
    let hatched = frame.hatched;
    let root = Svg::new(out, title, hatched).into_drawing_area();
    root.fill(&WHITE)?;
    root.draw(&Text::new(title, (32, 26), bold(TITLE, INK)))?;
    let (main, side) = root.split_horizontally(WIDTH - legend_width(&frame.legend));
    let mut plot = build(&main, &frame)?;
    axes(&mut plot, &frame)?;
    let marks = body(&mut plot)?;
    if !frame.legend.is_empty() {
        legend(&side, &frame.legend)?;
    }
    if let Some((place, note)) = &frame.note {
        let at = match place {
            Place::UnderTitle => (32, 70),
            Place::Foot => (32, 860),
        };
        root.draw(&Text::new(note.as_str(), at, font(LABEL, MUTED)))?;
    }
    root.present()?;
    Ok(marks)
}

fn build<'a>(root: &'a DrawingArea<Svg, Shift>, frame: &Frame) -> Drawn<Plot<'a>> {
    // Room for the title above, and for the category labels and axis title above or below.
    let (top, labels_above, labels_below) = match frame.x_on_top {
        true => (72, 96, 0),
        false => (104, 0, 96),
    };
    let mut builder = ChartBuilder::on(root);
    builder
        .margin_top(top)
        .margin_bottom(if frame.note.as_ref().is_some_and(|n| n.0 == Place::Foot) {
            72
        } else {
            24
        })
        .margin_left(LEFT_MARGIN)
        .margin_right(right_margin(&frame.legend))
        .top_x_label_area_size(labels_above)
        .x_label_area_size(labels_below)
        .y_label_area_size(frame.y.room());
    builder.build_cartesian_2d(frame.x.coord(), frame.y.coord())
}

fn axes(plot: &mut Plot, frame: &Frame) -> Drawn {
    let (x, y) = (&frame.x, &frame.y);
    let (xl, yl) = (|v: &f64| (x.label)(*v), |v: &f64| (y.label)(*v));
    let mut mesh = plot.configure_mesh();
    mesh.x_label_formatter(&xl)
        .y_label_formatter(&yl)
        .label_style(font(LABEL, MUTED))
        .axis_desc_style(font(AXIS_TITLE, MUTED))
        .bold_line_style(rgb(GRID).stroke_width(2))
        .light_line_style(TRANSPARENT)
        .axis_style(rgb(MUTED).stroke_width(2))
        .set_all_tick_mark_size(8);
    if !x.title.is_empty() {
        mesh.x_desc(x.title.as_str());
    }
    if !y.title.is_empty() {
        mesh.y_desc(y.title.as_str());
    }
    if !x.grid {
        mesh.disable_x_mesh();
    }
    if !y.grid {
        mesh.disable_y_mesh();
    }
    mesh.draw()
}

/// plotters' series labels, in a chart of their own right of the plot (a chart's labels are
/// kept inside its plotting area, where they would cover the data).
fn legend(side: &DrawingArea<Svg, Shift>, entries: &[(String, String)]) -> Drawn {
    let none = Span {
        range: (0.0, 1.0),
        ticks: Vec::new(),
    };
    let mut key = ChartBuilder::on(side)
        .margin_top(104)
        .build_cartesian_2d(none.clone(), none)?;
    for (name, colour) in entries {
        let colour = rgb(colour);
        key.draw_series(std::iter::empty::<Text<(f64, f64), &str>>())?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 10), (x + 24, y + 10)], colour.filled()));
    }
    key.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(font(AXIS_TITLE, INK))
        .legend_area_size(36)
        .margin(4)
        .background_style(WHITE)
        .border_style(TRANSPARENT)
        .draw()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticks(min: f64, max: f64) -> ((f64, f64), Vec<f64>) {
        let label = |v: f64| v.to_string();
        let s = Scale::value(&Axis {
            title: String::new(),
            min,
            max,
            label: &label,
            tip: &label,
        });
        (s.range, s.ticks)
    }

    // plotters picks steps of 1, 2 or 5 times a power of ten, at most eight points: 0–100 in
    // twenties; 0–12 in twos; 0–14.3 in twos, the top rounded up to 16; −100–400 in hundreds.
    #[test]
    fn value_axes_end_on_a_tick() {
        assert_eq!(
            ticks(0.0, 100.0),
            ((0.0, 100.0), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0])
        );
        assert_eq!(
            ticks(0.0, 12.0).1,
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
        );
        assert_eq!(ticks(0.0, 14.3).0, (0.0, 16.0));
        assert_eq!(ticks(-92.0, 381.0).0, (-100.0, 400.0));
    }

    // "aaaa" is 4 × 0.6 × 22 = 52.8 px wide; two side by side need 52.8 + 16 = 68.8 px between
    // centres: categories 70 px apart show every label, 60 px apart every other one.
    #[test]
    fn category_labels_thin_out_until_they_keep_clear() {
        let labels: Vec<String> = vec!["aaaa".into(); 4];
        assert_eq!(spacing(&labels, 70.0), 1);
        assert_eq!(spacing(&labels, 60.0), 2);
        assert_eq!(spacing(&labels, 30.0), 3);
    }
}
