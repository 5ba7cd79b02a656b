//! The kit the charts are drawn with: plotters for coordinates, axes, grid and legends
//! ([`frame`]), our SVG backend for output that carries its data and is the same on every
//! machine ([`backend`], [`marks`]), the palette, and the five kinds of chart the report uses
//! (lines, bars, heatmaps, scatters, rankings). A chart file turns the report model into one of
//! these kinds.

pub mod backend;
mod bars;
mod chart;
pub mod frame;
mod heatmap;
mod lines;
pub mod marks;
pub mod palette;
mod ranked;
mod scatter;

pub use bars::{bars, Bars};
pub use chart::{Chart, ChartError, Drawing};
pub use frame::Axis;
pub use heatmap::{heatmap, Heat};
pub use lines::{lines, Line, XAxis};
pub use ranked::ranked;
pub use scatter::scatter;
