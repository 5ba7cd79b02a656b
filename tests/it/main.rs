//! engage's integration tests, one binary (so polars is linked once, not per test file): each
//! module drives the real binary or the library on fixtures in `tests/fixtures/`. Run one
//! module with `cargo test --test it <module>::`.
#![warn(clippy::too_many_lines)]

mod common;

mod architecture;
mod attack;
mod bench_regression;
mod cli;
mod docs;
mod exports;
mod fuzz_parsers;
mod groups;
mod health;
mod hostile_input;
mod ingest_formats;
mod metric_properties;
mod outcomes;
mod practice;
mod privacy;
mod real_data;
mod report;
mod spark;
mod store;
mod themes;
mod trust;
