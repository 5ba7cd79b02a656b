//! The term counts of themes (README "Themes") kept beside the partitions, so that a nightly run that
//! reads only this month's export still reports every earlier month's themes. Bodies are
//! never stored; counts per source, period, space and term cannot be added up across reads
//! (the same person may write in both), so for each source and period the read that counted
//! at least as many bodies replaces what was kept, and a read with fewer (a partial export
//! of a period already kept) leaves the kept counts alone.

use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::output;
use crate::vocabulary::themes as t;

/// The merged counts, and how many source periods kept the stored counts because this read
/// held fewer bodies of them.
pub struct MergedTerms {
    pub terms: DataFrame,
    pub messages: DataFrame,
    pub kept_older: u64,
}

const TERM_ORDER: &[&str] = &[t::SOURCE, t::PERIOD, t::SPACE, t::TERM];
const MESSAGE_ORDER: &[&str] = &[t::SOURCE, t::PERIOD];

fn fail(what: &str) -> impl FnOnce(PolarsError) -> Error + '_ {
    move |source| Error::Polars {
        what: what.to_string(),
        source,
        help: "the store may be damaged: move it aside and ingest the exports again".into(),
    }
}

/// Merges a read's term counts into those the store at `root` keeps under `name` (which
/// names the settings that shaped them: calendar, languages, stop words), writes the result
/// and returns it.
pub fn merge(
    root: &Path,
    name: &str,
    terms: &DataFrame,
    messages: &DataFrame,
) -> Result<MergedTerms> {
    let messages_name = format!("{name}-messages");
    let (Some(old_terms), Some(old_messages)) = (read(root, name)?, read(root, &messages_name)?)
    else {
        return Ok(MergedTerms {
            terms: put_sorted(root, name, terms.clone().lazy(), TERM_ORDER)?,
            messages: put_sorted(root, &messages_name, messages.clone().lazy(), MESSAGE_ORDER)?,
            kept_older: 0,
        });
    };
    let key = || [col(t::SOURCE), col(t::PERIOD)];
    let taken = messages
        .clone()
        .lazy()
        .join(
            old_messages.clone().lazy().select([
                col(t::SOURCE),
                col(t::PERIOD),
                col(t::MESSAGES).alias("__old"),
            ]),
            key(),
            key(),
            JoinArgs::new(JoinType::Left),
        )
        .filter(
            col("__old")
                .is_null()
                .or(col(t::MESSAGES).gt_eq(col("__old"))),
        )
        .select(key())
        .collect()
        .map_err(fail("merging term counts"))?;
    let kept_older = (messages.height() - taken.height()) as u64;
    let merged = |old: &DataFrame, new: &DataFrame| {
        let keep = JoinArgs::new(JoinType::Anti);
        let take = JoinArgs::new(JoinType::Semi);
        concat(
            [
                old.clone()
                    .lazy()
                    .join(taken.clone().lazy(), key(), key(), keep),
                new.clone()
                    .lazy()
                    .join(taken.clone().lazy(), key(), key(), take),
            ],
            UnionArgs::default(),
        )
        .map_err(fail("merging term counts"))
    };
    Ok(MergedTerms {
        terms: put_sorted(root, name, merged(&old_terms, terms)?, TERM_ORDER)?,
        messages: put_sorted(
            root,
            &messages_name,
            merged(&old_messages, messages)?,
            MESSAGE_ORDER,
        )?,
        kept_older,
    })
}

/// A kept table, if the store has it.
fn read(root: &Path, name: &str) -> Result<Option<DataFrame>> {
    let path = root.join(format!("{name}.parquet"));
    if !path.is_file() {
        return Ok(None);
    }
    let file = std::fs::File::open(&path).map_err(|source| Error::Read {
        path: path.clone(),
        source,
        help: "check that the store folder is readable".into(),
    })?;
    ParquetReader::new(file)
        .finish()
        .map(Some)
        .map_err(fail("reading the store's term counts"))
}

/// Writes a kept table sorted by `order`, so the same counts give the same bytes.
fn put_sorted(root: &Path, name: &str, rows: LazyFrame, order: &[&str]) -> Result<DataFrame> {
    let mut sorted = rows
        .sort(
            order.to_vec(),
            SortMultipleOptions::default().with_nulls_last(false),
        )
        .collect()
        .map_err(fail("sorting term counts"))?;
    let bytes = output::parquet_bytes(&mut sorted, name)?;
    output::write_atomic(&root.join(format!("{name}.parquet")), &bytes)?;
    Ok(sorted)
}
