//! The read leg's part for themes (README "Themes"): with `[themes]` on, one counter per source takes
//! the bodies its adapter reads; when every input is read, the counters become term counts,
//! without the excluded accounts' words and without any term that holds a person's name (from
//! the roster and the exports' user lists).

use std::collections::HashSet;

use chrono::TimeZone as _;
use polars::prelude::*;

use sha2::{Digest, Sha256};

use super::setup::Setup;
use crate::error::{internal, Error, Result};
use crate::ingest::terms::{name_words, normal, Terms};
use crate::ingest::texts::{TermCounts, TextSink};
use crate::normalize::{self, periods};
use crate::plan::Plan;

/// The terms' settings, when themes are on: stop words of the languages and of the
/// pipeline's own file.
pub fn terms(plan: &Plan) -> Result<Option<Terms>> {
    let themes = &plan.themes;
    if !themes.enabled {
        return Ok(None);
    }
    let extra = stop_words(plan)?;
    Ok(Some(Terms::new(&themes.languages, &extra)))
}

/// A counter for one source's bodies: each placed in its period in the pipeline's time zone,
/// those after the as-of day left out.
pub fn sink<'a>(plan: &Plan, terms: &'a Terms, as_of: Option<chrono::NaiveDate>) -> TextSink<'a> {
    let (kind, zone) = (plan.calendar.period, plan.calendar.timezone);
    TextSink::new(
        terms,
        Box::new(move |micros| {
            let at = chrono::DateTime::from_timestamp_micros(micros)?;
            let day = zone.from_utc_datetime(&at.naive_utc()).date_naive();
            match as_of {
                Some(last) if day > last => None,
                _ => Some(periods::key_of_date(kind, day)),
            }
        }),
    )
}

/// Every source's term counts stacked, once the roster is read: its names kept out.
pub fn finish(
    plan: &Plan,
    counted: Vec<(TextSink, String, DataFrame)>,
    roster: Option<&DataFrame>,
) -> Result<Option<TermCounts>> {
    if counted.is_empty() {
        return Ok(None);
    }
    let names = roster_names(roster, plan)?;
    let (mut terms, mut messages) = (Vec::new(), Vec::new());
    for (sink, source, accounts) in counted {
        let excluded: HashSet<String> =
            normalize::excluded_accounts(&accounts, &plan.screening.exclude_accounts)?
                .into_iter()
                .collect();
        let counts = sink.finish(&source, &excluded, &names, plan.privacy.min_group_size)?;
        terms.push(counts.terms.lazy());
        messages.push(counts.messages.lazy());
    }
    let stack = |parts: Vec<LazyFrame>| {
        concat(parts, UnionArgs::default())
            .and_then(LazyFrame::collect)
            .map_err(internal("stacking term counts"))
    };
    Ok(Some(TermCounts {
        terms: stack(terms)?,
        messages: stack(messages)?,
    }))
}

/// Columns of a roster that hold names, read for this alone (the roster's table keeps none).
const NAME_COLUMNS: [&str; 6] = [
    "name",
    "display_name",
    "full_name",
    "first_name",
    "last_name",
    "preferred_name",
];

/// The words of every name on the roster: its ids, e-mail addresses and name columns.
fn roster_names(roster: Option<&DataFrame>, plan: &Plan) -> Result<HashSet<String>> {
    let mut words = HashSet::new();
    let Some(roster) = roster else {
        return Ok(words);
    };
    let mut add = |frame: &DataFrame, column: &str| {
        if let Ok(values) = frame.column(column).and_then(|c| c.str().cloned()) {
            for value in values.iter().flatten() {
                words.extend(name_words(value));
            }
        }
    };
    add(roster, crate::vocabulary::person::PERSON_ID);
    add(roster, crate::vocabulary::person::EMAIL);
    if let Some(people) = &plan.inputs.people {
        let header = crate::ingest::read::read_header(&people.path)?;
        let present: Vec<&String> = header
            .iter()
            .filter(|h| NAME_COLUMNS.contains(&normal(h).as_str()))
            .collect();
        if !present.is_empty() {
            let names = crate::ingest::read::scan_text_csv(&people.path)?
                .select(present.iter().map(|c| col(c.as_str())).collect::<Vec<_>>())
                .collect()
                .map_err(internal("reading the roster's names"))?;
            for c in &present {
                add(&names, c);
            }
        }
    }
    Ok(words)
}

/// The name the store keeps term counts under: the settings that shaped them (period kind,
/// time zone, languages, the stop-word file's words), so counts made otherwise are not mixed.
fn kept_name(plan: &Plan) -> Result<String> {
    let mut settings = vec![
        plan.calendar.period.as_str().to_string(),
        plan.calendar.timezone.name().to_string(),
    ];
    settings.extend(plan.themes.languages.iter().map(|l| l.code().to_string()));
    // The built-in lists: counts kept under other lists are not these.
    settings.push("lists: nltk, engage 1".into());
    settings.push("stop words:".into());
    settings.extend(stop_words(plan)?);
    let hash = Sha256::digest(settings.join("\n"));
    Ok(format!("terms-{}", &hex::encode(hash)[..12]))
}

/// The words of the pipeline's `themes.stop_words` file: one a line, `#` starting a comment.
fn stop_words(plan: &Plan) -> Result<Vec<String>> {
    let Some(file) = &plan.themes.stop_words else {
        return Ok(Vec::new());
    };
    let text = std::fs::read_to_string(&file.path).map_err(|source| Error::Read {
        path: file.path.clone(),
        source,
        help: "themes.stop_words names a UTF-8 text file of words to ignore, one per line".into(),
    })?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect())
}

/// This read's term counts merged into the store's (see `store::terms`); a source period the
/// store counted from more bodies keeps its counts, and the log says so.
pub fn keep(setup: &Setup, store: &crate::store::Store, read: TermCounts) -> Result<TermCounts> {
    let merged = store.merge_terms(&kept_name(&setup.plan)?, &read.terms, &read.messages)?;
    if merged.kept_older > 0 {
        setup.log.info(
            "store",
            "kept the stored term counts of periods this read holds fewer bodies of (a partial export)",
            &[("source_periods", merged.kept_older)],
        );
    }
    Ok(TermCounts {
        terms: merged.terms,
        messages: merged.messages,
    })
}

/// The term counts a store keeps, for a run that reads no export (`--aggregates`).
pub fn stored(plan: &Plan) -> Result<Option<TermCounts>> {
    let (true, Some(root)) = (plan.themes.enabled, &plan.output.store) else {
        return Ok(None);
    };
    let store = crate::store::Store::open(root)?;
    let name = kept_name(plan)?;
    Ok(
        match (
            store.table(&name)?,
            store.table(&format!("{name}-messages"))?,
        ) {
            (Some(terms), Some(messages)) => Some(TermCounts { terms, messages }),
            _ => None,
        },
    )
}
