//! The report's charts, one file per chart: each turns the plain report model into one of the
//! kit's kinds (lines, bars, heatmap, scatter, ranking), which plotters lays out and our SVG
//! backend writes with a mark per data value (`kit/`). The PNG for slides is drawn from the
//! same SVG (`raster.rs`). Titles name what a chart is about; axes say their units.

mod attrition;
mod context;
mod departments;
pub mod kit;
mod ladder;
mod leadership;
mod lifecycle;
mod lorenz;
mod profile;
pub mod raster;
mod replies;
mod reply_time;
mod retention;
mod rising;
mod satisfaction;
mod survival;
mod themes;
mod transitions;
mod trends;

pub use context::Context;
pub use kit::{Chart, ChartError};

use super::model::Report;

/// Every chart the report's data supports, in the order the report shows them.
pub fn all(report: &Report) -> Result<Vec<Chart>, ChartError> {
    let c = Context::new(report);
    let charts = [
        Some(ladder::chart(&c)),
        transitions::chart(&c),
        Some(trends::chart(&c)),
        Some(lifecycle::chart(&c)),
        retention::chart(&c),
        lorenz::chart(&c),
        Some(replies::chart(&c)),
        Some(reply_time::chart(&c)),
        themes::chart(&c),
        rising::chart(&c),
        departments::chart(&c),
        satisfaction::chart(&c),
        attrition::chart(&c),
        survival::chart(&c),
        profile::chart(&c),
        leadership::chart(&c),
    ];
    charts.into_iter().flatten().collect()
}
