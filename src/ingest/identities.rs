//! The identity map (`[identities] path = ...`): `source, account, person_id` rows saying which
//! person an account of a source belongs to, for accounts whose email does not tell.

use polars::prelude::*;

use super::batch::InputFile;
use super::read::{self, ROW};
use crate::error::Result;
use crate::plan::InputPath;

const COLUMNS: [&str; 3] = ["source", "account", "person_id"];

/// Reads the identity map; every row needs all three values, and an account appears once.
pub fn read(input: &InputPath) -> Result<(DataFrame, InputFile)> {
    let path = &input.path;
    let (_, scan) = read::open_checked_csv(
        path,
        &COLUMNS,
        "an identity map CSV",
        "the identity map needs the columns source (the [[source]] name), account (as the source writes it) and person_id (as the roster writes it)",
    )?;
    let scanned = scan.select([
        col(ROW),
        col("source").str().strip_chars(lit(NULL)),
        col("account").str().strip_chars(lit(NULL)),
        col("person_id").str().strip_chars(lit(NULL)),
    ]);
    let frame = read::collect_file(scanned, path)?;
    for column in COLUMNS {
        read::reject_if_any(
            &frame,
            col(column).is_null(),
            column,
            path,
            &format!("missing {column}"),
            "fill in source, account and person_id on every row",
        )?;
    }
    let repeated = len()
        .over([col("source"), col("account")])
        .map_err(crate::error::internal("checking the identity map"))?
        .gt(lit(1));
    read::reject_if_any(
        &frame,
        repeated,
        "account",
        path,
        "account mapped more than once",
        "keep one row per (source, account)",
    )?;
    read::finish(frame, COLUMNS, input, "identities", "identity map")
}
