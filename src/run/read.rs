//! The first leg: every input read, each source through its adapter and screened (excluded
//! accounts and implausible dates leave here, counted), the small tables beside them in full.
//! `run`, `ingest` and `validate` all read through here, so they refuse the same input.

use std::time::Instant;

use polars::prelude::*;

use crate::error::Result;
use crate::ingest::{self, Batch, InputFile};
use crate::log::{Log, Progress};
use crate::normalize::{self, RowCounts};
use crate::plan::{Plan, SourcePlan};

/// What became of one source's rows, kept to the end of the run for the manifest, the
/// report's input table and the rejects files. Its events have moved on.
pub struct Record {
    pub source: SourcePlan,
    pub batch: Batch,
    pub file: InputFile,
    /// Rows read = accepted + duplicates + excluded + rejected, completed as the events are
    /// combined and stored.
    pub counts: RowCounts,
    /// Of the excluded rows, those after the as-of day.
    pub late: u64,
}

/// The small tables read in full: the roster, surveys, identity map and team KPIs.
pub struct Small {
    pub people: Option<(DataFrame, InputFile)>,
    pub surveys: Option<(DataFrame, InputFile)>,
    pub identities: Option<(DataFrame, InputFile)>,
    pub kpis: Vec<(String, DataFrame, InputFile)>,
}

impl Small {
    /// The files of the small tables, in the order the manifest lists them.
    pub fn files(&self) -> Vec<&InputFile> {
        self.people
            .iter()
            .map(|p| &p.1)
            .chain(self.surveys.iter().map(|s| &s.1))
            .chain(self.identities.iter().map(|m| &m.1))
            .chain(self.kpis.iter().map(|k| &k.2))
            .collect()
    }

    pub fn roster(&self) -> Option<&DataFrame> {
        self.people.as_ref().map(|p| &p.0)
    }
}

/// Everything read. The per-source frames are taken by the next leg.
pub struct Inputs {
    pub records: Vec<Record>,
    /// Per source, its events.
    pub events: Vec<DataFrame>,
    /// Per source, its usage counts (usage reports only).
    pub usage: Vec<Option<DataFrame>>,
    /// Per source, the accounts it lists (`source, account, email, joined, deleted`).
    pub accounts: Vec<DataFrame>,
    pub small: Small,
}

/// Reads every input of the plan; `step` names the command in the log.
pub fn inputs(plan: &Plan, log: Log, progress: &Progress, step: &str) -> Result<Inputs> {
    let n = plan.inputs.sources.len();
    let (mut records, mut events, mut usages, mut account_lists) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for source in &plan.inputs.sources {
        let started = Instant::now();
        progress.step(&format!("reading {}", source.given));
        let (mut batch, accounts, usage) = screened(plan, source)?;
        let (bytes, sha256) = ingest::read::fingerprint_any(&source.path)?;
        log.info(
            step,
            &format!("read {} ({})", source.given, source.kind.as_str()),
            &[
                ("rows_read", batch.rows_read),
                ("events", batch.events.height() as u64),
                (
                    "usage_rows",
                    usage.as_ref().map_or(0, |u| u.height() as u64),
                ),
                ("excluded", batch.excluded_total()),
                ("rejected", batch.rejects.len() as u64),
            ],
        );
        progress.done(batch.rows_read, started);
        // A run puts the notes in the manifest and the report; validate has only the log.
        if step == "validate" {
            for note in &batch.notes {
                log.info(step, &format!("{}: {note}", source.given), &[]);
            }
        }
        events.push(std::mem::take(&mut batch.events));
        usages.push(usage);
        account_lists.push(accounts);
        records.push(Record {
            file: InputFile {
                role: "events".into(),
                kind: source.kind.as_str().into(),
                path: source.path.clone(),
                given: source.given.clone(),
                bytes,
                sha256,
                rows_read: batch.rows_read,
            },
            source: source.clone(),
            counts: RowCounts {
                rows_read: batch.rows_read,
                excluded: batch.excluded_total(),
                rejected: batch.rejects.len() as u64,
                ..RowCounts::default()
            },
            late: 0,
            batch,
        });
    }
    // After the sources, as a run always read them: the first problem reported is the same.
    Ok(Inputs {
        records,
        events,
        usage: usages,
        accounts: account_lists,
        small: small(plan)?,
    })
}

/// One source through its adapter, then screened.
fn screened(plan: &Plan, source: &SourcePlan) -> Result<(Batch, DataFrame, Option<DataFrame>)> {
    let reading = ingest::Reading {
        limits: ingest::archive::Limits {
            max_uncompressed_bytes: plan.inputs.max_uncompressed_bytes,
            ..Default::default()
        },
        include_bots: plan.inputs.include_bots,
    };
    let ingest::SourceRead {
        mut batch,
        accounts,
        usage,
    } = ingest::read_source(source, &reading)?;
    let usage = normalize::screen_source(
        &mut batch,
        &accounts,
        usage,
        &plan.screening.exclude_accounts,
        &source.given,
    )?;
    Ok((batch, accounts, usage))
}

/// The roster, surveys, identity map and KPIs, each read in full and checked.
fn small(plan: &Plan) -> Result<Small> {
    let inputs = &plan.inputs;
    Ok(Small {
        people: inputs
            .people
            .as_ref()
            .map(ingest::roster::read)
            .transpose()?,
        surveys: inputs
            .surveys
            .as_ref()
            .map(|s| ingest::surveys::read(&s.input, s.scale))
            .transpose()?,
        identities: inputs
            .identities
            .as_ref()
            .map(ingest::identities::read)
            .transpose()?,
        kpis: inputs
            .kpis
            .iter()
            .map(|(name, input)| {
                ingest::kpis::read(input).map(|(frame, file)| (name.clone(), frame, file))
            })
            .collect::<Result<_>>()?,
    })
}
