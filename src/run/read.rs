//! The first leg: every input read, each source through its adapter and screened (excluded
//! accounts and implausible dates leave here, counted), the small tables beside them in full.
//! `run`, `ingest` and `validate` all read through here, so they refuse the same input.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Instant;

use polars::prelude::*;

use super::bodies as themes;
use crate::error::Result;
use crate::ingest::texts::{TermCounts, TextSink};
use crate::ingest::{self, Batch, InputFile};
use crate::log::{Log, Progress};
use crate::normalize::{self, RowCounts};
use crate::plan::{Plan, SourcePlan};
use crate::store::Spill;

use chrono::NaiveDate;

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
    /// The events it delivered, tallied for the health checks (`None` for `validate`).
    pub delivery: Option<crate::normalize::health::Delivery>,
}

/// The small tables read in full: the roster, surveys, identity map and team KPIs.
pub struct Small {
    pub people: Option<(DataFrame, InputFile)>,
    pub surveys: Option<(DataFrame, InputFile)>,
    /// The staff survey of self-reported use, and its rejected rows.
    pub profile: Option<ingest::profile::Read>,
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
            .chain(self.profile.iter().map(|s| &s.file))
            .chain(self.identities.iter().map(|m| &m.1))
            .chain(self.kpis.iter().map(|k| &k.2))
            .collect()
    }

    pub fn roster(&self) -> Option<&DataFrame> {
        self.people.as_ref().map(|p| &p.0)
    }
}

/// Everything read. The sources' events have gone to the spill; the per-source frames here
/// are taken by the next leg.
pub struct Inputs {
    pub records: Vec<Record>,
    /// Per source, its usage counts (usage reports only).
    pub usage: Vec<Option<DataFrame>>,
    /// Per source, the accounts it lists (`source, account, email, joined, deleted`).
    pub accounts: Vec<DataFrame>,
    pub small: Small,
    /// With themes on, the term counts of every source's bodies (README "Themes"); with a store, the
    /// next leg merges them with the stored ones.
    pub terms: Option<TermCounts>,
    /// What the health checks found, once the store leg ran them (pipelines with a store).
    pub health: Option<super::health::Checked>,
}

/// [`inputs`] for `run` and `ingest`: the sources' events go to `spill`; bodies after `as_of`
/// are not counted.
pub fn spilled(
    setup: &super::setup::Setup,
    progress: &Progress,
    spill: &Spill,
    as_of: Option<NaiveDate>,
) -> Result<Inputs> {
    let how = How {
        step: "ingest",
        spill: Some(spill),
        as_of,
    };
    inputs(&setup.plan, setup.log, progress, how)
}

/// What a command reads for: its name in the log, where events go (`validate` keeps none) and
/// the as-of day.
pub struct How<'a> {
    pub step: &'a str,
    pub spill: Option<&'a Spill>,
    pub as_of: Option<NaiveDate>,
}

/// Reads every input of the plan, handing the sources' events to the spill a batch at a time.
pub fn inputs(plan: &Plan, log: Log, progress: &Progress, how: How) -> Result<Inputs> {
    let How { step, spill, as_of } = how;
    let terms = themes::terms(plan)?;
    let mut counted = Vec::new();
    let n = plan.inputs.sources.len();
    let (mut records, mut usages, mut account_lists) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for (input, source) in plan.inputs.sources.iter().enumerate() {
        let started = Instant::now();
        progress.step(&format!("reading {}", source.given));
        let texts = terms.as_ref().map(|t| themes::sink(plan, t, as_of));
        let hand_on = HandOn {
            plan,
            source,
            input,
            spill,
            texts: texts.as_ref(),
            screened: RefCell::new(Screened::default()),
        };
        let (mut batch, accounts, usage) = hand_on.read()?;
        let (events, delivery) = hand_on.finish(&mut batch)?;
        if let Some(texts) = texts {
            counted.push((texts, source.label.clone(), accounts.clone()));
        }
        let (bytes, sha256) = ingest::read::fingerprint_any(&source.path)?;
        if let Some(same) = records
            .iter()
            .find(|r: &&Record| bytes > 0 && r.file.sha256 == sha256)
        {
            return Err(crate::error::Error::Usage {
                message: format!(
                    "the sources {:?} ({}) and {:?} ({}) are the same export, byte for byte: its events would be counted twice",
                    same.source.label, same.file.given, source.label, source.given
                ),
                help: "list each export once in the pipeline file: remove one of the two [[source]] sections".into(),
            });
        }
        log.info(
            step,
            &format!("read {} ({})", source.given, source.kind.as_str()),
            &[
                ("rows_read", batch.rows_read),
                ("events", events),
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
                let said = crate::render::words::Language::En.note(note);
                log.info(step, &format!("{}: {said}", source.given), &[]);
            }
        }
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
            delivery,
        });
    }
    // After the sources, as a run always read them: the first problem reported is the same.
    let small = small(plan)?;
    warn_unknown_sources(plan, &small, log)?;
    Ok(Inputs {
        terms: themes::finish(plan, counted, small.roster())?,
        records,
        usage: usages,
        accounts: account_lists,
        small,
        health: None,
    })
}

/// One source on its way from its adapter to the spill: each batch of events screened
/// (excluded accounts and implausible dates leave here, counted) and spilled.
struct HandOn<'a> {
    plan: &'a Plan,
    source: &'a SourcePlan,
    input: usize,
    spill: Option<&'a Spill>,
    /// Where bodies go, with themes on.
    texts: Option<&'a TextSink<'a>>,
    screened: RefCell<Screened>,
}

/// What screening took out of the batches handed on, and the events it passed, tallied.
#[derive(Default)]
struct Screened {
    rejects: Vec<ingest::Reject>,
    excluded: BTreeMap<String, u64>,
    events: u64,
    tally: crate::normalize::health::Tally,
}

impl HandOn<'_> {
    /// The source through its adapter; its usage counts screened.
    fn read(&self) -> Result<(Batch, DataFrame, Option<DataFrame>)> {
        // A source that streams its events hands on the accounts they belong to (its user
        // list, read first), so screening by e-mail works on every batch.
        let hand_on = |events: DataFrame, accounts: &DataFrame| self.events(events, accounts);
        let reading = ingest::Reading {
            limits: ingest::archive::Limits {
                max_uncompressed_bytes: self.plan.inputs.max_uncompressed_bytes,
                ..Default::default()
            },
            include_bots: self.plan.inputs.include_bots,
            events_to: Some(ingest::EventsTo(&hand_on)),
            texts: self.texts,
        };
        let ingest::SourceRead {
            mut batch,
            accounts,
            usage,
        } = ingest::read_source(self.source, &reading)?;
        // Adapters that read an export whole keep its events in the batch.
        let none = ingest::empty_events()
            .collect()
            .map_err(crate::error::internal("reading events"))?;
        let events = std::mem::replace(&mut batch.events, none);
        self.events(events, &accounts)?;
        let usage = normalize::screen_source(
            &mut batch,
            &accounts,
            usage,
            &self.plan.screening.exclude_accounts,
            &self.source.given,
        )?;
        Ok((batch, accounts, usage))
    }

    /// One batch of events screened and spilled.
    fn events(&self, events: DataFrame, accounts: &DataFrame) -> Result<()> {
        let mut part = Batch {
            events,
            rows_read: 0,
            excluded: BTreeMap::new(),
            rejects: Vec::new(),
            notes: Vec::new(),
        };
        normalize::screen_source(
            &mut part,
            accounts,
            None,
            &self.plan.screening.exclude_accounts,
            &self.source.given,
        )?;
        {
            let mut screened = self.screened.borrow_mut();
            screened.rejects.append(&mut part.rejects);
            for (reason, n) in part.excluded {
                *screened.excluded.entry(reason).or_insert(0) += n;
            }
            screened.events += part.events.height() as u64;
            if self.spill.is_some() {
                let tz = self.plan.calendar.timezone;
                screened
                    .tally
                    .add(&part.events, tz)
                    .map_err(crate::error::internal("tallying the delivery"))?;
            }
        }
        match self.spill {
            Some(spill) => spill.add(self.input, part.events),
            None => Ok(()),
        }
    }

    /// Adds what screening took out to the source's batch; the events it passed, and with a
    /// spill, their tally.
    fn finish(
        self,
        batch: &mut Batch,
    ) -> Result<(u64, Option<crate::normalize::health::Delivery>)> {
        let spilled = self.spill.is_some();
        let screened = self.screened.into_inner();
        batch.rejects.extend(screened.rejects);
        for (reason, n) in screened.excluded {
            *batch.excluded.entry(reason).or_insert(0) += n;
        }
        let delivery = match spilled {
            true => Some(
                screened
                    .tally
                    .finish()
                    .map_err(crate::error::internal("tallying the delivery"))?,
            ),
            false => None,
        };
        Ok((screened.events, delivery))
    }
}

/// [`Inputs`] for a run whose events were read elsewhere (`--aggregates`): the small tables
/// alone, no source read.
pub fn small_only(setup: &super::setup::Setup) -> Result<Inputs> {
    Ok(Inputs {
        records: Vec::new(),
        usage: Vec::new(),
        accounts: Vec::new(),
        small: small(&setup.plan)?,
        terms: None,
        health: None,
    })
}

/// Says in the log how many identity-map rows name a source the pipeline does not have: a
/// map shared by several pipelines is normal, a misspelt source name is not, and either way
/// those rows map nothing here.
fn warn_unknown_sources(plan: &Plan, small: &Small, log: Log) -> Result<()> {
    let Some((map, file)) = &small.identities else {
        return Ok(());
    };
    let known: Vec<String> = plan
        .inputs
        .sources
        .iter()
        .map(|s| s.label.clone())
        .collect();
    let unknown = map
        .clone()
        .lazy()
        .filter(
            col("source")
                .is_in(
                    lit(Series::new("known".into(), known)).implode(false),
                    false,
                )
                .not(),
        )
        .group_by([col("source")])
        .agg([len().alias("rows")])
        .sort(["source"], Default::default())
        .collect()
        .map_err(crate::error::internal(
            "checking the identity map's sources",
        ))?;
    let sources = unknown.column("source").and_then(|c| c.str().cloned());
    let rows = unknown
        .column("rows")
        .and_then(|c| c.cast(&DataType::UInt64));
    if let (Ok(sources), Ok(rows)) = (sources, rows) {
        let rows = rows.u64().map_err(crate::error::internal("counting"))?;
        for (source, n) in sources.iter().zip(rows.iter()) {
            log.warn(
                "identities",
                &format!(
                    "{}: {} rows name the source {:?}, which this pipeline does not have; they map nothing here (a [[source]] name misspelt?)",
                    file.given,
                    n.unwrap_or(0),
                    source.unwrap_or("")
                ),
            );
        }
    }
    Ok(())
}

/// The roster, surveys, identity map and KPIs, each read in full and checked.
pub fn small(plan: &Plan) -> Result<Small> {
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
        profile: inputs
            .profile_survey
            .as_ref()
            .map(ingest::profile::read)
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
