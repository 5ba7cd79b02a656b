//! The staff survey of self-reported use (spec §9): one row per respondent, how often they say
//! they read, react, comment, post, share and moderate, whether they want to contribute, and
//! any further questions on the same scale. Read and checked here, like the other small
//! tables, so an answer the scale does not know stops the run at its line before anything is
//! computed; who is left out (not on the roster, outside the data) is decided and counted
//! where the comparison is made.

use polars::prelude::*;

use super::batch::InputFile;
use super::read::{self, ROW};
use crate::error::Result;
use crate::plan::InputPath;
use crate::vocabulary::profile::{self as p, BEHAVIOURS, FREQUENCIES, WANTS_ANSWERS};

const FORMAT: &str = "a profile survey CSV";
/// What the file is to the pipeline, as the manifest and the report name it.
pub const ROLE: &str = "profile survey";

/// The answers, lower-cased and trimmed: `person_id, answered_at` (a date), the six
/// behaviours, `wants_to_contribute` (null when unanswered) and the further questions in the
/// file's order (null when unanswered).
pub fn read(input: &InputPath) -> Result<(DataFrame, InputFile)> {
    let path = &input.path;
    let required: Vec<&str> = [p::PERSON_ID, p::ANSWERED_AT]
        .into_iter()
        .chain(BEHAVIOURS.iter().map(|(b, _)| *b))
        .chain([p::WANTS])
        .collect();
    let (header, scan) = read::open_checked_csv(
        path,
        &required,
        FORMAT,
        &format!(
            "the profile survey needs the columns {}; further columns are questions answered {}",
            required.join(", "),
            FREQUENCIES.join(", ")
        ),
    )?;
    let extras = further(&header);
    let answer = |name: &str| {
        col(name)
            .str()
            .strip_chars(lit(NULL))
            .str()
            .to_lowercase()
            .alias(name)
    };
    let raw = |name: &str| col(name).alias(format!("__raw_{name}"));
    let mut columns = vec![
        col(ROW),
        col(p::PERSON_ID).str().strip_chars(lit(NULL)),
        read::parse_date(col(p::ANSWERED_AT)).alias(p::ANSWERED_AT),
        raw(p::ANSWERED_AT),
    ];
    for name in BEHAVIOURS.iter().map(|(b, _)| *b).chain([p::WANTS]) {
        columns.extend([answer(name), raw(name)]);
    }
    for name in &extras {
        columns.extend([answer(name), raw(name)]);
    }
    let frame = read::collect_file(scan.select(columns), path)?;
    check(&frame, &extras, path)?;
    let keep: Vec<String> = [p::PERSON_ID, p::ANSWERED_AT]
        .into_iter()
        .chain(BEHAVIOURS.iter().map(|(b, _)| *b))
        .chain([p::WANTS])
        .map(String::from)
        .chain(extras)
        .collect();
    let rows_read = frame.height() as u64;
    let out = frame
        .select(keep)
        .map_err(crate::error::internal("reading the profile survey"))?;
    let (bytes, sha256) = read::fingerprint(path)?;
    Ok((
        out,
        InputFile {
            role: ROLE.into(),
            kind: "self-reported use".into(),
            path: path.clone(),
            given: input.given.clone(),
            bytes,
            sha256,
            rows_read,
        },
    ))
}

/// The further questions: every column the layout does not name, in the file's order.
pub fn further(header: &[String]) -> Vec<String> {
    header
        .iter()
        .filter(|h| {
            ![p::PERSON_ID, p::ANSWERED_AT, p::WANTS].contains(&h.as_str())
                && !BEHAVIOURS.iter().any(|(b, _)| b == h)
        })
        .cloned()
        .collect()
}

fn one_of(name: &str, answers: &[&str]) -> Expr {
    col(name).is_in(
        lit(Series::new("answers".into(), answers.to_vec())).implode(false),
        false,
    )
}

/// Refuses the file at the first row with no respondent, no readable date, a behaviour not on
/// the scale, or an answer the scale does not know (further questions and
/// `wants_to_contribute` may be left blank).
fn check(frame: &DataFrame, extras: &[String], path: &std::path::Path) -> Result<()> {
    read::reject_if_any(
        frame,
        col(p::PERSON_ID).is_null(),
        p::PERSON_ID,
        path,
        "missing person_id",
        "give every respondent the person_id the roster uses",
    )?;
    read::reject_if_any(
        frame,
        col(p::ANSWERED_AT).is_null(),
        &format!("__raw_{}", p::ANSWERED_AT),
        path,
        "unreadable answered_at",
        "write the day the survey was answered as YYYY-MM-DD",
    )?;
    let scale = FREQUENCIES.join(", ");
    for (name, _) in BEHAVIOURS {
        read::reject_if_any(
            frame,
            one_of(name, &FREQUENCIES).not().or(col(name).is_null()),
            &format!("__raw_{name}"),
            path,
            &format!("unknown answer to {name}"),
            &format!("answer {name} with one of {scale}"),
        )?;
    }
    for name in extras {
        read::reject_if_any(
            frame,
            col(name.as_str()).is_not_null().and(one_of(name, &FREQUENCIES).not()),
            &format!("__raw_{name}"),
            path,
            &format!("unknown answer to {name}"),
            &format!(
                "further columns are questions on the same scale ({scale}), or blank; remove columns of other kinds"
            ),
        )?;
    }
    read::reject_if_any(
        frame,
        col(p::WANTS)
            .is_not_null()
            .and(one_of(p::WANTS, &WANTS_ANSWERS).not()),
        &format!("__raw_{}", p::WANTS),
        path,
        "unknown answer to wants_to_contribute",
        &format!(
            "answer with one of {}, or leave it blank",
            WANTS_ANSWERS.join(", ")
        ),
    )
}
