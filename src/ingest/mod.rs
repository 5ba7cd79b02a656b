//! Ingest: one file per source format, each turning what users bring into canonical events
//! (spec §1), with every record either accepted, excluded for a stated reason, or rejected
//! with its location. Nothing here knows about periods, populations or metrics.

pub mod archive;
pub mod batch;
pub mod discourse;
pub mod events;
pub mod identities;
pub mod kpis;
pub mod m365;
pub mod profile;
pub mod read;
pub mod roster;
pub mod slack;
pub mod stackexchange;
pub mod surveys;
pub mod teams;
pub mod terms;
pub mod texts;
pub mod uses;
pub mod yammer;

pub use batch::{
    accounts_frame, empty_events, file_summary, identifying, no_accounts, shorten, Batch,
    Collector, EventsTo, InputFile, Reading, Reject, Row, SourceRead, UserRow,
};

/// The one contract every source format keeps: a source as the pipeline describes it, read
/// into a [`SourceRead`].
pub type Adapter = fn(&crate::plan::SourcePlan, &Reading) -> crate::error::Result<SourceRead>;

/// The adapter of a source kind.
pub fn adapter(kind: crate::plan::SourceKind) -> Adapter {
    use crate::plan::SourceKind;
    match kind {
        SourceKind::Events => events::read,
        SourceKind::Slack => slack::read,
        SourceKind::Stackexchange => stackexchange::read,
        SourceKind::Teams => teams::read,
        SourceKind::Yammer => yammer::read,
        SourceKind::Discourse => discourse::read,
        SourceKind::M365Usage => m365::read,
    }
}

/// Reads one `[[source]]` of any kind through its adapter.
pub fn read_source(
    source: &crate::plan::SourcePlan,
    reading: &Reading,
) -> crate::error::Result<SourceRead> {
    adapter(source.kind)(source, reading)
}
