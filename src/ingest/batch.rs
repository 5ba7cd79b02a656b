//! What every adapter hands on, shared by all of them: the batch of canonical events with
//! every record accounted for, the rejects (identifying fields only), the record-by-record
//! collector, the accounts table and what one source gave. A leaf: it imports no adapter.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::vocabulary::notes::{Note, Say};
use polars::prelude::*;

use chrono::NaiveDate;

use crate::vocabulary::{event, Action};

/// Internal column holding the 0-based data row of a CSV record.
pub const ROW: &str = "__row";

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

/// A record that could not be read, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// The file inside the source (a CSV, a zip entry, an XML file).
    pub file: String,
    /// `line N`, a JSON path or an XML element.
    pub location: String,
    /// The offending value or record, shortened.
    pub raw: String,
    pub reason: String,
}

/// One source read into canonical events, with every record accounted for:
/// rows read = accepted + excluded + rejected (duplicates are found later, across sources).
#[derive(Debug, Clone)]
pub struct Batch {
    /// Canonical events (README "Inputs" columns).
    pub events: DataFrame,
    pub rows_read: u64,
    /// Rows left out on purpose, by reason (bots, system accounts, deleted content...).
    pub excluded: BTreeMap<String, u64>,
    pub rejects: Vec<Reject>,
    /// What the report should say about this source (e.g. measures it cannot give).
    pub notes: Vec<Note>,
}

impl Batch {
    pub fn excluded_total(&self) -> u64 {
        self.excluded.values().sum()
    }
}

/// Longest raw value kept in a reject, so a broken 1 GB line does not become a 1 GB report.
const RAW_LIMIT: usize = 200;

/// Shortens a raw value for the rejects file, on a character boundary.
pub fn shorten(raw: &str) -> String {
    shorten_to(raw, RAW_LIMIT)
}

/// Cuts `raw` to at most `limit` bytes on a character boundary, marking the cut.
fn shorten_to(raw: &str, limit: usize) -> String {
    if raw.len() <= limit {
        return raw.to_string();
    }
    let mut end = limit;
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &raw[..end])
}

/// For fields read only for themes (a body, a display name): the string, or nothing when the
/// export holds something else there, so an odd value never costs the record its event.
pub fn text_or_none<'de, D: serde::Deserializer<'de>>(
    value: D,
) -> std::result::Result<Option<String>, D::Error> {
    use serde::Deserialize;
    Ok(match Option::<serde_json::Value>::deserialize(value)? {
        Some(serde_json::Value::String(text)) => Some(text),
        _ => None,
    })
}

/// Keys of a JSON record (Slack message, Graph chatMessage) that identify it without saying
/// what it says: the only ones a reject's `raw` keeps. Text, names, emails and files stay out.
const IDENTIFYING_KEYS: [&str; 14] = [
    "id",
    "ts",
    "thread_ts",
    "type",
    "subtype",
    "user",
    "bot_id",
    "channel",
    "createdDateTime",
    "lastModifiedDateTime",
    "deletedDateTime",
    "messageType",
    "replyToId",
    "etag",
];

/// Longest value of an identifying key a reject keeps.
const ID_LIMIT: usize = 64;

/// A JSON record as a reject shows it: its identifying keys with plain values (the bad value
/// among them), never its text or the people it names.
pub fn identifying(raw: &serde_json::Value) -> String {
    use serde_json::Value;
    match raw {
        Value::Object(map) => {
            let kept: serde_json::Map<String, Value> = map
                .iter()
                .filter(|(k, v)| {
                    IDENTIFYING_KEYS.contains(&k.as_str()) && !v.is_object() && !v.is_array()
                })
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) if s.len() > ID_LIMIT => {
                            Value::String(shorten_to(s, ID_LIMIT))
                        }
                        other => other.clone(),
                    };
                    (k.clone(), v)
                })
                .collect();
            Value::Object(kept).to_string()
        }
        Value::Array(items) => format!("(a list of {} items)", items.len()),
        Value::String(_) => "(a text value)".to_string(),
        other => other.to_string(),
    }
}

/// A whole file as a reject shows it: its size, not its content.
pub fn file_summary(bytes: &[u8]) -> String {
    format!("(a file of {} bytes)", bytes.len())
}

/// One canonical event as a format adapter sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub event_id: String,
    /// Microseconds since the epoch, UTC.
    pub occurred_at: i64,
    pub actor: Option<String>,
    pub action: Option<Action>,
    pub content_id: Option<String>,
    pub thread_id: Option<String>,
    pub target_actor: Option<String>,
    pub space: Option<String>,
}

/// Collects rows from record-by-record formats (JSON, XML) into a canonical frame, and keeps
/// the tally of excluded and rejected records alongside.
#[derive(Debug, Default)]
pub struct Collector<'a> {
    source: String,
    /// Where bodies go when themes are on.
    texts: Option<&'a super::texts::TextSink<'a>>,
    event_id: Vec<String>,
    occurred_at: Vec<i64>,
    actor: Vec<Option<String>>,
    action: Vec<&'static str>,
    content_id: Vec<Option<String>>,
    thread_id: Vec<Option<String>>,
    target_actor: Vec<Option<String>>,
    space: Vec<Option<String>>,
    pub rows_read: u64,
    pub excluded: BTreeMap<String, u64>,
    pub rejects: Vec<Reject>,
}

impl<'a> Collector<'a> {
    pub fn new(source: &str) -> Collector<'a> {
        Collector {
            source: source.to_string(),
            ..Collector::default()
        }
    }

    /// A collector that hands the bodies of accepted posts and replies to `texts`.
    pub fn with_texts(mut self, texts: Option<&'a super::texts::TextSink<'a>>) -> Collector<'a> {
        self.texts = texts;
        self
    }

    /// Whether bodies are wanted: an adapter reads them only then.
    pub fn wants_texts(&self) -> bool {
        self.texts.is_some()
    }

    /// Hands on the body of a post or reply just accepted, when themes are on. The body is
    /// cut into terms and forgotten; nothing of it reaches the events.
    pub fn text(&self, id: &str, at: i64, actor: &str, space: Option<&str>, body: &str) {
        if let Some(texts) = self.texts {
            texts.add(id, at, actor, space, body);
        }
    }

    /// Hands on people's names the export shows, so that no term holds one.
    pub fn names<'n>(&self, names: impl IntoIterator<Item = &'n str>) {
        if let Some(texts) = self.texts {
            texts.names(names);
        }
    }

    /// Counts a record read; every record is then accepted, excluded or rejected.
    pub fn read(&mut self) {
        self.rows_read += 1;
    }

    /// Accepts a record as one event.
    pub fn accept(&mut self, row: Row) {
        let Some(action) = row.action else {
            return;
        };
        self.event_id.push(row.event_id);
        self.occurred_at.push(row.occurred_at);
        self.actor.push(row.actor);
        self.action.push(action.as_str());
        self.content_id.push(row.content_id);
        self.thread_id.push(row.thread_id);
        self.target_actor.push(row.target_actor);
        self.space.push(row.space);
    }

    pub fn exclude(&mut self, reason: &str) {
        *self.excluded.entry(reason.to_string()).or_insert(0) += 1;
    }

    pub fn reject(&mut self, file: &str, location: String, raw: &str, reason: &str) {
        self.rejects.push(Reject {
            file: file.to_string(),
            location,
            raw: shorten(raw),
            reason: reason.to_string(),
        });
    }

    /// Per actor, the time of their first accepted event other than `except`.
    pub fn first_seen(&self, except: Action) -> std::collections::HashMap<String, i64> {
        let mut first = std::collections::HashMap::new();
        for i in 0..self.action.len() {
            if self.action[i] == except.as_str() {
                continue;
            }
            if let Some(actor) = &self.actor[i] {
                let at = first.entry(actor.clone()).or_insert(self.occurred_at[i]);
                *at = (*at).min(self.occurred_at[i]);
            }
        }
        first
    }

    /// The collected events as a canonical frame, and the tally (with [`reply_note`]).
    pub fn finish(self, mut notes: Vec<Note>) -> PolarsResult<Batch> {
        let n = self.event_id.len();
        let occurred = Column::new(event::OCCURRED_AT.into(), self.occurred_at).cast(
            &DataType::Datetime(TimeUnit::Microseconds, Some(polars::prelude::TimeZone::UTC)),
        )?;
        let events = DataFrame::new(
            n,
            vec![
                Column::new(event::EVENT_ID.into(), self.event_id),
                Column::new(event::SOURCE.into(), vec![self.source.as_str(); n]),
                occurred,
                Column::new(event::ACTOR.into(), self.actor),
                Column::new(event::ACTION.into(), self.action),
                Column::new(event::CONTENT_ID.into(), self.content_id),
                Column::new(event::THREAD_ID.into(), self.thread_id),
                Column::new(event::TARGET_ACTOR.into(), self.target_actor),
                Column::new(event::SPACE.into(), self.space),
            ],
        )?;
        notes.extend(reply_note(&events)?);
        Ok(Batch {
            events,
            rows_read: self.rows_read,
            excluded: self.excluded,
            rejects: self.rejects,
            notes,
        })
    }
}

/// A note on an export's replies whose thread no post of the export starts: replies all the
/// same (formats: an export's window can cut a thread's post off). A reply that is its own
/// thread (a comment on a file) answers no post and is not counted.
pub fn reply_note(events: &DataFrame) -> PolarsResult<Option<Note>> {
    let action = |a: Action| col(event::ACTION).eq(lit(a.as_str()));
    let started = events
        .clone()
        .lazy()
        .filter(action(Action::Post).and(col(event::THREAD_ID).is_not_null()))
        .select([col(event::THREAD_ID)])
        .unique(None, UniqueKeepStrategy::Any);
    let outside = events
        .clone()
        .lazy()
        .filter(
            action(Action::Reply).and(
                col(event::THREAD_ID)
                    .neq(col(event::EVENT_ID))
                    .fill_null(lit(true)),
            ),
        )
        .join(
            started,
            [col(event::THREAD_ID)],
            [col(event::THREAD_ID)],
            JoinArgs::new(JoinType::Anti),
        )
        .collect()?
        .height() as u64;
    Ok((outside > 0).then(|| Note::counting(Say::ReplyOutside, outside, &[])))
}

/// One account of a user list: id, email, and the days it joined and was deleted.
pub type UserRow = (String, Option<String>, Option<NaiveDate>, Option<NaiveDate>);

/// An accounts table: `source, account, email`, and the dates the account `joined` and was
/// `deleted` (as days, null where the export does not say).
pub fn accounts_frame(source: &str, rows: Vec<UserRow>) -> PolarsResult<DataFrame> {
    let n = rows.len();
    let day = |d: &Option<NaiveDate>| d.map(|d| (d - NaiveDate::default()).num_days() as i32);
    DataFrame::new(
        n,
        vec![
            Column::new("source".into(), vec![source; n]),
            Column::new(
                "account".into(),
                rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "email".into(),
                rows.iter().map(|r| r.1.as_deref()).collect::<Vec<_>>(),
            ),
            Column::new(
                "joined".into(),
                rows.iter().map(|r| day(&r.2)).collect::<Vec<_>>(),
            )
            .cast(&DataType::Date)?,
            Column::new(
                "deleted".into(),
                rows.iter().map(|r| day(&r.3)).collect::<Vec<_>>(),
            )
            .cast(&DataType::Date)?,
        ],
    )
}

/// An empty accounts table, for sources that list no accounts.
pub fn no_accounts() -> DataFrame {
    accounts_frame("", Vec::new()).expect("empty columns")
}

/// An empty canonical events frame.
pub fn empty_events() -> polars::prelude::LazyFrame {
    Collector::new("")
        .finish(Vec::new())
        .expect("empty columns")
        .events
        .lazy()
}

/// What one `[[source]]` gave: its batch, the accounts it lists (`source, account, email,
/// joined, deleted`) and, for usage reports, usage counts.
#[derive(Debug)]
pub struct SourceRead {
    pub batch: Batch,
    pub accounts: DataFrame,
    pub usage: Option<DataFrame>,
}

impl SourceRead {
    /// What a source of events gave.
    pub fn events(batch: Batch, accounts: DataFrame) -> SourceRead {
        SourceRead {
            batch,
            accounts,
            usage: None,
        }
    }
}

/// How an export in a folder or zip is read into its events and the accounts it lists: the
/// archive, the source's label, the zone of times written without one, and how to read
/// (whether bots count, where bodies go).
pub type ArchiveReader = fn(
    &mut super::archive::Archive,
    &str,
    chrono_tz::Tz,
    &Reading,
) -> crate::error::Result<(Batch, DataFrame)>;

/// The adapter contract ([`super::Adapter`]) for an export read whole from a folder or zip.
pub fn read_archive(
    source: &crate::plan::SourcePlan,
    reading: &Reading,
    read: ArchiveReader,
) -> crate::error::Result<SourceRead> {
    let mut archive = super::archive::Archive::open(&source.path, reading.limits)?;
    let (batch, accounts) = read(&mut archive, &source.label, source.timezone, reading)?;
    Ok(SourceRead::events(batch, accounts))
}

/// How exports are opened: the limits a zip must keep, whether bots count as people, and where
/// an adapter that reads a file a batch at a time hands on each batch's events.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reading<'a> {
    pub limits: super::archive::Limits,
    pub include_bots: bool,
    /// Takes each batch of accepted canonical events as it is read, so that a file of any
    /// size is held a batch at a time; without it they are kept in [`Batch::events`].
    pub events_to: Option<EventsTo<'a>>,
    /// Takes the bodies of posts and replies, when themes are on (README "Themes").
    pub texts: Option<&'a super::texts::TextSink<'a>>,
}

/// Where the `events` adapter hands each batch of accepted events (see [`Reading`]).
#[derive(Clone, Copy)]
pub struct EventsTo<'a>(pub &'a dyn Fn(DataFrame, &DataFrame) -> crate::error::Result<()>);

impl std::fmt::Debug for EventsTo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventsTo")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collector_builds_canonical_columns() {
        let mut c = Collector::new("s");
        c.read();
        c.accept(Row {
            event_id: "1".into(),
            occurred_at: 1_700_000_000_000_000,
            actor: Some("u".into()),
            action: Some(Action::Post),
            ..Row::default()
        });
        c.read();
        c.exclude("bot");
        let b = c.finish(vec![]).unwrap();
        assert_eq!(b.rows_read, 2);
        assert_eq!(b.excluded_total(), 1);
        assert_eq!(b.events.height(), 1);
        let names: Vec<&str> = b
            .events
            .get_column_names()
            .iter()
            .map(|s| s.as_str())
            .collect();
        assert_eq!(names, event::ALL.to_vec());
        assert_eq!(
            b.events.column(event::OCCURRED_AT).unwrap().dtype(),
            &DataType::Datetime(TimeUnit::Microseconds, Some(polars::prelude::TimeZone::UTC))
        );
    }

    #[test]
    fn shorten_keeps_char_boundaries() {
        let long = "é".repeat(300);
        let s = shorten(&long);
        assert!(s.ends_with('…'));
        assert!(s.len() <= RAW_LIMIT + '…'.len_utf8());
    }
}
