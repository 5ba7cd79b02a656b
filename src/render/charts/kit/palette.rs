//! The charts' colours, all colour-blind safe: viridis for the ordered ladder, Okabe–Ito for
//! series, sequential blues for heatmaps, and the greys of text and grid.

use plotters::style::RGBColor;

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

/// Viridis, sampled at ten even steps: ordered, colour-blind safe and readable in greyscale.
const VIRIDIS: [&str; 10] = [
    "#440154", "#482878", "#3e4a89", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6dcd59",
    "#b4de2c", "#fde725",
];

/// The neutral grey of a ladder's catch-all rung (nobody reached, nothing done).
pub const CATCH_ALL: &str = "#d9d9d9";

/// `n` ordered colours from dark (highest) to light, spread evenly over the palette.
pub fn ordered_colours(n: usize) -> Vec<&'static str> {
    match n {
        0 => Vec::new(),
        1 => vec![VIRIDIS[0]],
        _ => (0..n)
            .map(|i| VIRIDIS[(i * (VIRIDIS.len() - 1) + (n - 1) / 2) / (n - 1)])
            .collect(),
    }
}

/// Ladder colours: ordered colours for the rungs with a condition, grey for the catch-all.
pub fn ladder_colours(rungs: usize) -> Vec<&'static str> {
    let mut colours = ordered_colours(rungs.saturating_sub(1));
    if rungs > 0 {
        colours.push(CATCH_ALL);
    }
    colours
}

/// A `#rrggbb` colour for plotters (black if it is not one).
pub fn rgb(hex: &str) -> RGBColor {
    let byte = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    };
    RGBColor(byte(1), byte(3), byte(5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_colours_span_the_palette() {
        let c = ordered_colours(6);
        assert_eq!(c.len(), 6);
        assert_eq!(c[0], "#440154");
        assert_eq!(c[5], "#fde725");
        assert_eq!(ladder_colours(7)[6], "#d9d9d9");
    }

    #[test]
    fn hex_colours_are_read() {
        assert_eq!(rgb("#0072B2"), RGBColor(0, 0x72, 0xB2));
        assert_eq!(rgb("oops"), RGBColor(0, 0, 0));
    }
}
