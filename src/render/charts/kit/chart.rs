//! What the kit hands back: a finished chart (its SVG and how many data marks it drew), or the
//! internal fault of a chart plotters could not draw.

/// One finished chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem under `charts/`.
    pub name: String,
    pub title: String,
    pub svg: String,
    /// Data marks drawn: one per point, bar segment or cell.
    pub marks: usize,
}

/// plotters could not draw a chart: an internal fault, not the user's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("drawing the chart {chart}: {detail}")]
pub struct ChartError {
    pub chart: String,
    pub detail: String,
}

/// What drawing a chart gives.
pub type Drawing = Result<Chart, ChartError>;
