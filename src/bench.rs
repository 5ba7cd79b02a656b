//! `engage bench-data`: large synthetic event stores for measuring speed, written straight
//! into the store's Parquet layout (one partition per UTC month) with a roster and a pipeline
//! file beside them, so `engage run` computes from the store exactly as a nightly job does.
//! Participation follows 90-9-1: 1% of people write most posts and replies, 9% some, 90%
//! mostly read. Each month is generated from its own seeded stream, months in parallel, one
//! month in memory per thread.

use std::path::Path;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::vocabulary::{event, Action};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Settings {
    pub events: u64,
    pub people: u32,
    pub months: u32,
    pub seed: u64,
    pub start: NaiveDate,
}

/// Actions with their share of events: mostly reading, a few writing.
const MIX: [(Action, f64); 8] = [
    (Action::Visit, 0.42),
    (Action::View, 0.36),
    (Action::Reaction, 0.10),
    (Action::Reply, 0.05),
    (Action::Post, 0.02),
    (Action::Share, 0.02),
    (Action::Curate, 0.01),
    (Action::Join, 0.02),
];

const SPACES: u32 = 200;

/// A person for an event: writers from the 1% and 9% classes, everyone else by weight.
fn person(rng: &mut ChaCha8Rng, people: u32, writing: bool) -> u32 {
    let heavy = (people / 100).max(1);
    let medium = (people * 9 / 100).max(1);
    let u: f64 = rng.random();
    let (from, size) = if writing {
        match u {
            u if u < 0.6 => (0, heavy),
            u if u < 0.9 => (heavy, medium),
            _ => (heavy + medium, people - heavy - medium),
        }
    } else {
        match u {
            u if u < 0.1 => (0, heavy),
            u if u < 0.3 => (heavy, medium),
            _ => (heavy + medium, people - heavy - medium),
        }
    };
    from + rng.random_range(0..size.max(1))
}

/// The first day of month number `month`, and its start and length in microseconds.
fn month_span(s: &Settings, month: u32) -> (chrono::NaiveDate, i64, i64) {
    let first = s
        .start
        .checked_add_months(chrono::Months::new(month))
        .unwrap_or(s.start);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    let start_us = first
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp_micros();
    (first, start_us, (next - first).num_days() * 86_400_000_000)
}

/// An action drawn from the mix.
fn draw_action(rng: &mut ChaCha8Rng) -> Action {
    let u: f64 = rng.random();
    let mut acc = 0.0;
    MIX.iter()
        .find(|(_, p)| {
            acc += p;
            u < acc
        })
        .map_or(Action::Visit, |(a, _)| *a)
}

/// One month of `count` synthetic events, drawn from their own seeded stream.
fn month_frame(s: &Settings, month: u32, count: usize) -> PolarsResult<DataFrame> {
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ (u64::from(month) << 32));
    let (first, start_us, span_us) = month_span(s, month);
    let posts = ((count as f64 * 0.02) as usize).max(1);
    let authors: Vec<u32> = (0..posts)
        .map(|_| person(&mut rng, s.people, true))
        .collect();
    let tag = format!("{:04}{:02}", first.year(), first.month());
    let mut ids = Vec::with_capacity(count);
    let mut times = Vec::with_capacity(count);
    let mut actors = Vec::with_capacity(count);
    let mut actions = Vec::with_capacity(count);
    let mut contents: Vec<Option<String>> = Vec::with_capacity(count);
    let mut threads: Vec<Option<String>> = Vec::with_capacity(count);
    let mut targets: Vec<Option<String>> = Vec::with_capacity(count);
    let mut spaces: Vec<Option<String>> = Vec::with_capacity(count);
    let mut post_no = 0usize;
    for i in 0..count {
        let action = draw_action(&mut rng);
        let writing = matches!(action, Action::Post | Action::Reply);
        let actor = if action == Action::Post {
            authors[post_no % posts]
        } else {
            person(&mut rng, s.people, writing)
        };
        ids.push(format!("b{tag}-{i}"));
        times.push(start_us + rng.random_range(0..span_us));
        actors.push(format!("E{actor:06}"));
        actions.push(action.as_str());
        let post = if action == Action::Post {
            post_no += 1;
            (post_no - 1) % posts
        } else {
            rng.random_range(0..posts)
        };
        let thread = format!("t{tag}-{post}");
        match action {
            Action::Visit | Action::Join => {
                contents.push(None);
                threads.push(None);
                targets.push(None);
                spaces.push(None);
            }
            Action::Post => {
                contents.push(Some(thread.clone()));
                threads.push(Some(thread));
                targets.push(None);
                spaces.push(Some(format!("space-{}", post as u32 % SPACES)));
            }
            _ => {
                contents.push(Some(if action == Action::Reply {
                    format!("r{tag}-{i}")
                } else {
                    thread.clone()
                }));
                threads.push(Some(thread));
                targets.push(Some(format!("E{:06}", authors[post])));
                spaces.push(Some(format!("space-{}", post as u32 % SPACES)));
            }
        }
    }
    let n = count;
    DataFrame::new(
        n,
        vec![
            Column::new(event::EVENT_ID.into(), ids),
            Column::new(event::SOURCE.into(), vec!["bench"; n]),
            Column::new(event::OCCURRED_AT.into(), times).cast(&DataType::Datetime(
                TimeUnit::Microseconds,
                Some(TimeZone::UTC),
            ))?,
            Column::new(event::ACTOR.into(), actors),
            Column::new(event::ACTION.into(), actions),
            Column::new(event::CONTENT_ID.into(), contents),
            Column::new(event::THREAD_ID.into(), threads),
            Column::new(event::TARGET_ACTOR.into(), targets),
            Column::new(event::SPACE.into(), spaces),
        ],
    )?
    .sort(
        [event::OCCURRED_AT, event::SOURCE, event::EVENT_ID],
        SortMultipleOptions::default().with_maintain_order(true),
    )
}

/// Writes `store/events/period=YYYY-MM/part-0.parquet`, `people.csv`, an empty `events.csv`
/// (the pipeline's source: everything is already stored) and `bench.toml` into `dir`.
pub fn write(s: &Settings, dir: &Path) -> Result<u64> {
    let fail = |what: String| {
        move |source: PolarsError| Error::Polars {
            what,
            source,
            help: "check the free disk space of the output folder".into(),
        }
    };
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source: std::io::Error| Error::Write { path, source }
    };
    // A month is generated in memory: beyond about a billion events a month no machine we
    // target has the room.
    let months = s.months.max(1);
    if s.events / u64::from(months) > 1_000_000_000 {
        return Err(Error::Usage {
            message: format!(
                "{} events over {months} months is over a billion a month",
                s.events
            ),
            help: "spread the events over more months (--months) or generate fewer".into(),
        });
    }
    std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    let per_month = (s.events / u64::from(months)) as usize;
    (0..months)
        .into_par_iter()
        .map(|m| -> Result<()> {
            let extra = if m + 1 == months {
                (s.events % u64::from(months)) as usize
            } else {
                0
            };
            let mut frame = month_frame(s, m, per_month + extra)
                .map_err(fail(format!("generating month {m}")))?;
            let first = s
                .start
                .checked_add_months(chrono::Months::new(m))
                .unwrap_or(s.start);
            let folder = dir.join("store/events").join(format!(
                "period={:04}-{:02}",
                first.year(),
                first.month()
            ));
            std::fs::create_dir_all(&folder).map_err(write_err(&folder))?;
            let path = folder.join("part-0.parquet");
            let file = std::fs::File::create(&path).map_err(write_err(&path))?;
            ParquetWriter::new(file)
                .finish(&mut frame)
                .map_err(fail(format!("writing {}", path.display())))?;
            Ok(())
        })
        .collect::<Result<Vec<()>>>()?;
    // The catalogue a store keeps of its months, as `engage ingest` writes it.
    crate::store::Store::catalogue_as_written(&dir.join("store"))?;
    // A roster: everyone hired before the data starts, spread over six departments.
    let mut roster = String::from("person_id,department,team,role,hire_date\n");
    for p in 0..s.people {
        let dept = p % 6;
        let role = if p % 97 == 0 {
            "leader"
        } else if p % 11 == 0 {
            "manager"
        } else {
            "employee"
        };
        roster.push_str(&format!(
            "E{p:06},D{dept},D{dept}-T{},{role},2020-01-01\n",
            p % 40
        ));
    }
    let people = dir.join("people.csv");
    std::fs::write(&people, roster).map_err(write_err(&people))?;
    let events = dir.join("events.csv");
    std::fs::write(&events, "event_id,occurred_at,actor,action\n").map_err(write_err(&events))?;
    let pipeline = dir.join("bench.toml");
    std::fs::write(
        &pipeline,
        "# Generated by `engage bench-data`: computes from the store beside it.\n\
         [pipeline]\nname = \"bench\"\nperiod = \"month\"\ntimezone = \"UTC\"\noutput = \"out\"\n\
         store = \"store\"\nmax_reject_share = 1.0\n\n[[source]]\nkind = \"events\"\npath = \"events.csv\"\nname = \"bench\"\n\n\
         [people]\npath = \"people.csv\"\n",
    )
    .map_err(write_err(&pipeline))?;
    Ok(s.events)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 20,000 events over two months for 1,000 people: two partitions holding every event, and
    // writing concentrated as 90-9-1 says (the first 1% of people are the heavy writers: they
    // draw 60% of posts and replies by construction, so well over a third).
    #[test]
    fn writes_partitions_with_90_9_1_writing() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings {
            events: 20_000,
            people: 1_000,
            months: 2,
            seed: 3,
            start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        };
        assert_eq!(write(&s, dir.path()).unwrap(), 20_000);
        let mut rows = 0;
        let mut writing = 0;
        let mut heavy = 0;
        for month in ["2025-01", "2025-02"] {
            let path = dir
                .path()
                .join(format!("store/events/period={month}/part-0.parquet"));
            let frame = ParquetReader::new(std::fs::File::open(path).unwrap())
                .finish()
                .unwrap();
            rows += frame.height();
            let w = frame
                .lazy()
                .filter(
                    col(event::ACTION)
                        .eq(lit("post"))
                        .or(col(event::ACTION).eq(lit("reply"))),
                )
                .select([col(event::ACTOR)])
                .collect()
                .unwrap();
            writing += w.height();
            heavy += w
                .column(event::ACTOR)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .flatten()
                .filter(|a| a[1..].parse::<u32>().unwrap() < 10)
                .count();
        }
        assert_eq!(rows, 20_000);
        assert!(heavy * 3 > writing, "{heavy} of {writing}");
        assert!(dir.path().join("bench.toml").is_file());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("people.csv"))
                .unwrap()
                .lines()
                .count(),
            1_001
        );
    }
}
