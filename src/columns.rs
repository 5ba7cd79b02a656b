//! Small result tables (one row per period, rung, team, space or target) read into plain
//! vectors, for the code that works on them row by row after the frames have done the heavy
//! lifting. A missing column or an unexpected type is an internal error, never a panic.

use polars::prelude::*;

use crate::error::{internal, Result};

fn column<'a>(frame: &'a DataFrame, name: &str) -> Result<&'a Column> {
    frame
        .column(name)
        .map_err(internal("reading a result table"))
}

fn cast(frame: &DataFrame, name: &str, to: &DataType) -> Result<Column> {
    column(frame, name)?
        .cast(to)
        .map_err(internal("reading a result table"))
}

pub fn u32s(frame: &DataFrame, name: &str) -> Result<Vec<Option<u32>>> {
    Ok(cast(frame, name, &DataType::UInt32)?
        .u32()
        .map_err(internal("reading a result table"))?
        .iter()
        .collect())
}

/// Columns of people counts (UInt32) as whole numbers, `counts[column][row]`, an empty cell
/// as nobody: the cells of a suppression grid.
pub fn counts(frame: &DataFrame, names: &[&str]) -> Result<Vec<Vec<u64>>> {
    names
        .iter()
        .map(|name| {
            Ok(u32s(frame, name)?
                .into_iter()
                .map(|v| u64::from(v.unwrap_or(0)))
                .collect())
        })
        .collect()
}

pub fn i32s(frame: &DataFrame, name: &str) -> Result<Vec<Option<i32>>> {
    Ok(cast(frame, name, &DataType::Int32)?
        .i32()
        .map_err(internal("reading a result table"))?
        .iter()
        .collect())
}

pub fn f64s(frame: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    Ok(cast(frame, name, &DataType::Float64)?
        .f64()
        .map_err(internal("reading a result table"))?
        .iter()
        .collect())
}

pub fn bools(frame: &DataFrame, name: &str) -> Result<Vec<Option<bool>>> {
    Ok(column(frame, name)?
        .bool()
        .map_err(internal("reading a result table"))?
        .iter()
        .collect())
}

/// Text values, missing ones as `None`.
pub fn opt_strs(frame: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    Ok(column(frame, name)?
        .str()
        .map_err(internal("reading a result table"))?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// Text values, missing ones as empty text.
pub fn strs(frame: &DataFrame, name: &str) -> Result<Vec<String>> {
    Ok(opt_strs(frame, name)?
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect())
}
