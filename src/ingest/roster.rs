//! The HR roster (README "Inputs" people). It defines who is in the population each period, so every
//! row is checked: one row per person, readable dates, known roles and exit kinds.

use polars::prelude::*;

use super::batch::InputFile;
use super::read::{self, ROW};
use crate::error::Result;
use crate::plan::InputPath;
use crate::vocabulary::{person, EXIT_KINDS, ROLES};

const FORMAT: &str = "an HR roster CSV";

/// Reads the roster: `person_id` required, every other spec column optional.
pub fn read(input: &InputPath) -> Result<(DataFrame, InputFile)> {
    let path = &input.path;
    let (header, scan) = read::open_checked_csv(
        path,
        &[person::PERSON_ID],
        FORMAT,
        &format!(
            "the roster needs a person_id column; it may also have {}",
            person::ALL[1..].join(", ")
        ),
    )?;
    let lower = |name: &str| {
        read::text_or_null(&header, name)
            .str()
            .strip_chars(lit(NULL))
            .str()
            .to_lowercase()
            .alias(name)
    };
    // Ids and emails are matched against the exports' accounts: spaces around them (an HR
    // system's padded cells) are never part of an id, so they are trimmed (README, "Roster").
    let trimmed = |name: &str| {
        read::text_or_null(&header, name)
            .str()
            .strip_chars(lit(NULL))
            .alias(name)
    };
    let raw = |name: &str| read::text_or_null(&header, name).alias(format!("__raw_{name}"));
    let scanned = scan.select([
        col(ROW),
        trimmed(person::PERSON_ID),
        trimmed(person::EMAIL),
        read::text_or_null(&header, person::DEPARTMENT),
        read::text_or_null(&header, person::TEAM),
        read::text_or_null(&header, person::LOCATION),
        trimmed(person::MANAGER_ID),
        lower(person::ROLE),
        read::parse_date(read::text_or_null(&header, person::HIRE_DATE)).alias(person::HIRE_DATE),
        raw(person::HIRE_DATE),
        read::parse_date(read::text_or_null(&header, person::EXIT_DATE)).alias(person::EXIT_DATE),
        raw(person::EXIT_DATE),
        lower(person::EXIT_KIND),
    ]);
    let frame = read::collect_file(scanned, path)?;
    check(&frame, path)?;
    read::finish(frame, person::ALL, input, "people", "roster")
}

/// Refuses a roster with a row that cannot be right: no id, an id or an email twice, an
/// unreadable date, an exit before the hire, or a role or exit kind outside the known ones;
/// and a roster without anyone (a headcount of 0 is never a figure to publish).
fn check(frame: &DataFrame, path: &std::path::Path) -> Result<()> {
    if frame.height() == 0 {
        return Err(crate::error::Error::Input {
            path: path.to_path_buf(),
            line: 1,
            message: "the roster lists nobody: it has a header and no rows".into(),
            help: "export the roster again with its people, or remove [people] to count the people the exports show".into(),
        });
    }
    read::reject_if_any(
        frame,
        col(person::PERSON_ID)
            .is_null()
            .or(col(person::PERSON_ID).eq(lit(""))),
        person::PERSON_ID,
        path,
        "missing person_id",
        "give every roster row a person_id",
    )?;
    let repeated = len()
        .over([col(person::PERSON_ID)])
        .map_err(crate::error::internal("checking person ids"))?
        .gt(lit(1));
    read::reject_if_any(
        frame,
        repeated,
        person::PERSON_ID,
        path,
        "person_id listed more than once",
        "keep one row per person (the latest record) so nobody is counted twice",
    )?;
    // Emails name accounts case-insensitively everywhere (README, "Identities"): two people
    // with one email would have one person's events counted for the other.
    let email = col(person::EMAIL).str().to_lowercase();
    let shared = len()
        .over([email.clone()])
        .map_err(crate::error::internal("checking emails"))?
        .gt(lit(1))
        .and(email.is_not_null())
        .and(col(person::EMAIL).neq(lit("")));
    read::reject_if_any(
        frame,
        shared,
        person::EMAIL,
        path,
        "email listed for more than one person (emails are compared without regard to case)",
        "give each person their own email, or leave the cell empty for someone who has none",
    )?;
    for (parsed, raw_name) in [
        (person::HIRE_DATE, "__raw_hire_date"),
        (person::EXIT_DATE, "__raw_exit_date"),
    ] {
        read::reject_if_any(
            frame,
            col(parsed).is_null().and(col(raw_name).is_not_null()),
            raw_name,
            path,
            &format!("unreadable {parsed}"),
            "write dates as YYYY-MM-DD, or leave the cell empty",
        )?;
    }
    read::reject_if_any(
        frame,
        col(person::EXIT_DATE).lt(col(person::HIRE_DATE)),
        "__raw_exit_date",
        path,
        "exit_date before hire_date",
        "correct the dates of this person",
    )?;
    for (name, allowed) in [
        (person::ROLE, &ROLES[..]),
        (person::EXIT_KIND, &EXIT_KINDS[..]),
    ] {
        let allowed_series = Series::new("allowed".into(), allowed.to_vec());
        read::reject_if_any(
            frame,
            col(name).is_not_null().and(
                col(name)
                    .is_in(lit(allowed_series).implode(false), false)
                    .not(),
            ),
            name,
            path,
            &format!("unknown {name}"),
            &format!(
                "use one of: {}, or leave the cell empty",
                allowed.join(", ")
            ),
        )?;
    }
    Ok(())
}
