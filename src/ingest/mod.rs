//! Ingest: one file per source format, each turning what users bring into canonical events
//! (README "Inputs"), with every record either accepted, excluded for a stated reason, or rejected
//! with its location. Nothing here knows about periods, populations or metrics.
//!
//! What each file holds: one file per input format, all keeping one contract (`ingest::Adapter`: a
//! `SourcePlan` and `Reading` in, a `SourceRead` out: the `Batch` of canonical events with every
//! record accepted, excluded for a reason or rejected with its location, the accounts the source
//! lists, and usage counts for usage reports). `events.rs` (CSV/NDJSON/Parquet/IPC with column and
//! action mapping, read a batch at a time on polars' streaming engine by `read::for_each_batch`,
//! each batch of accepted events handed to `Reading::events_to`, so an export of any size is held a
//! batch at a time; typed timestamps are never formatted as text), `slack.rs`, `teams.rs`,
//! `yammer.rs` (its Messages.csv read a chunk of records at a time by `read::for_each_chunk`, from
//! a folder or straight out of a zip, after a first pass for who wrote each message, the users
//! first so each chunk goes on with its accounts), `discourse.rs`, `stackexchange.rs`, `m365.rs`
//! (usage reports: counts, not events); the small tables `roster.rs`, `surveys.rs` (person- or
//! team-level), `profile.rs` (the staff survey of self-reported use: a row without a respondent, a
//! readable date or an answer on its scale is rejected with its line and reason, written to
//! `rejects/profile_survey.csv` by the publish leg), `kpis.rs`, `identities.rs`. `batch.rs` holds
//! what every adapter hands on (with `reply_note`: a reply whose post the export lacks stays a
//! reply, and every archive's batch counts them in a note), and `read_archive`, the contract kept
//! for an export read whole from a folder or zip (a leaf: it imports no adapter); `archive.rs`
//! gives folders and zips one interface and refuses unsafe zips and links that leave an unpacked
//! export; `terms.rs` turns a message body into its terms (markup, code, links, addresses,
//! mentions, numbers and emoji out; NLTK stop words of each language through the stop-words crate,
//! with engage's own filler list per language and chat's; Snowball stems through rust-stemmers, in
//! the language whose stop words the body uses most; two-word phrases) and `texts.rs` is where
//! adapters hand bodies with themes on (`Reading::texts`, `Collector::text`): a buffer cut into
//! words on every core (rayon) and dropped, each written word stemmed once, each use of a word or
//! two-word phrase kept as one 128-bit number (period, space, stems, account: `uses.rs`) until the
//! source is read, then sorted on every core so a term's mentions and distinct accounts are runs of
//! numbers, and handed on as counts per source, period, space and term for the terms at least
//! `min_group_size` people used (mentions, distinct people), with each period's total mentions
//! beside them, excluded accounts and any term holding a word of a name left out. `read.rs` holds
//! header checks, each CSV's layout sniffed from its first line (comma, semicolon or tab; `\n` or
//! bare `\r` line ends), the lazy all-text CSV scan, a quote pre-scan before polars reads any CSV
//! (polars 0.55 slices out of bounds on a quoted value never closed or on a row with an odd number
//! of quotes inside unquoted values, so those are refused with their line; the scan jumps from
//! quote to quote with memchr) and the full byte scan that names the line of a flaw polars refused
//! (not UTF-8, too many fields), the row checks shared by team-level tables (`team_and_period`) and
//! bad-value reports; a UTF-16 file is named before its header is checked, and padded header names
//! are read trimmed; `read/times.rs` holds lenient timestamps (the canonical layout over the
//! column, the other layouts only for the rows it leaves; rejected local times that fall in a
//! daylight-saving gap named as such) and dates (a day alone or followed by a time); rejects keep
//! identifying fields only (`batch.rs::identifying`), never bodies or names

pub mod archive;
pub(crate) mod batch;
pub(crate) mod discourse;
pub mod events;
pub mod identities;
pub mod kpis;
pub(crate) mod m365;
pub mod profile;
pub mod read;
pub mod roster;
pub(crate) mod slack;
pub mod stackexchange;
pub mod surveys;
pub(crate) mod teams;
pub mod terms;
pub mod texts;
pub(crate) mod uses;
pub(crate) mod yammer;

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
