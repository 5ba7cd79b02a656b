//! The third leg: every metric family measured. The activity table first (the step whose cost
//! grows with events, with the ladder assigned), then the content figures that read events
//! (posts, spaces, the department matrix), then the families that read the activity table,
//! the breakdowns by roster group, the targets and the ambassadors.

use chrono::NaiveDate;
use polars::prelude::*;

use super::manifest::Timings;
use super::practice::{self, Practice};
use super::prepare::Prepared;
use super::setup::Setup;
use crate::error::{internal, Result};
use crate::ingest::texts::TermCounts;
use crate::metrics::{
    activity, ambassadors, breakdowns, conversations, inequality, ladder, lifecycle, network,
    participation, summary, targets, themes,
};
use crate::normalize::periods::{self, with_label};
use crate::normalize::{self, Events, PERIOD_KEY};
use crate::outcomes::breakdown as suppression;
use crate::vocabulary::themes as tc;
use crate::vocabulary::{activity as a, event, handoff, person, Action, Attribute};

/// Every metric table of the run, person ids still in place.
pub struct Measured {
    /// A row per person and period: counts, flags and rung.
    pub activity: DataFrame,
    /// Whether any source gives views; without them reach figures are empty, not zero.
    pub views_known: bool,
    /// With `period_key`.
    pub period_metrics: DataFrame,
    /// The rung shares, with `period_key`: every rung of every period, ladder order.
    pub rungs: DataFrame,
    pub lifecycle: DataFrame,
    pub transitions: DataFrame,
    pub retention: DataFrame,
    pub spaces: DataFrame,
    /// A row per post, with its author's person id.
    pub post_reach: DataFrame,
    /// `tables/breakdown_<attribute>` for each breakdown the pipeline asks for, suppressed.
    pub breakdowns: Vec<(String, DataFrame)>,
    /// The suppressed department breakdown, for the report's heatmap.
    pub departments: Option<DataFrame>,
    /// Interactions between departments, suppressed.
    pub matrix: Option<DataFrame>,
    pub targets: DataFrame,
    /// Person ids still in place; the outcomes leg pseudonymises or reveals them.
    pub ambassadors: DataFrame,
    /// With themes on: `tables/themes` and `tables/themes_by_space`, periods labelled.
    pub themes: Option<themes::Themes>,
    /// Self-report, campaigns and leaders' presence (README "What people say, campaigns and leaders").
    pub practice: Practice,
}

/// The activity table and the ties behind it.
struct Activity {
    table: DataFrame,
    ties: LazyFrame,
}

/// What reads events besides the activity table.
struct Content {
    posts: DataFrame,
    /// `from_department, to_department, period_key, interactions, people`, with a roster.
    matrix: Option<DataFrame>,
}

/// Measures everything; the activity table's time (from the start of the normalize leg) is
/// the benchmark's `store_to_ladder`.
pub fn all(
    setup: &Setup,
    prepared: &Prepared,
    terms: Option<&TermCounts>,
    answers: Option<&DataFrame>,
    as_of: Option<NaiveDate>,
    timings: &mut Timings,
) -> Result<Measured> {
    let activity = activity_table(setup, prepared)?;
    timings.end("store_to_ladder");
    let views_known = has_views(&prepared.events, prepared.usage.as_ref())?;
    let content = content(setup, prepared, &activity, views_known)?;
    let calendar = prepared.calendar.frame.clone();
    let families = families(
        setup,
        prepared,
        &activity.table,
        &content,
        views_known,
        as_of,
    )?;
    let period_metrics =
        normalize::collect_streaming(summary::period_metrics(calendar.clone(), families))
            .map_err(internal("computing period metrics"))?;
    let rungs = ladder::rung_shares(
        activity.table.clone().lazy(),
        calendar.clone(),
        &setup.ladder.names,
    )
    .collect()
    .map_err(internal("computing rung shares"))?;
    let groups = groups(setup, prepared, &activity.table, &content, views_known)?;
    let made = practice::Made {
        activity: &activity.table,
        ties: activity.ties.clone(),
        posts: &content.posts,
        answers,
        as_of,
    };
    let practice = practice::measure(setup, prepared, &made)?;
    let measured = Measured {
        themes: terms
            .map(|t| themes_tables(setup, prepared, t))
            .transpose()?,
        targets: targets::table(&setup.targets, &period_metrics, &rungs)?,
        ambassadors: ambassadors::with_willing(
            ambassador_candidates(setup, prepared, &activity)?.lazy(),
            practice.profile.as_ref().map(|p| p.willing.clone().lazy()),
            &setup.ladder.names,
            &setup.plan.metrics.ambassadors.rung,
        )
        .and_then(LazyFrame::collect)
        .map_err(internal("adding willing respondents to the ambassadors"))?,
        practice,
        lifecycle: lifecycle_table(prepared, &activity.table)?,
        transitions: ladder::transitions(
            activity.table.clone().lazy(),
            calendar.clone(),
            &setup.ladder.names,
        )
        .collect()
        .map_err(internal("computing ladder transitions"))?,
        retention: lifecycle::retention(
            activity.table.clone().lazy(),
            prepared.first.clone().lazy(),
            calendar.clone(),
        )
        .collect()
        .map_err(internal("computing retention"))?,
        spaces: spaces_table(prepared, views_known)?,
        post_reach: post_reach(prepared, content.posts)?,
        breakdowns: groups.breakdowns,
        departments: groups.departments,
        matrix: groups.matrix,
        activity: activity.table,
        views_known,
        period_metrics,
        rungs,
    };
    setup.log.info(
        "metrics",
        "built the activity table and the ladder",
        &[("person_periods", measured.activity.height() as u64)],
    );
    if let Some(reuse) = prepared.events.retire_partials()? {
        setup.log.info(
            "metrics",
            "partial results of the store's parts",
            &[("reused", reuse.reused), ("computed", reuse.computed)],
        );
    }
    Ok(measured)
}

/// The activity table: the events' partial aggregates finished over the population, usage
/// counts added, the ladder assigned. Collected once: it is written out and every family reads it.
fn activity_table(setup: &Setup, prepared: &Prepared) -> Result<Activity> {
    let gathered =
        activity::gather(&prepared.events).map_err(internal("building the activity table"))?;
    let table = activity::from_aggregates(
        prepared.population.clone(),
        gathered.per_day,
        gathered.partners,
        prepared.usage.clone(),
    );
    let table = ladder::assign(table, &setup.ladder)
        .collect()
        .map_err(internal("building the activity table"))?;
    Ok(Activity {
        table,
        ties: gathered.ties,
    })
}

/// The per-post table and, with a roster, interactions between departments.
fn content(
    setup: &Setup,
    prepared: &Prepared,
    activity: &Activity,
    views_known: bool,
) -> Result<Content> {
    let posts =
        conversations::gather_posts(&prepared.events, setup.plan.metrics.windows, views_known)
            .map_err(internal("following posts"))?;
    let matrix = prepared
        .roster()
        .map(|r| {
            network::department_matrix(activity.ties.clone(), r)
                .collect()
                .map_err(internal("counting interactions between departments"))
        })
        .transpose()?;
    Ok(Content { posts, matrix })
}

/// The families of period_metrics.
fn families(
    setup: &Setup,
    prepared: &Prepared,
    activity: &DataFrame,
    content: &Content,
    views_known: bool,
    as_of: Option<NaiveDate>,
) -> Result<summary::Families> {
    let calendar_days = periods::with_days(prepared.calendar.frame.clone(), as_of);
    let leader_reach = match prepared.roster() {
        Some(r) if views_known && prepared.roster_gives(person::ROLE)? => {
            Some(leader_reach(prepared, r, activity)?)
        }
        _ => None,
    };
    let replies = prepared
        .events
        .gather(handoff::REPLIES, |part, _| {
            conversations::replies_per_period(part)
        })
        .map_err(internal("counting replies"))?;
    Ok(summary::Families {
        people: participation::people_metrics(activity.clone().lazy(), calendar_days, views_known),
        inequality: inequality::inequality(activity.clone().lazy())
            .map_err(internal("measuring inequality"))?,
        conversations: conversations::period_conversations_from(
            content.posts.clone().lazy(),
            replies,
            prepared.usage.clone(),
        ),
        movement: ladder::movement(activity.clone().lazy(), &setup.ladder.names),
        leader_reach,
        cross_department: content
            .matrix
            .as_ref()
            .map(|m| network::cross_department(m.clone().lazy())),
    })
}

/// Leader reach from each part's views of the leaders' content (the leaders are part of what
/// names the partial results, so a roster that changes them is never answered from the cache).
fn leader_reach(prepared: &Prepared, roster: LazyFrame, activity: &DataFrame) -> Result<LazyFrame> {
    let fail = || internal("measuring leader reach");
    let leaders = network::leaders(roster).collect().map_err(fail())?;
    let name = format!(
        "{} {}",
        handoff::LEADER_VIEWS,
        normalize::fingerprint(&leaders)?
    );
    let views = prepared
        .events
        .gather(&name, |part, _| {
            network::leader_views(part, leaders.clone().lazy())
        })
        .map_err(fail())?;
    Ok(network::leader_reach_from(views, activity.clone().lazy()))
}

fn lifecycle_table(prepared: &Prepared, activity: &DataFrame) -> Result<DataFrame> {
    lifecycle::lifecycle(
        activity.clone().lazy(),
        prepared.first.clone().lazy(),
        prepared.calendar.frame.clone(),
    )
    .collect()
    .and_then(|t| t.drop(PERIOD_KEY))
    .map_err(internal("computing the lifecycle"))
}

/// The themes of the report's periods (README "Themes"), each period's label in place of its key.
fn themes_tables(setup: &Setup, prepared: &Prepared, terms: &TermCounts) -> Result<themes::Themes> {
    let fail = || internal("measuring themes");
    let keys: Vec<i32> = prepared.calendar.periods.iter().map(|p| p.key).collect();
    let plan = &setup.plan;
    let found = themes::themes(
        &terms.terms,
        &terms.messages,
        &keys,
        plan.privacy.min_group_size,
        plan.themes.top,
    )
    .map_err(fail())?;
    let labelled = |frame: DataFrame| {
        let names: Vec<Expr> = frame
            .get_column_names()
            .iter()
            .map(|c| col(c.as_str()))
            .collect();
        with_label(
            frame.lazy().rename([tc::PERIOD], [PERIOD_KEY], true),
            prepared.calendar.frame.clone(),
        )
        .select(names)
        .collect()
        .map_err(fail())
    };
    Ok(themes::Themes {
        by_period: labelled(found.by_period)?,
        by_space: labelled(found.by_space)?,
    })
}

/// Per space and period, a part of the events at a time; the period's label in place of its key.
fn spaces_table(prepared: &Prepared, views_known: bool) -> Result<DataFrame> {
    let fail = || internal("measuring spaces");
    let spaces = conversations::gather_spaces(&prepared.events, views_known).map_err(fail())?;
    with_label(spaces, prepared.calendar.frame.clone())
        .select(
            conversations::SPACE_COLUMNS.map(|c| col(if c == PERIOD_KEY { a::PERIOD } else { c })),
        )
        .collect()
        .map_err(fail())
}

/// A row per post: its author (a person id), space, period, viewers and first reply.
fn post_reach(prepared: &Prepared, posts: DataFrame) -> Result<DataFrame> {
    let columns = [
        "author",
        event::SOURCE,
        event::SPACE,
        a::PERIOD,
        "viewers",
        "first_reply_hours",
    ];
    with_label(posts.lazy(), prepared.calendar.frame.clone())
        .select(columns.map(col))
        .collect()
        .map_err(internal("measuring post reach"))
}

/// The figures per roster group.
#[derive(Default)]
struct Groups {
    breakdowns: Vec<(String, DataFrame)>,
    departments: Option<DataFrame>,
    matrix: Option<DataFrame>,
}

/// The breakdowns by roster group (suppressed), the department breakdown for the heatmap,
/// and the suppressed department matrix.
fn groups(
    setup: &Setup,
    prepared: &Prepared,
    activity: &DataFrame,
    content: &Content,
    views_known: bool,
) -> Result<Groups> {
    let Some(roster) = prepared.roster() else {
        return Ok(Groups::default());
    };
    let wanted = &setup.plan.metrics.breakdowns;
    let attributes = breakdowns::attributes(wanted, prepared.roster_gives(person::DEPARTMENT)?);
    let columns: Vec<Expr> = std::iter::once(col(person::PERSON_ID).alias(a::PERSON))
        .chain(attributes.iter().map(|b| col(b.column())))
        .collect();
    let frame = roster.clone().select(columns);
    let (mut tables, mut departments) = (Vec::new(), None);
    for attribute in attributes {
        let table = breakdown(
            setup,
            prepared,
            activity,
            frame.clone(),
            attribute,
            views_known,
        )?;
        if attribute == Attribute::Department {
            departments = Some(table.clone());
        }
        if wanted.contains(&attribute) {
            tables.push((format!("tables/breakdown_{}", attribute.column()), table));
        }
    }
    let matrix = content
        .matrix
        .as_ref()
        .map(|m| department_matrix(setup, prepared, activity, m, roster))
        .transpose()?;
    Ok(Groups {
        breakdowns: tables,
        departments,
        matrix,
    })
}

/// One breakdown: people counts per group and period, suppressed below the minimum group size.
fn breakdown(
    setup: &Setup,
    prepared: &Prepared,
    activity: &DataFrame,
    attributes: LazyFrame,
    attribute: Attribute,
    views_known: bool,
) -> Result<DataFrame> {
    let names = &setup.ladder.names;
    let counts = breakdowns::counts(
        activity.clone().lazy(),
        attributes,
        attribute.column(),
        names,
    );
    let counts = with_label(counts, prepared.calendar.frame.clone())
        .collect()
        .map_err(internal("breaking metrics down"))?;
    let min = setup.plan.privacy.min_group_size;
    // Leaders and managers add up to the leadership table's published total (README "What people say, campaigns and leaders").
    let subtotal: &[&str] = if attribute == Attribute::Role {
        &network::LEADER_ROLES
    } else {
        &[]
    };
    suppression::breakdown(
        &counts,
        attribute.column(),
        names,
        (min, views_known),
        subtotal,
    )
}

/// Interactions between departments with each department's headcount, suppressed.
fn department_matrix(
    setup: &Setup,
    prepared: &Prepared,
    activity: &DataFrame,
    matrix: &DataFrame,
    roster: LazyFrame,
) -> Result<DataFrame> {
    let departments = roster.select([
        col(person::PERSON_ID).alias(a::PERSON),
        col(person::DEPARTMENT),
    ]);
    let headcounts = breakdowns::counts(
        activity.clone().lazy(),
        departments,
        person::DEPARTMENT,
        &[],
    )
    .select([
        col(PERIOD_KEY),
        col("group").alias("department"),
        col("headcount"),
    ]);
    let min = setup.plan.privacy.min_group_size;
    let columns = [
        a::PERIOD,
        "from_department",
        "to_department",
        "interactions",
        "people",
        "suppressed",
    ];
    with_label(
        suppression::matrix(matrix.clone().lazy(), headcounts, min),
        prepared.calendar.frame.clone(),
    )
    .select(columns.map(col))
    .collect()
    .map_err(internal("suppressing the department matrix"))
}

/// Candidates over the window of the last periods (docs/metrics.md).
fn ambassador_candidates(
    setup: &Setup,
    prepared: &Prepared,
    activity: &Activity,
) -> Result<DataFrame> {
    let window = ambassadors::window(
        &prepared.calendar.periods,
        &setup.plan.metrics.ambassadors,
        &setup.ladder.names,
    );
    ambassadors::candidates(
        activity.table.clone().lazy(),
        activity.ties.clone(),
        &window,
    )
    .collect()
    .map_err(internal("finding ambassador candidates"))
}

/// Whether any source gives views (view events, or view counts in a usage report).
fn has_views(events: &Events, usage: Option<&LazyFrame>) -> Result<bool> {
    let viewed = events
        .gather(handoff::ANY_VIEW, |part, _| {
            part.filter(col(event::ACTION).eq(lit(Action::View.as_str())))
                .select([col(event::ACTION)])
                .limit(1)
        })
        .and_then(|views| views.limit(1).collect())
        .map_err(internal("looking for view data"))?
        .height()
        > 0;
    let Some(usage) = usage.filter(|_| !viewed) else {
        return Ok(viewed);
    };
    let counted = usage
        .clone()
        .select([col(a::VIEWS).cast(DataType::UInt64).sum()])
        .collect()
        .map_err(internal("looking for view data"))?;
    Ok(counted
        .column(a::VIEWS)
        .ok()
        .and_then(|c| c.u64().ok().and_then(|c| c.get(0)))
        .unwrap_or(0)
        > 0)
}
