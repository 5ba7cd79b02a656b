//! The Spark job's tables read back: each a folder of Parquet files (Spark's `_SUCCESS` and
//! other marker files ignored), its rows put in one order so that the run that reads them is
//! byte-identical whatever way Spark split them, and its `about` row checked against the
//! settings of the run that reads them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::Settings;
use crate::error::{internal, Error, Result};
use crate::vocabulary::{handoff, usage};

/// What the event-scale step handed on, ready for the rest of the run.
pub struct Handed {
    /// The tables the queries over events are answered from, by name.
    pub tables: BTreeMap<String, DataFrame>,
    /// The store's usage counts, if it has any.
    pub usage: Option<DataFrame>,
    /// The store's accounts (`source, account, email, joined, deleted`).
    pub accounts: DataFrame,
}

/// Reads the tables a job with `expected` settings wrote to `folder`.
pub fn read(folder: &Path, expected: &Settings) -> Result<Handed> {
    if !folder.is_dir() {
        return Err(Error::Usage {
            message: format!("--aggregates {}: no such folder", folder.display()),
            help: "give the folder the Spark job wrote its tables to (its OUTPUT_URI); copy it to this machine first if the job wrote to object storage".into(),
        });
    }
    let about = table(folder, handoff::ABOUT)?.filter(|t| t.height() == 1);
    let Some(about) = about.filter(|a| settings_of(a).is_none_or(|s| s != UNFINISHED)) else {
        return Err(unfinished(folder, handoff::ABOUT));
    };
    check(folder, &about, expected)?;
    let mut tables = BTreeMap::new();
    for name in handoff::ALL {
        // The weekly table is written only for pipelines with a campaign (the settings checked
        // above say whether this one has).
        let unwritten = name == handoff::WEEKLY && !expected.weeks;
        if [handoff::ABOUT, handoff::USAGE].contains(&name) || unwritten {
            continue;
        }
        let frame = table(folder, name)?.ok_or_else(|| unfinished(folder, name))?;
        tables.insert(name.to_string(), frame);
    }
    let accounts = tables
        .remove(handoff::ACCOUNTS)
        .map(conform_accounts)
        .transpose()?
        .unwrap_or_else(crate::ingest::no_accounts);
    let usage = table(folder, handoff::USAGE)?
        .map(conform_usage)
        .transpose()?;
    Ok(Handed {
        tables,
        usage,
        accounts,
    })
}

fn unfinished(folder: &Path, name: &str) -> Error {
    Error::Usage {
        message: format!(
            "{} holds no finished table {name}: the Spark job did not finish, or this is not the folder it wrote",
            folder.display()
        ),
        help: "run the job again (spark-submit engage_job.py STORE_URI OUTPUT_URI) and give its OUTPUT_URI; the job writes `about` last, when every other table is written".into(),
    }
}

/// What `about` holds while the job is still writing its tables.
const UNFINISHED: &str = "unfinished";

fn settings_of(about: &DataFrame) -> Option<String> {
    let settings = about.column("settings").ok()?.str().ok()?.get(0)?;
    Some(settings.to_string())
}

/// Refuses tables made with settings other than the run's, naming each that differs.
fn check(folder: &Path, about: &DataFrame, expected: &Settings) -> Result<()> {
    let written = settings_of(about).unwrap_or_default();
    let written = written.as_str();
    let wanted = expected.describe();
    if written == wanted {
        return Ok(());
    }
    let theirs: Vec<&str> = written.lines().collect();
    let differ: Vec<String> = wanted
        .lines()
        .filter(|l| !theirs.contains(l))
        .map(|l| {
            let key = l.split(':').next().unwrap_or(l);
            let job = theirs
                .iter()
                .find(|t| t.starts_with(&format!("{key}:")))
                .unwrap_or(&"(not given)");
            format!("  job: {job}\n  run: {l}")
        })
        .collect();
    Err(Error::Usage {
        message: format!(
            "the tables in {} were computed with other settings:\n{}",
            folder.display(),
            differ.join("\n")
        ),
        help: "write the job again with this pipeline and --as-of (engage spark-job PIPELINE.toml --out DIR) and run it, or run with the settings the tables were made with".into(),
    })
}

/// One table's rows from its folder, sorted by every column; `None` when there is no folder.
/// A folder without Parquet files (Spark writes none for an empty result on some versions)
/// is an empty table without columns, which the query reading it fills in.
fn table(folder: &Path, name: &str) -> Result<Option<DataFrame>> {
    let dir = folder.join(name);
    if !dir.is_dir() {
        return Ok(None);
    }
    let read_err = |path: &PathBuf| {
        let path = path.clone();
        move |source: std::io::Error| Error::Read {
            path,
            source,
            help: "check that the Spark job's output folder is complete and readable".into(),
        }
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(read_err(&dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".parquet") && !name.starts_with(['_', '.'])
        })
        .collect();
    files.sort();
    let mut frames = Vec::with_capacity(files.len());
    for path in &files {
        let file = std::fs::File::open(path).map_err(read_err(path))?;
        let frame = ParquetReader::new(file).finish().map_err(Error::polars(
            format!("reading {}", path.display()),
            "the Spark job's output is damaged; run the job again",
        ))?;
        frames.push(frame.lazy());
    }
    if frames.is_empty() {
        return Ok(Some(DataFrame::empty()));
    }
    let all = concat(frames, UnionArgs::default())
        .and_then(|l| l.collect())
        .map_err(internal("stacking a table of the Spark job"))?;
    let by: Vec<PlSmallStr> = all.get_column_names_owned();
    all.sort(by, SortMultipleOptions::default().with_maintain_order(true))
        .map(Some)
        .map_err(internal("ordering a table of the Spark job"))
}

/// The store's accounts as the run reads them.
fn conform_accounts(frame: DataFrame) -> Result<DataFrame> {
    if frame.width() == 0 {
        return Ok(crate::ingest::no_accounts());
    }
    let schema = crate::ingest::no_accounts().schema().clone();
    conform(frame, |name| schema.get(name).cloned())
}

/// The store's usage counts as the run reads them (Spark has no unsigned integers).
fn conform_usage(frame: DataFrame) -> Result<DataFrame> {
    conform(frame, |name| match name {
        n if usage::MEASURES.contains(&n) => Some(DataType::UInt32),
        usage::WINDOW_DAYS => Some(DataType::Int32),
        usage::WINDOW_END => Some(DataType::Date),
        _ => None,
    })
}

fn conform(frame: DataFrame, dtype: impl Fn(&str) -> Option<DataType>) -> Result<DataFrame> {
    let columns: Vec<Expr> = frame
        .get_column_names()
        .into_iter()
        .map(|name| match dtype(name) {
            Some(t) => col(name.clone()).strict_cast(t),
            None => col(name.clone()),
        })
        .collect();
    frame
        .lazy()
        .select(columns)
        .collect()
        .map_err(Error::polars(
            "reading the store's tables as the Spark job copied them",
            "run the job again over the same store",
        ))
}
