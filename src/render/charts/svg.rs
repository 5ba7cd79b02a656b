//! A small SVG kit for the report's charts: a canvas with a title, axes with labelled units,
//! and marks that carry their data (`class="mark"` with `data-*` attributes), so a test can
//! count one mark per data point and read back what each shows. Output is plain text built in
//! a fixed order: the same data always gives the same bytes.

use std::fmt::Write as _;

use crate::render::text::escape;

/// Okabe & Ito's colour-blind-safe palette, for categorical series.
pub const CATEGORICAL: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

/// Sequential blues for heatmaps, light (low) to dark (high); readable by colour-blind readers
/// and in greyscale.
pub const BLUES: [&str; 7] = [
    "#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c",
];

pub const INK: &str = "#1d1d1f";
pub const MUTED: &str = "#5f6368";
pub const GRID: &str = "#e6e6ea";

/// Canvas size: 800 × 450 user units; the PNG is drawn at twice that, 1600 px wide.
pub const WIDTH: f64 = 800.0;
pub const HEIGHT: f64 = 450.0;

const FONT: &str = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";

/// Rounds for output so that tiny float differences never change the bytes.
pub fn n(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

/// An SVG document being written.
pub struct Svg {
    out: String,
}

impl Svg {
    /// A white canvas with the chart's title (also its accessible name) at the top.
    pub fn new(title: &str, width: f64, height: f64) -> Svg {
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" \
             font-family=\"{FONT}\" role=\"img\" aria-label=\"{t}\">\n<title>{t}</title>\n\
             <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n",
            w = n(width),
            h = n(height),
            t = escape(title)
        );
        let mut svg = Svg { out };
        svg.text(16.0, 28.0, title, 17.0, "start", INK, true);
        svg
    }

    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        x: f64,
        y: f64,
        s: &str,
        size: f64,
        anchor: &str,
        fill: &str,
        bold: bool,
    ) {
        let _ = writeln!(
            self.out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{anchor}\" fill=\"{fill}\"{}>{}</text>",
            n(x),
            n(y),
            n(size),
            if bold { " font-weight=\"600\"" } else { "" },
            escape(s)
        );
    }

    /// Text turned a quarter to the left, for a vertical axis label.
    pub fn vertical_text(&mut self, x: f64, y: f64, s: &str, size: f64) {
        let _ = writeln!(
            self.out,
            "<text x=\"0\" y=\"0\" font-size=\"{}\" text-anchor=\"middle\" fill=\"{MUTED}\" \
             transform=\"translate({} {}) rotate(-90)\">{}</text>",
            n(size),
            n(x),
            n(y),
            escape(s)
        );
    }

    #[allow(clippy::too_many_arguments)]
    pub fn line(
        &mut self,
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        stroke: &str,
        width: f64,
        dash: bool,
    ) {
        let _ = writeln!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"{}/>",
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            n(width),
            if dash { " stroke-dasharray=\"6 4\"" } else { "" }
        );
    }

    pub fn polyline(&mut self, points: &[(f64, f64)], stroke: &str, width: f64, dash: bool) {
        if points.len() < 2 {
            return;
        }
        let _ = writeln!(
            self.out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{}\" \
             stroke-linejoin=\"round\"{}/>",
            point_list(points),
            n(width),
            if dash {
                " stroke-dasharray=\"6 4\""
            } else {
                ""
            }
        );
    }

    pub fn polygon(&mut self, points: &[(f64, f64)], fill: &str, opacity: f64) {
        if points.len() < 3 {
            return;
        }
        let _ = writeln!(
            self.out,
            "<polygon points=\"{}\" fill=\"{fill}\" fill-opacity=\"{}\" stroke=\"none\"/>",
            point_list(points),
            n(opacity)
        );
    }

    /// A plain rectangle (legend swatch, background), not a data mark.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str) {
        let _ = writeln!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"/>",
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0))
        );
    }

    /// A bar or cell that stands for one value: `series` and `x` name it, `value` is the data.
    #[allow(clippy::too_many_arguments)]
    pub fn mark_rect(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: &str,
        series: &str,
        at: &str,
        value: &str,
        extra: &str,
    ) {
        let class = format!("mark{extra}");
        self.rect_mark((x, y, w, h), fill, &class, (series, at), (value, value));
    }

    /// A hatched cell whose value is suppressed: `data-value="suppressed"` for machines, the
    /// report language's `word` in its tooltip.
    pub fn mark_hidden(
        &mut self,
        (x, y, w, h): (f64, f64, f64, f64),
        series: &str,
        at: &str,
        word: &str,
    ) {
        let fill = "url(#suppressed)";
        self.rect_mark(
            (x, y, w, h),
            fill,
            "mark suppressed",
            (series, at),
            ("suppressed", word),
        );
    }

    /// A data rectangle: its data attributes, and a tooltip saying what it shows; `value` is
    /// the data value and the word the tooltip shows.
    fn rect_mark(
        &mut self,
        (x, y, w, h): (f64, f64, f64, f64),
        fill: &str,
        class: &str,
        (series, at): (&str, &str),
        (value, said): (&str, &str),
    ) {
        let _ = writeln!(
            self.out,
            "<rect class=\"{class}\" data-series=\"{}\" data-x=\"{}\" data-value=\"{}\" x=\"{}\" y=\"{}\" \
             width=\"{}\" height=\"{}\" fill=\"{fill}\"><title>{}: {} {}</title></rect>",
            escape(series),
            escape(at),
            escape(value),
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0)),
            escape(series),
            escape(at),
            escape(said)
        );
    }

    /// A point that stands for one value.
    #[allow(clippy::too_many_arguments)]
    pub fn mark_point(
        &mut self,
        x: f64,
        y: f64,
        r: f64,
        fill: &str,
        series: &str,
        at: &str,
        value: &str,
    ) {
        let _ = writeln!(
            self.out,
            "<circle class=\"mark\" data-series=\"{}\" data-x=\"{}\" data-value=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\" \
             fill=\"{fill}\"><title>{}: {} {}</title></circle>",
            escape(series),
            escape(at),
            escape(value),
            n(x),
            n(y),
            n(r),
            escape(series),
            escape(at),
            escape(value)
        );
    }

    /// A diagonal hatch pattern for suppressed cells.
    pub fn hatch_pattern(&mut self) {
        self.out.push_str(
            "<defs><pattern id=\"suppressed\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
             patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f1f1f3\"/>\
             <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#b9b9c0\" stroke-width=\"2\"/></pattern></defs>\n",
        );
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// "Nice" tick values covering `[lo, hi]`: steps of 1, 2 or 5 times a power of ten.
pub fn ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo, lo + 1.0) };
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let mut v = (lo / step).floor() * step;
    let mut out = Vec::new();
    // The last tick reaches the top of the data, so the axis covers every value.
    loop {
        out.push(((v / step).round() * step * 1e9).round() / 1e9);
        if v >= hi - step * 1e-9 || out.len() > 100 {
            return out;
        }
        v += step;
    }
}

/// The plot area inside a canvas, with a linear y scale.
#[derive(Debug, Clone, Copy)]
pub struct Plot {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    pub y_min: f64,
    pub y_max: f64,
}

impl Plot {
    pub fn y(&self, v: f64) -> f64 {
        let span = (self.y_max - self.y_min).max(1e-12);
        self.bottom - (v - self.y_min) / span * (self.bottom - self.top)
    }

    pub fn width(&self) -> f64 {
        self.right - self.left
    }

    /// Horizontal grid lines and labels at `ticks`, formatted by `label`, and the axis title.
    pub fn y_axis(&self, svg: &mut Svg, ticks: &[f64], label: &dyn Fn(f64) -> String, title: &str) {
        for t in ticks {
            let y = self.y(*t);
            svg.line(self.left, y, self.right, y, GRID, 1.0, false);
            svg.text(
                self.left - 8.0,
                y + 4.0,
                &label(*t),
                11.0,
                "end",
                MUTED,
                false,
            );
        }
        svg.vertical_text(16.0, (self.top + self.bottom) / 2.0, title, 12.0);
    }

    /// Category labels under the plot, thinned so they never overlap.
    pub fn x_categories(&self, svg: &mut Svg, labels: &[String], title: &str) {
        let k = labels.len().max(1);
        // About 7 user units per character at 11 px, plus a gap.
        let widest =
            labels.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64 * 6.5 + 10.0;
        let fit = ((self.width() / widest).floor() as usize).max(1);
        let every = k.div_ceil(fit);
        let band = self.width() / k as f64;
        for (i, l) in labels.iter().enumerate() {
            if i % every == 0 {
                let x = self.left + band * (i as f64 + 0.5);
                svg.text(x, self.bottom + 18.0, l, 11.0, "middle", MUTED, false);
            }
        }
        self.x_baseline(svg, title);
    }

    /// A numeric horizontal axis over `lo..=hi`: grid lines and labels at the `ticks` inside
    /// it, and the axis title. Returns where a value sits.
    pub fn x_numeric(
        &self,
        svg: &mut Svg,
        (lo, hi): (f64, f64),
        ticks: &[f64],
        label: &dyn Fn(f64) -> String,
        title: &str,
    ) -> impl Fn(f64) -> f64 + use<> {
        let (left, width) = (self.left, self.width());
        let span = (hi - lo).max(1e-12);
        let x_of = move |v: f64| left + (v - lo) / span * width;
        for tick in ticks.iter().filter(|t| **t <= hi + 1e-9) {
            let xx = x_of(*tick);
            svg.line(xx, self.top, xx, self.bottom, GRID, 1.0, false);
            svg.text(
                xx,
                self.bottom + 18.0,
                &label(*tick),
                11.0,
                "middle",
                MUTED,
                false,
            );
        }
        self.x_baseline(svg, title);
        x_of
    }

    /// The line under the plot and the horizontal axis title.
    fn x_baseline(&self, svg: &mut Svg, title: &str) {
        svg.line(
            self.left,
            self.bottom,
            self.right,
            self.bottom,
            MUTED,
            1.0,
            false,
        );
        svg.text(
            (self.left + self.right) / 2.0,
            self.bottom + 40.0,
            title,
            12.0,
            "middle",
            MUTED,
            false,
        );
    }
}

/// A legend at the top right: one swatch and name per series.
/// `x,y x,y …` for a polyline or polygon.
fn point_list(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn legend(svg: &mut Svg, items: &[(String, String)], x: f64, y: f64) {
    for (i, (name, colour)) in items.iter().enumerate() {
        let yy = y + 20.0 * i as f64;
        svg.rect(x, yy - 10.0, 12.0, 12.0, colour);
        svg.text(x + 18.0, yy, name, 12.0, "start", INK, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(
            ticks(0.0, 100.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(ticks(0.0, 0.7, 4), vec![0.0, 0.2, 0.4, 0.6, 0.8]);
        assert_eq!(n(12.345), "12.35");
        assert_eq!(n(3.0), "3");
    }
}
