//! The measure leg's part for the questions practitioners' playbooks ask (README "What people say, campaigns and leaders"): what staff
//! say of their own use beside what they do, whether a campaign moved anything, and whether
//! leaders and managers show their faces. Each is measured from the small tables the rest of
//! the leg already made (the activity table, the ties, the per-post table) and the one weekly
//! partial result campaigns need, then suppressed (§7) before it leaves.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use polars::prelude::*;

use super::prepare::Prepared;
use super::setup::Setup;
use crate::columns::{counts, i32s, opt_strs, strs, u32s};
use crate::error::{internal, Error, Result};
use crate::metrics::{campaigns as weekly, leadership, network, profile};
use crate::normalize::periods::{with_label, Period};
use crate::normalize::PERIOD_KEY;
use crate::outcomes::campaigns::{self as effects, Effect, Status};
use crate::outcomes::suppression::{self, rate, Grid, Rows, Total};
use crate::plan::Campaign;
use crate::vocabulary::{activity as a, person};

/// The three families, each absent when its input is.
#[derive(Default)]
pub struct Practice {
    pub profile: Option<Profile>,
    pub campaigns: Vec<CampaignRun>,
    /// `tables/leadership`, suppressed, periods labelled.
    pub leadership: Option<DataFrame>,
}

/// The profile survey compared (tables suppressed; `willing` person-level, ids in place).
pub struct Profile {
    /// `tables/profile_vs_observed`.
    pub crosstab: DataFrame,
    /// `tables/profile_summary`: respondents and who reports a higher, the same or a lower rung.
    pub summary: DataFrame,
    /// `tables/profile_by_<attribute>`.
    pub by_group: Vec<(String, DataFrame)>,
    /// Respondents who want to contribute, with both rungs.
    pub willing: DataFrame,
    /// Answers left out, by reason.
    pub left_out: BTreeMap<String, u64>,
    pub respondents: u64,
}

/// One campaign: its weekly series (suppressed) and its effects.
pub struct CampaignRun {
    pub campaign: Campaign,
    pub weeks: DataFrame,
    pub effects: Vec<Effect>,
}

/// What the families read besides the plan and the prepared events.
pub struct Made<'a> {
    pub activity: &'a DataFrame,
    pub ties: LazyFrame,
    /// The per-post table with `period_key`.
    pub posts: &'a DataFrame,
    pub answers: Option<&'a DataFrame>,
    pub as_of: Option<chrono::NaiveDate>,
}

pub fn measure(setup: &Setup, prepared: &Prepared, made: &Made) -> Result<Practice> {
    Ok(Practice {
        profile: made
            .answers
            .map(|answers| compare_profile(setup, prepared, made.activity, answers))
            .transpose()?,
        campaigns: campaigns(setup, prepared, made)?,
        leadership: presence(setup, prepared, made)?,
    })
}

/// The profile survey against the observed rungs (README "What people say, campaigns and leaders"), suppressed.
fn compare_profile(
    setup: &Setup,
    prepared: &Prepared,
    activity: &DataFrame,
    answers: &DataFrame,
) -> Result<Profile> {
    let fail = || internal("comparing the profile survey");
    let roster = prepared.roster().ok_or_else(|| {
        crate::error::fault("comparing the profile survey", "the plan has no roster")
    })?;
    let keys: Vec<i32> = prepared.calendar.periods.iter().map(|p| p.key).collect();
    let compared = profile::compare(
        answers,
        setup.plan.calendar.period,
        &setup.ladder,
        roster.clone(),
        activity.clone().lazy(),
        &keys,
    )
    .map_err(fail())?;
    let names = &setup.ladder.names;
    let min = setup.plan.privacy.min_group_size;
    let counts = profile::crosstab(&compared.respondents, names).map_err(fail())?;
    let respondents = compared.respondents.height() as u64;
    let hidden = compared_hidden(&counts, respondents, min);
    let mut by_group = Vec::new();
    for attribute in profile_attributes(setup, prepared)? {
        let column = attribute.column();
        let long = profile::by_group(&compared.respondents, roster.clone(), column, names)
            .map_err(fail())?;
        let items = profile::items(&compared.respondents, names);
        by_group.push((
            format!("tables/profile_by_{column}"),
            group_table(&long, &items, column, min)?,
        ));
    }
    Ok(Profile {
        crosstab: crosstab_table(&counts, names, respondents, &hidden.0)?,
        summary: summary_table(&counts, respondents, &hidden.1)?,
        by_group,
        willing: profile::willing(&compared.respondents).map_err(fail())?,
        left_out: compared.left_out,
        respondents,
    })
}

/// The pipeline's breakdowns, or the department when it names none and the roster has one.
fn profile_attributes(setup: &Setup, prepared: &Prepared) -> Result<Vec<crate::plan::Attribute>> {
    let wanted = &setup.plan.metrics.breakdowns;
    if !wanted.is_empty() {
        return Ok(wanted.clone());
    }
    Ok(if prepared.roster_gives(person::DEPARTMENT)? {
        vec![crate::plan::Attribute::Department]
    } else {
        Vec::new()
    })
}

/// The comparison's crosstab and its summary as one grid (docs/privacy.md): every cell under the
/// minimum hidden, each row (what people say of themselves) and column (what they did) adding
/// up to a published total, and the summary's counts adding up the cells above, on and below
/// the diagonal to the respondents. `hidden.0[self][observed]`, `hidden.1` the summary's rows.
fn compared_hidden(counts: &[Vec<u64>], respondents: u64, min: u32) -> (Vec<Vec<bool>>, Vec<bool>) {
    let mut grid = Grid::default();
    let cells: Vec<Vec<usize>> = counts
        .iter()
        .map(|row| row.iter().map(|&n| grid.cell(n)).collect())
        .collect();
    let sides = summary_counts(counts, respondents);
    let summary: Vec<usize> = sides.iter().map(|&(_, n)| grid.cell(n)).collect();
    let n = counts.len();
    for i in 0..n {
        grid.margin(cells[i].clone(), Total::Published);
        grid.margin(cells.iter().map(|r| r[i]).collect(), Total::Published);
    }
    let all = || (0..n).flat_map(|s| (0..n).map(move |o| (s, o)));
    // Higher: the self-reported rung is before (nearer the top than) the observed one.
    for (side, order) in [
        (1, Ordering::Less),
        (2, Ordering::Equal),
        (3, Ordering::Greater),
    ] {
        let parts = all()
            .filter(|&(s, o)| s.cmp(&o) == order)
            .map(|(s, o)| cells[s][o])
            .collect();
        grid.margin(parts, Total::Cell(summary[side]));
    }
    grid.margin(summary[1..].to_vec(), Total::Cell(summary[0]));
    grid.group(
        summary[0],
        all()
            .map(|(s, o)| cells[s][o])
            .chain(summary.clone())
            .collect(),
    );
    let hidden = grid.hidden(u64::from(min));
    (
        cells
            .iter()
            .map(|r| r.iter().map(|&c| hidden[c]).collect())
            .collect(),
        summary.iter().map(|&c| hidden[c]).collect(),
    )
}

/// `self_reported_rung, observed_rung, people, share, suppressed`: every pair of rungs, hidden
/// as [`compared_hidden`] says.
fn crosstab_table(
    counts: &[Vec<u64>],
    names: &[String],
    respondents: u64,
    hidden: &[Vec<bool>],
) -> Result<DataFrame> {
    let (mut own, mut seen, mut people, mut share, mut suppressed) =
        (vec![], vec![], vec![], vec![], vec![]);
    for (s, row) in counts.iter().enumerate() {
        for (o, &n) in row.iter().enumerate() {
            let hide = hidden[s][o];
            own.push(names[s].clone());
            seen.push(names[o].clone());
            people.push((!hide).then_some(n));
            share.push((!hide).then(|| n as f64 / respondents as f64));
            suppressed.push(hide);
        }
    }
    DataFrame::new(
        own.len(),
        vec![
            Column::new(profile::SELF_RUNG.into(), own),
            Column::new(profile::OBSERVED_RUNG.into(), seen),
            Column::new("people".into(), people),
            Column::new("share".into(), share),
            Column::new("suppressed".into(), suppressed),
        ],
    )
    .map_err(internal("building the profile comparison"))
}

/// Respondents, and those whose self-reported rung is higher than, the same as or lower than
/// the observed one (a higher rung is nearer the top of the ladder).
fn summary_counts(counts: &[Vec<u64>], respondents: u64) -> [(&'static str, u64); 4] {
    let sum = |f: &dyn Fn(usize, usize) -> bool| -> u64 {
        counts
            .iter()
            .enumerate()
            .flat_map(|(s, row)| row.iter().enumerate().map(move |(o, n)| (s, o, *n)))
            .filter(|(s, o, _)| f(*s, *o))
            .map(|(_, _, n)| n)
            .sum()
    };
    [
        ("respondents", respondents),
        ("reported_higher", sum(&|s, o| s < o)),
        ("reported_same", sum(&|s, o| s == o)),
        ("reported_lower", sum(&|s, o| s > o)),
    ]
}

/// `comparison, people, share, suppressed`: [`summary_counts`], hidden as `hidden` says.
fn summary_table(counts: &[Vec<u64>], respondents: u64, hidden: &[bool]) -> Result<DataFrame> {
    let rows = summary_counts(counts, respondents);
    let shown = |i: usize| (!hidden[i]).then_some(rows[i].1);
    DataFrame::new(
        rows.len(),
        vec![
            Column::new("comparison".into(), rows.map(|r| r.0).to_vec()),
            Column::new("people".into(), (0..4).map(shown).collect::<Vec<_>>()),
            Column::new(
                "share".into(),
                (0..4)
                    .map(|i| rate(shown(i), (!hidden[0]).then_some(respondents)))
                    .collect::<Vec<_>>(),
            ),
            Column::new("suppressed".into(), hidden.to_vec()),
        ],
    )
    .map_err(internal("building the profile summary"))
}

/// `<attribute>, item, answer, people, share, respondents, suppressed`: every group, question
/// and answer (zeros included); per question, a group's answers under the minimum are hidden
/// with their complements, and a group with fewer respondents than the minimum is hidden whole.
fn group_table(
    long: &DataFrame,
    items: &[(String, Vec<String>)],
    attribute: &str,
    min: u32,
) -> Result<DataFrame> {
    let (group, item, answer, people) = (
        strs(long, "group")?,
        strs(long, "item")?,
        strs(long, "answer")?,
        u32s(long, "people")?,
    );
    let mut groups: Vec<String> = group.clone();
    groups.sort();
    groups.dedup();
    let counted: std::collections::HashMap<(&str, &str, &str), u64> = (0..long.height())
        .map(|r| {
            let n = people[r].map_or(0, u64::from);
            ((group[r].as_str(), item[r].as_str(), answer[r].as_str()), n)
        })
        .collect();
    let count = |g: &str, i: &str, x: &str| counted.get(&(g, i, x)).copied().unwrap_or(0);
    let mut out: (Vec<String>, Vec<String>, Vec<String>) = (vec![], vec![], vec![]);
    let (mut shown, mut shares, mut totals, mut hidden_flags) = (vec![], vec![], vec![], vec![]);
    for (name, answers) in items {
        // An "unanswered" nobody gave is no answer at all, not a small cell to hide.
        let answers: Vec<String> = answers
            .iter()
            .filter(|x| *x != "unanswered" || groups.iter().any(|g| count(g, name, x) > 0))
            .cloned()
            .collect();
        let grid: Vec<Vec<u64>> = groups
            .iter()
            .map(|g| {
                let mut row: Vec<u64> = answers.iter().map(|x| count(g, name, x)).collect();
                row.push(row.iter().sum());
                row
            })
            .collect();
        let n = answers.len();
        // Each answer and the respondents add up over the groups to the overall count; a
        // group's answers add up to its respondents.
        let mut table = Rows::new(&grid, &[], &[n]);
        for cells in &table.cells {
            table
                .grid
                .margin(cells[..n].to_vec(), Total::Cell(cells[n]));
        }
        let hidden = table.hidden(u64::from(min));
        for (gi, g) in groups.iter().enumerate() {
            let total = grid[gi][n];
            for (ai, x) in answers.iter().enumerate() {
                let hide = hidden[gi][ai] || hidden[gi][n];
                out.0.push(g.clone());
                out.1.push(name.clone());
                out.2.push(x.clone());
                shown.push((!hide).then_some(grid[gi][ai]));
                shares.push((!hide && total > 0).then(|| grid[gi][ai] as f64 / total as f64));
                totals.push((!hidden[gi][n]).then_some(total));
                hidden_flags.push(hide);
            }
        }
    }
    DataFrame::new(
        out.0.len(),
        vec![
            Column::new(attribute.into(), out.0),
            Column::new("item".into(), out.1),
            Column::new("answer".into(), out.2),
            Column::new("people".into(), shown),
            Column::new("share".into(), shares),
            Column::new("respondents".into(), totals),
            Column::new("suppressed".into(), hidden_flags),
        ],
    )
    .map_err(internal("building the profile by group"))
}

/// Every `[[campaign]]`: its weekly series and effects. An audience group nobody on the roster
/// belongs to stops the run at its line; a campaign outside the data is reported, not dropped.
fn campaigns(setup: &Setup, prepared: &Prepared, made: &Made) -> Result<Vec<CampaignRun>> {
    let campaigns = &setup.plan.metrics.campaigns;
    if campaigns.is_empty() {
        return Ok(Vec::new());
    }
    let fail = || internal("measuring campaigns");
    let weekly_rows = weekly::gather_weekly(&prepared.events)
        .and_then(|w| w.collect())
        .map_err(fail())?;
    let Some((first, last)) = week_span(&prepared.calendar.periods, made.as_of) else {
        return Ok(Vec::new());
    };
    let inputs = weekly::SeriesInputs {
        weekly: weekly_rows.lazy(),
        population: prepared.population.clone(),
        posts: made.posts.clone().lazy(),
        weeks: weekly::weeks(first, last, setup.plan.calendar.period).map_err(fail())?,
        timezone: setup.plan.calendar.timezone,
    };
    let min = setup.plan.privacy.min_group_size;
    let mut runs = Vec::with_capacity(campaigns.len());
    for c in campaigns {
        let audience = audience(setup, prepared, c)?;
        let series = weekly::series(&inputs, audience)
            .collect()
            .map_err(fail())?;
        let found = effects::effects(c, &effects::weeks_of(&series)?, min);
        if let Some(e) = found.iter().find(|e| e.status == Status::OutsideData) {
            setup.log.warn(
                "campaigns",
                &format!(
                    "{}: {:?} ({} to {}) lies {} (weeks from {first} to {last}); it is listed in tables/campaigns.csv without figures",
                    c.key, c.name, c.start, c.end, e.status.as_str()
                ),
            );
        }
        runs.push(CampaignRun {
            campaign: c.clone(),
            weeks: suppressed_weeks(series, &c.name, min)?,
            effects: found,
        });
    }
    Ok(runs)
}

/// The complete weeks of the report: from the first Monday on or after the first period's
/// start to the last Monday whose week ends by the last period's end (or the as-of day).
fn week_span(
    periods: &[Period],
    as_of: Option<chrono::NaiveDate>,
) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    use chrono::Datelike;
    let start = periods.first()?.start;
    let end = periods.last()?.end;
    let end = as_of.map_or(end, |d| d.min(end));
    let first =
        start + chrono::Duration::days((7 - i64::from(start.weekday().num_days_from_monday())) % 7);
    let last =
        end - chrono::Duration::days((i64::from(end.weekday().num_days_from_monday()) + 1) % 7 + 6);
    (first <= last).then_some((first, last))
}

/// The people of a campaign's audience (`person`), or `None` without one; a group nobody on
/// the roster is in is refused at the audience's line, naming the groups there are.
fn audience(setup: &Setup, prepared: &Prepared, c: &Campaign) -> Result<Option<LazyFrame>> {
    let Some(aud) = &c.audience else {
        return Ok(None);
    };
    let roster = prepared
        .roster
        .as_ref()
        .ok_or_else(|| crate::error::fault("measuring campaigns", "the plan has no roster"))?;
    let column = aud.attribute.column();
    let groups = opt_strs(roster, column)?;
    if !groups
        .iter()
        .any(|g| g.as_deref() == Some(aud.group.as_str()))
    {
        let mut known: Vec<String> = groups.into_iter().flatten().collect();
        known.sort();
        known.dedup();
        return Err(Error::Pipeline {
            path: setup.plan.pipeline.path.clone(),
            line: Some(aud.line),
            message: format!(
                "{}.audience: no one on the roster has {column} = {:?}",
                c.key, aud.group
            ),
            help: if known.is_empty() {
                format!("the roster gives no {column}; add the column or remove the audience")
            } else {
                format!("name a group the roster has: {}", known.join(", "))
            },
        });
    }
    Ok(Some(
        roster
            .clone()
            .lazy()
            .filter(col(column).eq(lit(aud.group.clone())))
            .select([col(person::PERSON_ID).alias(a::PERSON)]),
    ))
}

/// A campaign's weekly series with its name and §7 applied per week: the audience and
/// everyone else add up to everyone's figures (published for a campaign without an
/// audience), so the two are one grid of nested people counts, and a group's content figures
/// (posts, replied, reply rate) are hidden with the contributors they come from. Everyone's
/// own series is the whole population and is shown.
fn suppressed_weeks(series: DataFrame, name: &str, min: u32) -> Result<DataFrame> {
    // Rows come sorted by week, then group.
    let (weeks, groups) = (i32s(&series, weekly::WEEK)?, strs(&series, weekly::GROUP)?);
    let people = ["headcount", "active", "contributors"];
    let values = counts(&series, &people)?;
    let mut hidden = vec![vec![false; people.len()]; series.height()];
    for block in suppression::blocks(&weeks) {
        if block.clone().any(|r| groups[r] == weekly::EVERYONE) {
            continue;
        }
        let rows: Vec<Vec<u64>> = block
            .clone()
            .map(|r| values.iter().map(|c| c[r]).collect())
            .collect();
        let grid = Rows::new(&rows, &[(1, 0), (2, 1)], &[0]);
        for (r, h) in block.zip(grid.hidden(u64::from(min))) {
            hidden[r] = h;
        }
    }
    // The published columns in order, each with the people count it rests on.
    let rests_on = [
        ("headcount", 0),
        ("active", 1),
        ("contributors", 2),
        ("posts", 2),
        ("replied", 2),
        (weekly::METRICS[0], 1),
        (weekly::METRICS[1], 2),
        (weekly::METRICS[2], 2),
    ];
    let hide = |c: &str, on: usize| emptied(c, hidden.iter().map(|h| h[on]).collect());
    let any: Vec<bool> = hidden.iter().map(|h| h.iter().any(|x| *x)).collect();
    series
        .lazy()
        .with_columns(rests_on.map(|(c, on)| hide(c, on)))
        .with_columns([
            lit(name.to_string()).alias("campaign"),
            lit(Series::new("suppressed".into(), any)).alias("suppressed"),
        ])
        .select(
            ["campaign", weekly::WEEK_START, weekly::GROUP]
                .into_iter()
                .chain(rests_on.map(|(c, _)| c))
                .chain(["suppressed"])
                .map(col)
                .collect::<Vec<_>>(),
        )
        .collect()
        .map_err(internal("suppressing campaign weeks"))
}

/// Column `c` empty in the rows where `mask` holds.
fn emptied(c: &str, mask: Vec<bool>) -> Expr {
    when(lit(Series::new("__hide".into(), mask)))
        .then(lit(NULL))
        .otherwise(col(c))
        .alias(c)
}

/// Leaders' and managers' presence per period (README "What people say, campaigns and leaders"), with a roster that gives roles;
/// every figure of a period empty when it had fewer leaders and managers than the minimum.
fn presence(setup: &Setup, prepared: &Prepared, made: &Made) -> Result<Option<DataFrame>> {
    let Some(roster) = prepared
        .roster()
        .filter(|_| prepared.roster_gives(person::ROLE).unwrap_or(false))
    else {
        return Ok(None);
    };
    let leaders = roster
        .clone()
        .join(
            network::leaders(roster.clone()),
            [col(person::PERSON_ID)],
            [col(person::PERSON_ID)],
            JoinArgs::new(JoinType::Semi),
        )
        .select([col(person::PERSON_ID), col(person::TEAM)]);
    let table = leadership::presence(
        made.activity.clone().lazy(),
        leaders,
        roster,
        made.ties.clone(),
        made.posts.clone().lazy(),
        prepared.calendar.frame.clone(),
    );
    let share = |n: &str, alias: &str| crate::metrics::ratio(col(n), col("leaders")).alias(alias);
    let table = with_label(
        table.with_columns([
            share("active", "active_share"),
            share("contributing", "contributing_share"),
            share("replied_outside_team", "outside_team_share"),
        ]),
        prepared.calendar.frame.clone(),
    )
    .sort([PERIOD_KEY], SortMultipleOptions::default())
    .collect()
    .map_err(internal("measuring leaders' presence"))?;
    leadership_shown(table, setup.plan.privacy.min_group_size).map(Some)
}

/// The leadership table with §7 applied per period: the leaders, and those active,
/// contributing and replying outside their team, as one grid of nested counts; each figure
/// hidden with the count it rests on (the thread figures on the leaders who started threads,
/// the replies to leaders on the people who wrote them).
fn leadership_shown(table: DataFrame, min: u32) -> Result<DataFrame> {
    let people = [
        "leaders",
        "active",
        "contributing",
        "replied_outside_team",
        leadership::BEHIND[0],
        leadership::BEHIND[1],
    ];
    let values = counts(&table, &people)?;
    let hidden: Vec<Vec<bool>> = (0..table.height())
        .map(|r| {
            let row: Vec<u64> = values.iter().map(|c| c[r]).collect();
            let nest = [(1, 0), (2, 1), (3, 2)];
            Rows::new(&[row], &nest, &[0])
                .hidden(u64::from(min))
                .remove(0)
        })
        .collect();
    let rests_on: [(&str, usize); 11] = [
        ("leaders", 0),
        ("active", 1),
        ("active_share", 1),
        ("contributing", 2),
        ("contributing_share", 2),
        ("replies_to_leaders", 5),
        ("replied_outside_team", 3),
        ("outside_team_share", 3),
        ("threads", 4),
        ("thread_reach_median", 4),
        ("threads_answered", 4),
    ];
    let hide = |c: &str, on: usize| emptied(c, hidden.iter().map(|h| h[on]).collect());
    let counts: Vec<&str> = leadership::FIGURES
        .into_iter()
        .chain(["active_share", "contributing_share", "outside_team_share"])
        .collect();
    let any: Vec<bool> = hidden.iter().map(|h| h.iter().any(|x| *x)).collect();
    table
        .lazy()
        .with_columns(rests_on.map(|(c, on)| hide(c, on)))
        .with_column(lit(Series::new("suppressed".into(), any)).alias("suppressed"))
        .select(
            [a::PERIOD]
                .into_iter()
                .chain(counts.iter().copied())
                .chain(["suppressed"])
                .map(col)
                .collect::<Vec<_>>(),
        )
        .collect()
        .map_err(internal("suppressing leaders' presence"))
}

/// The published tables of the three families, by path without extension.
pub fn tables(practice: Practice) -> Result<Vec<(String, DataFrame)>> {
    let mut out = Vec::new();
    if let Some(p) = practice.profile {
        out.push(("tables/profile_vs_observed".into(), p.crosstab));
        out.push(("tables/profile_summary".into(), p.summary));
        out.extend(p.by_group);
    }
    if !practice.campaigns.is_empty() {
        let found: Vec<(Campaign, Vec<Effect>)> = practice
            .campaigns
            .iter()
            .map(|r| (r.campaign.clone(), r.effects.clone()))
            .collect();
        out.push(("tables/campaigns".into(), effects::table(&found)?));
        let weeks = practice.campaigns.into_iter().map(|r| r.weeks.lazy());
        let stacked = concat(weeks.collect::<Vec<_>>(), UnionArgs::default())
            .and_then(LazyFrame::collect)
            .map_err(internal("stacking campaign weeks"))?;
        out.push(("tables/campaign_weeks".into(), stacked));
    }
    if let Some(l) = practice.leadership {
        out.push(("tables/leadership".into(), l));
    }
    Ok(out)
}
