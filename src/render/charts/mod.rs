//! Charts, one file each, drawn with plotters into SVG strings. Colours come from one
//! colour-blind-safe palette so every chart in a slide deck reads the same way.

pub mod ladder;

use plotters::style::RGBColor;

/// Viridis, sampled at ten even steps: ordered, colour-blind safe and readable in greyscale.
const VIRIDIS: [RGBColor; 10] = [
    RGBColor(0x44, 0x01, 0x54),
    RGBColor(0x48, 0x28, 0x78),
    RGBColor(0x3e, 0x4a, 0x89),
    RGBColor(0x31, 0x68, 0x8e),
    RGBColor(0x26, 0x82, 0x8e),
    RGBColor(0x1f, 0x9e, 0x89),
    RGBColor(0x35, 0xb7, 0x79),
    RGBColor(0x6d, 0xcd, 0x59),
    RGBColor(0xb4, 0xde, 0x2c),
    RGBColor(0xfd, 0xe7, 0x25),
];

/// The neutral grey of a ladder's catch-all rung (nobody reached, nothing done).
pub const CATCH_ALL: RGBColor = RGBColor(0xd9, 0xd9, 0xd9);

/// `n` ordered colours from dark (highest) to light, spread evenly over the palette.
pub fn ordered_colours(n: usize) -> Vec<RGBColor> {
    match n {
        0 => Vec::new(),
        1 => vec![VIRIDIS[0]],
        _ => (0..n)
            .map(|i| VIRIDIS[(i * (VIRIDIS.len() - 1) + (n - 1) / 2) / (n - 1)])
            .collect(),
    }
}

/// Hex notation of a colour, for HTML legends that match the charts.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Ladder colours: ordered colours for the rungs with a condition, grey for the catch-all.
pub fn ladder_colours(rungs: usize) -> Vec<RGBColor> {
    let mut colours = ordered_colours(rungs.saturating_sub(1));
    if rungs > 0 {
        colours.push(CATCH_ALL);
    }
    colours
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_colours_span_the_palette() {
        let c = ordered_colours(6);
        assert_eq!(c.len(), 6);
        assert_eq!(hex(c[0]), "#440154");
        assert_eq!(hex(c[5]), "#fde725");
        let l = ladder_colours(7);
        assert_eq!(hex(l[6]), "#d9d9d9");
    }
}
