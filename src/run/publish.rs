//! The last leg: every table as CSV and Parquet (the activity table as Parquet only), the
//! charts and reports, the rejects files and the folder's marker, each written atomically;
//! then the manifest, and whatever an earlier run left that this one did not write removed.

use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::manifest::{Manifest, ManifestOutput};
use super::measure::Measured;
use super::outcome::Weighed;
use super::read::Record;
use super::rejects;
use super::setup::Setup;
use crate::error::{internal, Result};
use crate::normalize::PERIOD_KEY;
use crate::outcomes::privacy::KeySource;
use crate::output;

/// The files of a run, in the order they are written and listed.
pub struct Files {
    files: Vec<(String, Vec<u8>)>,
    rejects: Vec<Option<String>>,
    key_source: KeySource,
}

/// What was written (staged: in place once [`finish`] commits it with the manifest).
pub struct Written {
    pub staged: output::Staged,
    pub outputs: Vec<ManifestOutput>,
    /// Per source, its rejects file, if it has rejects.
    pub rejects_files: Vec<Option<String>>,
    pub key_source: KeySource,
}

/// Every output file's bytes: tables, the folder's marker, the report's files, rejects.
pub fn files(
    setup: &Setup,
    records: &[Record],
    profile_rejects: &[crate::ingest::Reject],
    measured: Measured,
    weighed: Weighed,
    report: Vec<(String, Vec<u8>)>,
) -> Result<Files> {
    let mut activity = with_rung_labels(weighed.activity, setup)?;
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "tables/activity.parquet".into(),
        output::parquet_bytes(&mut activity, "the activity table")?,
    )];
    for (name, table) in tables(
        setup,
        measured,
        weighed.tables,
        weighed.ambassadors,
        weighed.post_reach,
        weighed.unresolved,
    )? {
        let mut table = with_rung_labels(table, setup)?;
        files.push((format!("{name}.csv"), output::csv_bytes(&mut table, &name)?));
        files.push((
            format!("{name}.parquet"),
            output::parquet_bytes(&mut table, &name)?,
        ));
    }
    files.push((
        output::MARKER.into(),
        output::MARKER_TEXT.as_bytes().to_vec(),
    ));
    files.extend(report);
    let (rejects_out, rejects) = rejects::files(records)?;
    files.extend(rejects_out);
    files.extend(rejects::profile_file(setup, profile_rejects)?);
    Ok(Files {
        files,
        rejects,
        key_source: weighed.key_source,
    })
}

/// Beside each rung column (`rung`, `from_rung`, `observed_rung` …) the rung as the report
/// shows it (`rung_label` …): the stable key stays for joins, the label reads in the report's
/// language.
fn with_rung_labels(table: DataFrame, setup: &Setup) -> Result<DataFrame> {
    let names = Series::new("names".into(), &setup.ladder.names);
    let labels = Series::new("labels".into(), super::report::rung_labels(setup));
    let mut out = table;
    let rung_columns: Vec<String> = out
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| c == "rung" || c.ends_with("_rung"))
        .collect();
    for column in rung_columns {
        let label = format!("{column}_label");
        let values = out
            .clone()
            .lazy()
            .select([col(&column)
                .replace(lit(names.clone()), lit(labels.clone()))
                .alias(&label)])
            .collect()
            .map_err(internal("labelling rungs"))?;
        let at = out.get_column_index(&column).map_or(out.width(), |i| i + 1);
        out.insert_column(
            at,
            values
                .column(&label)
                .map_err(internal("labelling rungs"))?
                .clone(),
        )
        .map_err(internal("labelling rungs"))?;
    }
    Ok(out)
}

/// The tables by their path without extension, in the order they are listed.
fn tables(
    setup: &Setup,
    m: Measured,
    outcomes: Vec<(String, DataFrame)>,
    ambassadors: DataFrame,
    post_reach: DataFrame,
    unresolved: Option<DataFrame>,
) -> Result<Vec<(String, DataFrame)>> {
    let without_key = |f: DataFrame| f.drop(PERIOD_KEY).map_err(internal("dropping keys"));
    let mut tables: Vec<(String, DataFrame)> = vec![
        (
            "tables/period_metrics".into(),
            without_key(m.period_metrics)?,
        ),
        ("tables/ladder".into(), without_key(m.rungs)?),
        ("tables/lifecycle".into(), m.lifecycle),
        ("tables/transitions".into(), m.transitions),
        ("tables/retention".into(), m.retention),
        ("tables/post_reach".into(), post_reach),
        ("tables/spaces".into(), m.spaces),
    ];
    tables.extend(m.breakdowns);
    if let Some(matrix) = m.matrix {
        tables.push(("tables/department_interactions".into(), matrix));
    }
    if !setup.plan.metrics.targets.is_empty() {
        tables.push(("tables/targets".into(), m.targets));
    }
    tables.push(("tables/ambassadors".into(), ambassadors));
    tables.extend(super::practice::tables(m.practice)?);
    if let Some(themes) = m.themes {
        tables.push(("tables/themes".into(), themes.by_period));
        tables.push(("tables/themes_by_space".into(), themes.by_space));
    }
    tables.extend(
        outcomes
            .into_iter()
            .map(|(name, t)| (name.trim_end_matches(".csv").to_string(), t)),
    );
    if let Some(unresolved) = unresolved {
        tables.push(("tables/unresolved_accounts".into(), unresolved));
    }
    Ok(tables)
}

/// Writes every file aside in the output folder ([`output::Staged`]), each hashed for the
/// manifest; none replaces a file of the previous run until [`finish`].
pub fn write(setup: &Setup, files: Files) -> Result<Written> {
    let mut outputs = Vec::with_capacity(files.files.len());
    let mut staged = output::Staged::begin(&setup.out_dir)?;
    for (name, bytes) in &files.files {
        staged.put(name, bytes)?;
        crate::checkpoint::reached("output");
        outputs.push(ManifestOutput {
            path: name.clone(),
            bytes: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(bytes)),
        });
    }
    setup.log.info(
        "write",
        &format!("wrote {}", setup.out_dir.display()),
        &[("files", outputs.len() as u64 + 1)],
    );
    Ok(Written {
        staged,
        outputs,
        rejects_files: files.rejects,
        key_source: files.key_source,
    })
}

/// Writes the manifest, puts every file in place at once (the manifest last), then removes
/// what an earlier run wrote and this one did not (a chart of a section that no longer
/// applies, a crashed run's temporary file), so the folder is what the manifest lists.
pub fn finish(setup: &Setup, mut staged: output::Staged, manifest: Manifest) -> Result<()> {
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| crate::error::fault("writing the manifest", e))?;
    staged.put("manifest.json", &json)?;
    staged.commit()?;
    let keep = manifest
        .outputs
        .iter()
        .map(|o| o.path.clone())
        .chain(["manifest.json", crate::lock::LOCK_FILE].map(String::from))
        .collect();
    output::remove_others(&setup.out_dir, &keep)
}
