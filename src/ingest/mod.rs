//! Ingest: one file per source format, each turning what users bring into canonical frames
//! (spec §1). Shared reading helpers live in `read`; nothing here knows about periods,
//! people-as-population or metrics.

pub mod events;
pub mod read;
pub mod roster;
pub mod surveys;

use std::path::PathBuf;

/// What one input file contributed, for the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// What the file is to the pipeline: `events`, `people` or `surveys`.
    pub role: String,
    /// The source format.
    pub kind: String,
    pub path: PathBuf,
    /// The path as the pipeline file writes it.
    pub given: String,
    pub bytes: u64,
    pub sha256: String,
    pub rows_read: u64,
}
