//! The staff survey of self-reported use (README "What people say, campaigns and leaders"): one row per respondent, how often they say
//! they read, react, comment, post, share and moderate, whether they want to contribute, and
//! any further questions on the same scale. A file without the columns stops the run; a row
//! that cannot be read (no respondent, no date, an answer the scale does not know) is
//! rejected with its line and reason, so one typo among thousands of answers does not cost a
//! nightly run. Who is left out (not on the roster, outside the data) is decided and counted
//! where the comparison is made.

use polars::prelude::*;

use super::batch::{shorten, InputFile, Reject};
use super::read::{self, ROW};
use crate::error::Result;
use crate::plan::InputPath;
use crate::vocabulary::profile::{self as p, BEHAVIOURS, FREQUENCIES, WANTS_ANSWERS};

const FORMAT: &str = "a profile survey CSV";
/// What the file is to the pipeline, as the manifest and the report name it.
pub const ROLE: &str = "profile survey";

/// The answers read and the rows rejected.
pub struct Read {
    /// Lower-cased and trimmed: `person_id, answered_at` (a date), the six behaviours,
    /// `wants_to_contribute` (null when unanswered) and the further questions in the file's
    /// order (null when unanswered).
    pub answers: DataFrame,
    pub file: InputFile,
    /// Each row that could not be read: its line, the value and what to do.
    pub rejects: Vec<Reject>,
}

/// Reads the survey; every row is an answer or a reject.
pub fn read(input: &InputPath) -> Result<Read> {
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
    let rows_read = frame.height() as u64;
    let (frame, rejects) = reject_bad_rows(frame, &extras, input)?;
    let keep: Vec<String> = [p::PERSON_ID, p::ANSWERED_AT]
        .into_iter()
        .chain(BEHAVIOURS.iter().map(|(b, _)| *b))
        .chain([p::WANTS])
        .map(String::from)
        .chain(extras)
        .collect();
    let out = frame
        .select(keep)
        .map_err(crate::error::internal("reading the profile survey"))?;
    let (bytes, sha256) = read::fingerprint(path)?;
    Ok(Read {
        answers: out,
        file: InputFile {
            role: ROLE.into(),
            kind: "self-reported use".into(),
            path: path.clone(),
            given: input.given.clone(),
            bytes,
            sha256,
            rows_read,
        },
        rejects,
    })
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

/// A row's first problem: the condition, the raw column to show and the reason with its fix.
type Problem = (Expr, String, String);

/// The checks of every row, in the order a row's first problem is named: a respondent, a
/// readable date, each behaviour on the scale, further questions on the scale or blank, and
/// `wants_to_contribute` one of its answers or blank.
fn problems(extras: &[String]) -> Vec<Problem> {
    let raw = |name: &str| format!("__raw_{name}");
    let scale = FREQUENCIES.join(", ");
    let mut checks: Vec<Problem> = vec![
        (
            col(p::PERSON_ID).is_null(),
            p::PERSON_ID.into(),
            "missing person_id: give every respondent the person_id the roster uses".into(),
        ),
        (
            col(p::ANSWERED_AT).is_null(),
            raw(p::ANSWERED_AT),
            "unreadable answered_at: write the day the survey was answered as YYYY-MM-DD".into(),
        ),
    ];
    for (name, _) in BEHAVIOURS {
        checks.push((
            one_of(name, &FREQUENCIES).not().or(col(name).is_null()),
            raw(name),
            format!("unknown answer to {name}: answer with one of {scale}"),
        ));
    }
    for name in extras {
        checks.push((
            col(name.as_str())
                .is_not_null()
                .and(one_of(name, &FREQUENCIES).not()),
            raw(name),
            format!(
                "unknown answer to {name}: further columns are questions on the same scale ({scale}), or blank; remove columns of other kinds"
            ),
        ));
    }
    checks.push((
        col(p::WANTS)
            .is_not_null()
            .and(one_of(p::WANTS, &WANTS_ANSWERS).not()),
        raw(p::WANTS),
        format!(
            "unknown answer to wants_to_contribute: answer with one of {}, or leave it blank",
            WANTS_ANSWERS.join(", ")
        ),
    ));
    checks
}

/// The rows without a problem, and a reject (its line, the offending value, the reason) for
/// each row with one.
fn reject_bad_rows(
    frame: DataFrame,
    extras: &[String],
    input: &InputPath,
) -> Result<(DataFrame, Vec<Reject>)> {
    let fail = || crate::error::internal(format!("checking {}", input.path.display()));
    let checks = problems(extras);
    let first = |pick: &dyn Fn(&Problem) -> Expr| {
        checks
            .iter()
            .rev()
            .fold(lit(NULL).cast(DataType::String), |later, c| {
                when(c.0.clone()).then(pick(c)).otherwise(later)
            })
    };
    let marked = frame
        .lazy()
        .with_columns([
            first(&|c| lit(c.2.clone())).alias("__reason"),
            first(&|c| col(c.1.as_str()).cast(DataType::String)).alias("__value"),
        ])
        .collect()
        .map_err(fail())?;
    let bad = marked
        .clone()
        .lazy()
        .filter(col("__reason").is_not_null())
        .collect()
        .map_err(fail())?;
    let (rows, values, reasons) = (
        crate::columns::u32s(&bad, ROW)?,
        crate::columns::opt_strs(&bad, "__value")?,
        crate::columns::strs(&bad, "__reason")?,
    );
    let name = input
        .given
        .rsplit('/')
        .next()
        .unwrap_or(&input.given)
        .to_string();
    let rejects = (0..bad.height())
        .map(|i| Reject {
            file: name.clone(),
            // Line 1 is the header, so data row 0 is on line 2.
            location: format!("line {}", rows[i].map_or(0, |r| u64::from(r) + 2)),
            raw: shorten(values[i].as_deref().unwrap_or("(empty)")),
            reason: reasons[i].clone(),
        })
        .collect();
    let good = marked
        .lazy()
        .filter(col("__reason").is_null())
        .collect()
        .map_err(fail())?;
    Ok((good, rejects))
}
