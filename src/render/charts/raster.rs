//! PNG copies of the charts for slides: the same SVG drawn by resvg at 1600 px wide, with the
//! machine's fonts (DejaVu Sans or Liberation Sans where installed).

use resvg::{tiny_skia, usvg};

/// The width of every PNG, in pixels.
pub const PNG_WIDTH: u32 = 1600;

/// Draws SVG charts to PNG; loads the fonts once.
pub struct Rasterizer {
    options: usvg::Options<'static>,
}

impl Default for Rasterizer {
    fn default() -> Self {
        Rasterizer::new()
    }
}

impl Rasterizer {
    pub fn new() -> Rasterizer {
        let mut options = usvg::Options::default();
        options.fontdb_mut().load_system_fonts();
        let families: Vec<String> = options
            .fontdb
            .faces()
            .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
            .collect();
        // The charts ask for these first; a generic sans-serif falls back to the first found.
        if let Some(sans) = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"]
            .iter()
            .find(|f| families.iter().any(|x| x == *f))
        {
            options.fontdb_mut().set_sans_serif_family(*sans);
            options.font_family = sans.to_string();
        }
        Rasterizer { options }
    }

    /// Whether any font was found: without one, PNG charts have no text.
    pub fn has_fonts(&self) -> bool {
        !self.options.fontdb.is_empty()
    }

    /// The chart as a PNG [`PNG_WIDTH`] pixels wide.
    pub fn png(&self, svg: &str) -> Result<Vec<u8>, String> {
        let tree = usvg::Tree::from_str(svg, &self.options).map_err(|e| e.to_string())?;
        let size = tree
            .size()
            .to_int_size()
            .scale_to_width(PNG_WIDTH)
            .ok_or("the chart has no size")?;
        let mut pixmap =
            tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("the chart has no size")?;
        let scale = size.width() as f32 / tree.size().width();
        resvg::render(
            &tree,
            tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
        pixmap.encode_png().map_err(|e| e.to_string())
    }
}
