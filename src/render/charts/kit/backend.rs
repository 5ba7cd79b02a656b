//! The plotters backend the report draws on. plotters' own SVG backend writes a fixed set of
//! attributes per shape and measures text with the machine's fonts; the report needs marks that
//! carry their data (for the tests, the browser check and a reader's tooltip) and the same bytes
//! on every machine. So this backend writes plain SVG in the order plotters draws, measures text
//! with a fixed table of glyph widths, and offers the data marks ([`super::marks`]) and the
//! hatching of suppressed cells, which plotters has no fill pattern for.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::rc::Rc;

use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle, FontTransform,
};

use crate::render::text::escape;

/// The canvas in backend pixels: the PNG's size. The SVG says 800 × 450 and keeps these
/// coordinates in its `viewBox`, so whole pixels of the PNG are whole units of the SVG.
pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 900;

const FONT: &str = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";

/// The id of the hatch pattern that fills a suppressed cell.
pub const HATCH: &str = "suppressed";

/// Writes a chart as SVG into a text its caller keeps (plotters owns the backend while it
/// draws).
pub struct Svg {
    out: Rc<RefCell<String>>,
}

pub type Drawn = Result<(), DrawingErrorKind<fmt::Error>>;

fn failed(e: fmt::Error) -> DrawingErrorKind<fmt::Error> {
    DrawingErrorKind::DrawingError(e)
}

/// `attr="#rrggbb"`, and `attr-opacity` when the colour is not opaque.
fn paint(attr: &str, c: BackendColor) -> String {
    let (r, g, b) = c.rgb;
    let colour = format!("{attr}=\"#{r:02x}{g:02x}{b:02x}\"");
    match c.alpha < 1.0 {
        true => format!(
            "{colour} {attr}-opacity=\"{}\"",
            (c.alpha * 100.0).round() / 100.0
        ),
        false => colour,
    }
}

fn fill(c: BackendColor) -> String {
    paint("fill", c)
}

fn stroke(c: BackendColor, width: u32) -> String {
    format!(
        "fill=\"none\" {} stroke-width=\"{width}\"",
        paint("stroke", c)
    )
}

/// A shape's fill, or its outline when it is not filled.
fn paint_of<S: BackendStyle>(s: &S, filled: bool) -> String {
    if filled {
        fill(s.color())
    } else {
        stroke(s.color(), s.stroke_width())
    }
}

/// `x,y x,y …`
pub fn points(path: &[BackendCoord]) -> String {
    let list: Vec<String> = path.iter().map(|(x, y)| format!("{x},{y}")).collect();
    list.join(" ")
}

/// A glyph's advance as a share of the font size, close to DejaVu Sans (the font the PNGs use):
/// the same estimate on every machine, whatever fonts it has.
fn advance(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | '(' | ')' => 0.32,
        ' ' | 'f' | 't' | 'r' | 'I' | '-' => 0.4,
        'm' | 'w' | 'M' | 'W' | '%' | '@' | '…' => 0.9,
        '0'..='9' => 0.64,
        c if c.is_uppercase() => 0.72,
        _ => 0.6,
    }
}

/// The width of `text` at `size` pixels, as the charts lay it out.
pub fn text_width(text: &str, size: f64) -> f64 {
    (text.chars().map(advance).sum::<f64>() * size * 100.0).round() / 100.0
}

impl Svg {
    /// The document's head: its size, font, accessible title and, when `hatched`, the pattern
    /// suppressed cells are filled with.
    pub fn new(out: Rc<RefCell<String>>, title: &str, hatched: bool) -> Svg {
        let mut svg = Svg { out };
        let _ = svg.put(format_args!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{}\" \
             height=\"{}\" font-family=\"{FONT}\" role=\"img\" aria-label=\"{t}\">\n<title>{t}</title>",
            WIDTH / 2,
            HEIGHT / 2,
            t = escape(title)
        ));
        if hatched {
            let _ = svg.put(format_args!(
                "<defs><pattern id=\"{HATCH}\" width=\"12\" height=\"12\" patternUnits=\"userSpaceOnUse\" \
                 patternTransform=\"rotate(45)\"><rect width=\"12\" height=\"12\" fill=\"#f1f1f3\"/>\
                 <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"12\" stroke=\"#b9b9c0\" stroke-width=\"4\"/></pattern></defs>"
            ));
        }
        svg
    }

    /// Writes a shape in `colour`; a fully transparent one (plotters' default legend border) is
    /// not written at all.
    fn shape(&mut self, colour: BackendColor, line: fmt::Arguments) -> Drawn {
        match colour.alpha == 0.0 {
            true => Ok(()),
            false => self.put(line),
        }
    }

    /// Writes one line of the document.
    fn put(&mut self, line: fmt::Arguments) -> Drawn {
        let mut out = self.out.borrow_mut();
        out.write_fmt(line).map_err(failed)?;
        out.push('\n');
        Ok(())
    }

    /// A shape that stands for data: `shape` is the element and its geometry ("rect x=…"),
    /// `class` and `data` (series, place, value) the attributes a test reads, `tip` what a
    /// reader sees on hover.
    pub fn mark(
        &mut self,
        shape: (&str, &str),
        paint: &str,
        class: &str,
        data: [&str; 3],
        tip: &str,
    ) -> Drawn {
        let ((element, geometry), [series, x, value]) = (shape, data.map(escape));
        self.put(format_args!(
            "<{element} class=\"{class}\" data-series=\"{series}\" data-x=\"{x}\" data-value=\"{value}\" \
             {geometry} {paint}><title>{}</title></{element}>",
            escape(tip)
        ))
    }

    /// A dashed line through `path` (targets and reference lines).
    pub fn dashed(&mut self, path: &[BackendCoord], colour: BackendColor, width: u32) -> Drawn {
        self.put(format_args!(
            "<polyline points=\"{}\" {} stroke-dasharray=\"12 8\"/>",
            points(path),
            stroke(colour, width)
        ))
    }
}

/// Shapes as plain SVG elements, each through [`Svg::shape`].
impl DrawingBackend for Svg {
    type ErrorType = fmt::Error;

    fn get_size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }

    fn ensure_prepared(&mut self) -> Drawn {
        Ok(())
    }

    fn present(&mut self) -> Drawn {
        Ok(())
    }

    fn draw_pixel(&mut self, (x, y): BackendCoord, c: BackendColor) -> Drawn {
        let paint = fill(c);
        self.shape(
            c,
            format_args!("<rect x=\"{x}\" y=\"{y}\" width=\"1\" height=\"1\" {paint}/>"),
        )
    }

    fn draw_line<S: BackendStyle>(&mut self, a: BackendCoord, b: BackendCoord, s: &S) -> Drawn {
        let paint = stroke(s.color(), s.stroke_width());
        let (x1, y1, x2, y2) = (a.0, a.1, b.0, b.1);
        self.shape(
            s.color(),
            format_args!("<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" {paint}/>"),
        )
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        (x0, y0): BackendCoord,
        (x1, y1): BackendCoord,
        s: &S,
        filled: bool,
    ) -> Drawn {
        let paint = paint_of(s, filled);
        let (w, h) = (x1 - x0, y1 - y0);
        self.shape(
            s.color(),
            format_args!("<rect x=\"{x0}\" y=\"{y0}\" width=\"{w}\" height=\"{h}\" {paint}/>"),
        )
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        s: &S,
    ) -> Drawn {
        let path: Vec<BackendCoord> = path.into_iter().collect();
        let paint = stroke(s.color(), s.stroke_width());
        let list = points(&path);
        self.shape(
            s.color(),
            format_args!("<polyline points=\"{list}\" {paint} stroke-linejoin=\"round\"/>"),
        )
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        (x, y): BackendCoord,
        r: u32,
        s: &S,
        filled: bool,
    ) -> Drawn {
        let paint = paint_of(s, filled);
        self.shape(
            s.color(),
            format_args!("<circle cx=\"{x}\" cy=\"{y}\" r=\"{r}\" {paint}/>"),
        )
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        s: &S,
    ) -> Drawn {
        let vert: Vec<BackendCoord> = vert.into_iter().collect();
        let (list, paint) = (points(&vert), fill(s.color()));
        self.shape(
            s.color(),
            format_args!("<polygon points=\"{list}\" {paint}/>"),
        )
    }

    fn draw_text<T: BackendTextStyle>(&mut self, text: &str, s: &T, (x, y): BackendCoord) -> Drawn {
        let size = s.size();
        let anchor = match s.anchor().h_pos {
            HPos::Left => "start",
            HPos::Center => "middle",
            HPos::Right => "end",
        };
        // The baseline below the anchor point, so that text sits where plotters laid it out
        // without relying on `dominant-baseline`, which renderers treat differently.
        let down = match s.anchor().v_pos {
            VPos::Top => 0.76 * size,
            VPos::Center => 0.35 * size,
            VPos::Bottom => -0.24 * size,
        };
        let turn = match s.transform() {
            FontTransform::Rotate90 => format!(" transform=\"rotate(90 {x} {y})\""),
            FontTransform::Rotate180 => format!(" transform=\"rotate(180 {x} {y})\""),
            FontTransform::Rotate270 => format!(" transform=\"rotate(-90 {x} {y})\""),
            _ => String::new(),
        };
        let weight = match s.style() {
            FontStyle::Bold => " font-weight=\"600\"",
            _ => "",
        };
        let baseline = (f64::from(y) + down).round();
        self.shape(s.color(), format_args!("<text x=\"{x}\" y=\"{baseline}\" font-size=\"{size}\" text-anchor=\"{anchor}\" {}{weight}{turn}>{}</text>",
            fill(s.color()),
            escape(text)
        ))
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        s: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<fmt::Error>> {
        Ok((
            text_width(text, s.size()).ceil() as u32,
            s.size().ceil() as u32,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A 10-character word of average letters at 20 px: 10 × 0.6 × 20 = 120 px; digits are
    // wider (0.64 em), an "i" narrower (0.32 em).
    #[test]
    fn text_is_measured_the_same_everywhere() {
        assert_eq!(text_width("abcdeghkno", 20.0), 120.0);
        assert_eq!(text_width("10", 10.0), 12.8);
        assert_eq!(text_width("i", 10.0), 3.2);
    }

    #[test]
    fn colours_and_opacity() {
        let grey = BackendColor {
            alpha: 0.15,
            rgb: (127, 127, 127),
        };
        assert_eq!(fill(grey), "fill=\"#7f7f7f\" fill-opacity=\"0.15\"");
        let ink = BackendColor {
            alpha: 1.0,
            rgb: (0, 114, 178),
        };
        assert_eq!(
            stroke(ink, 2),
            "fill=\"none\" stroke=\"#0072b2\" stroke-width=\"2\""
        );
    }
}
