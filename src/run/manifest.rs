//! `manifest.json`: what a run read (every input's rows reconciled: read = accepted +
//! duplicates + excluded + rejected), what it wrote (with hashes), the calendar and the
//! population it used and how long each leg took. Run times live here and nowhere else, so
//! the tables and the report stay byte-identical between runs.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use serde::Serialize;

use super::prepare::Prepared;
use super::read::Inputs;
use super::setup::Setup;
use crate::normalize::periods;
use crate::outcomes::privacy::{KeySource, KEY_ENV};
use crate::render::model::InputRow;
use crate::render::words::Language;

/// How long each leg took, in milliseconds, by name.
pub struct Timings {
    started: Instant,
    open: BTreeMap<&'static str, Instant>,
    done: BTreeMap<&'static str, u128>,
}

impl Timings {
    pub fn start() -> Timings {
        let started = Instant::now();
        Timings {
            started,
            open: BTreeMap::new(),
            done: BTreeMap::new(),
        }
    }

    /// A leg that began at `since` has ended.
    pub fn lap(&mut self, name: &'static str, since: Instant) {
        self.done.insert(name, since.elapsed().as_millis());
    }

    /// A span across legs begins now.
    pub fn begin(&mut self, name: &'static str) {
        self.open.insert(name, Instant::now());
    }

    /// A span begun with [`Timings::begin`] ends now.
    pub fn end(&mut self, name: &'static str) {
        if let Some(since) = self.open.remove(name) {
            self.lap(name, since);
        }
    }

    fn finish(mut self) -> BTreeMap<&'static str, u128> {
        self.done
            .insert("total", self.started.elapsed().as_millis());
        self.done
    }
}

#[derive(Serialize)]
pub struct Manifest {
    engage_version: &'static str,
    pipeline: ManifestPipeline,
    as_of: Option<String>,
    periods: ManifestPeriods,
    population: &'static str,
    /// Where the steps that grow with events ran.
    events_from: super::prepare::Engine,
    pseudonym_key: String,
    inputs: Vec<ManifestInput>,
    /// Accounts that matched nobody on the roster (listed in tables/unresolved_accounts.csv).
    #[serde(skip_serializing_if = "Option::is_none")]
    unresolved_accounts: Option<u64>,
    pub outputs: Vec<ManifestOutput>,
    /// Each `[[campaign]]` and whether its measures were estimated (a campaign outside the
    /// data is listed, never dropped).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    campaigns: BTreeMap<String, CampaignStatus>,
    /// The health checks of the delivery (README, "Health checks").
    health: ManifestHealth,
    timings_ms: BTreeMap<&'static str, u128>,
}

/// Each health check with its figure, bound and status, or why none ran.
#[derive(Serialize)]
struct ManifestHealth {
    checked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    why_not: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    on_flag: Option<&'static str>,
    flagged: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checks: Vec<crate::normalize::health::Finding>,
}

fn health(setup: &Setup, inputs: &Inputs) -> ManifestHealth {
    let Some(checked) = &inputs.health else {
        let why_not = if !setup.plan.health.enabled {
            "[health] enabled = false"
        } else if setup.plan.output.store.is_none() {
            "the pipeline keeps no store, so there is no history to compare with"
        } else {
            "no sources were read (--aggregates)"
        };
        return ManifestHealth {
            checked: false,
            why_not: Some(why_not),
            on_flag: None,
            flagged: 0,
            checks: Vec::new(),
        };
    };
    ManifestHealth {
        checked: true,
        why_not: None,
        on_flag: Some(match checked.on_flag {
            crate::plan::OnFlag::Warn => "warn",
            crate::plan::OnFlag::Stop => "stop",
        }),
        flagged: checked.flagged().len(),
        checks: checked.findings.clone(),
    }
}

/// A campaign's name and each measure's status (`estimated`, `outside the data`, ...).
#[derive(Serialize, Clone)]
pub struct CampaignStatus {
    pub name: String,
    pub status: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct ManifestPipeline {
    name: String,
    path: String,
    sha256: String,
}

#[derive(Serialize)]
struct ManifestPeriods {
    kind: &'static str,
    timezone: String,
    first: String,
    last: String,
    count: usize,
    /// Set when a handful of events lie far from the rest and stretch the span.
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<String>,
}

#[derive(Serialize)]
struct ManifestInput {
    role: String,
    kind: String,
    /// The `[[source]]` name (events inputs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    path: String,
    bytes: u64,
    sha256: String,
    rows_read: u64,
    accepted: u64,
    already_stored: u64,
    duplicates: u64,
    excluded: u64,
    rejected: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    excluded_by_reason: BTreeMap<String, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rejects_file: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

#[derive(Serialize)]
pub struct ManifestOutput {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// What the manifest is written from.
pub struct Book<'a> {
    pub inputs: &'a Inputs,
    /// The report's input rows, the same accounting.
    pub rows: &'a [InputRow],
    pub prepared: &'a Prepared,
    pub key_source: &'a KeySource,
    pub rejects_files: &'a [Option<String>],
    /// The profile survey's answers left out, by reason.
    pub profile_left_out: Option<&'a BTreeMap<String, u64>>,
    pub campaigns: &'a BTreeMap<String, CampaignStatus>,
}

pub fn build(
    setup: &Setup,
    book: Book,
    outputs: Vec<ManifestOutput>,
    timings: Timings,
    as_of: Option<NaiveDate>,
) -> Manifest {
    let plan = &setup.plan;
    let calendar = &book.prepared.calendar.periods;
    let label = |p: Option<&periods::Period>| p.map(|p| p.label.clone()).unwrap_or_default();
    Manifest {
        engage_version: env!("CARGO_PKG_VERSION"),
        pipeline: ManifestPipeline {
            name: plan.pipeline.name.clone(),
            path: plan.pipeline.path.to_string_lossy().into_owned(),
            sha256: plan.pipeline.sha256.clone(),
        },
        as_of: as_of.map(|d| d.to_string()),
        periods: ManifestPeriods {
            kind: plan.calendar.period.as_str(),
            timezone: plan.calendar.timezone.name().to_string(),
            first: label(calendar.first()),
            last: label(calendar.last()),
            count: calendar.len(),
            warning: book
                .prepared
                .span_note
                .as_ref()
                .map(|n| Language::En.note(n)),
        },
        population: book.prepared.basis.as_str(),
        events_from: book.prepared.engine.clone(),
        pseudonym_key: match book.key_source {
            KeySource::Environment => format!("environment variable {KEY_ENV}"),
            KeySource::File(p) | KeySource::CreatedFile(p) => relative(p, &plan.folder()),
        },
        inputs: inputs(&book),
        unresolved_accounts: book.prepared.unresolved.as_ref().map(|u| u.height() as u64),
        outputs,
        campaigns: book.campaigns.clone(),
        health: health(setup, book.inputs),
        timings_ms: timings.finish(),
    }
}

/// A row per input, sources first: the report's accounting, with the file's size and hash,
/// and for sources the reasons rows were left out, the rejects file and the notes.
fn inputs(book: &Book) -> Vec<ManifestInput> {
    let records = &book.inputs.records;
    let files = records
        .iter()
        .map(|r| &r.file)
        .chain(book.inputs.small.files());
    book.rows
        .iter()
        .zip(files)
        .enumerate()
        .map(|(i, (row, file))| {
            let record = records.get(i);
            ManifestInput {
                role: row.role.clone(),
                kind: row.kind.clone(),
                source: record.map(|r| r.source.label.clone()),
                path: row.file.clone(),
                bytes: file.bytes,
                sha256: file.sha256.clone(),
                rows_read: row.rows_read,
                accepted: row.accepted,
                already_stored: row.already_stored,
                duplicates: row.duplicates,
                excluded: row.excluded,
                rejected: row.rejected,
                excluded_by_reason: match record {
                    Some(r) => excluded_by_reason(r),
                    None if row.role == crate::ingest::profile::ROLE => {
                        book.profile_left_out.cloned().unwrap_or_default()
                    }
                    None => BTreeMap::new(),
                },
                rejects_file: match record {
                    None if row.role == crate::ingest::profile::ROLE && row.rejected > 0 => {
                        Some(super::rejects::PROFILE_REJECTS.to_string())
                    }
                    _ => book.rejects_files.get(i).cloned().flatten(),
                },
                notes: record
                    .map(|r| r.batch.notes.iter().map(|n| Language::En.note(n)).collect())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

fn excluded_by_reason(record: &super::read::Record) -> BTreeMap<String, u64> {
    let mut by = record.batch.excluded.clone();
    if record.late > 0 {
        by.insert("after the as-of day".into(), record.late);
    }
    by
}

/// A path as the user would write it relative to the pipeline's folder.
fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}
