//! Metrics: pure functions from frames to frames, no I/O. `activity` is the one step whose
//! cost grows with the number of events; everything after it reads the activity table.

pub mod activity;
pub mod ladder;
pub mod lifecycle;
pub mod participation;
