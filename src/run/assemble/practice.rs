//! The report model of self-report, campaigns and leaders' presence (README "What people say, campaigns and leaders"), read from the
//! suppressed tables and the campaigns' estimates, so `render` gets plain structs.

use chrono::NaiveDate;
use polars::prelude::*;

use super::super::practice::{CampaignRun, Practice, Profile};
use crate::columns::{f64s, strs, u32s};
use crate::error::Result;
use crate::metrics::profile::{OBSERVED_RUNG, SELF_RUNG};
use crate::normalize::periods::Period;
use crate::outcomes::campaigns::{Estimate, Status};
use crate::render::model;
use crate::vocabulary::activity as a;
use crate::vocabulary::profile::WANTS;

/// What the report says of the three families. `ambassadors` is the published ambassador
/// table (its `self-reported` rows are the willing respondents below the ambassador rung).
pub fn practice(
    p: &Practice,
    periods: &[Period],
    ambassadors: &DataFrame,
    rungs: &[String],
    ambassador_rung: &str,
) -> Result<model::Practice> {
    let willing_below = strs(ambassadors, crate::metrics::ambassadors::SOURCE)?
        .iter()
        .filter(|s| *s == "self-reported")
        .count() as u64;
    Ok(model::Practice {
        profile: p
            .profile
            .as_ref()
            .map(|profile| profile_model(profile, rungs, willing_below, ambassador_rung))
            .transpose()?,
        campaigns: p.campaigns.iter().map(|c| campaign(c, periods)).collect(),
        leadership: p
            .leadership
            .as_ref()
            .map(leaders)
            .transpose()?
            .unwrap_or_default(),
    })
}

fn profile_model(
    p: &Profile,
    rungs: &[String],
    willing_below: u64,
    ambassador_rung: &str,
) -> Result<model::Profile> {
    let t = &p.crosstab;
    let (own, seen, people) = (
        strs(t, SELF_RUNG)?,
        strs(t, OBSERVED_RUNG)?,
        u32s(t, "people")?,
    );
    let at = |name: &str| rungs.iter().position(|r| r == name);
    let mut counts = vec![vec![None; rungs.len()]; rungs.len()];
    for i in 0..t.height() {
        if let (Some(s), Some(o)) = (at(&own[i]), at(&seen[i])) {
            counts[s][o] = people[i].map(u64::from);
        }
    }
    let (names, shares) = (strs(&p.summary, "comparison")?, f64s(&p.summary, "share")?);
    let share = |name: &str| names.iter().position(|n| n == name).and_then(|i| shares[i]);
    let (attribute, groups) = match p.by_group.first() {
        Some((path, table)) => {
            let attribute = path.trim_start_matches("tables/profile_by_").to_string();
            (Some(attribute.clone()), groups(table, &attribute)?)
        }
        None => (None, Vec::new()),
    };
    Ok(model::Profile {
        respondents: p.respondents,
        left_out: p.left_out.values().sum(),
        counts,
        higher: share("reported_higher"),
        same: share("reported_same"),
        lower: share("reported_lower"),
        attribute,
        groups,
        willing_below,
        ambassador_rung: ambassador_rung.to_string(),
    })
}

/// Per group, its respondents and the shares who want to contribute or might.
fn groups(table: &DataFrame, attribute: &str) -> Result<Vec<model::ProfileGroup>> {
    let (group, item, answer) = (
        strs(table, attribute)?,
        strs(table, "item")?,
        strs(table, "answer")?,
    );
    let (share, respondents) = (f64s(table, "share")?, u32s(table, "respondents")?);
    let mut out: Vec<model::ProfileGroup> = Vec::new();
    for i in (0..table.height()).filter(|&i| item[i] == WANTS) {
        if out.last().is_none_or(|g| g.group != group[i]) {
            out.push(model::ProfileGroup {
                group: group[i].clone(),
                respondents: respondents[i].map(u64::from),
                yes: None,
                maybe: None,
            });
        }
        if let Some(g) = out.last_mut() {
            match answer[i].as_str() {
                "yes" => g.yes = share[i],
                "maybe" => g.maybe = share[i],
                _ => {}
            }
        }
    }
    Ok(out)
}

fn interval(e: Option<Estimate>) -> Option<model::Interval> {
    e.map(|e| model::Interval {
        value: e.value,
        low: e.low,
        high: e.high,
    })
}

fn campaign(run: &CampaignRun, periods: &[Period]) -> model::CampaignRow {
    let c = &run.campaign;
    model::CampaignRow {
        name: c.name.clone(),
        start: c.start.to_string(),
        end: c.end.to_string(),
        audience: c
            .audience
            .as_ref()
            .map(|a| (a.attribute.column().to_string(), a.group.clone())),
        span: position(periods, c.start, false).zip(position(periods, c.end, true)),
        effects: run
            .effects
            .iter()
            .map(|e| model::EffectRow {
                metric: e.metric.to_string(),
                status: match e.status {
                    Status::Estimated => model::EffectStatus::Estimated,
                    Status::OutsideData => model::EffectStatus::OutsideData,
                    Status::FewWeeksBefore => model::EffectStatus::FewWeeksBefore,
                    Status::FewWeeksAfter => model::EffectStatus::FewWeeksAfter,
                    Status::SmallGroup => model::EffectStatus::SmallGroup,
                },
                weeks_before: e.weeks_before,
                weeks_after: e.weeks_after,
                mean_before: e.mean_before,
                mean_after: e.mean_after,
                level: interval(e.level),
                slope: interval(e.slope),
                did: interval(e.did),
            })
            .collect(),
    }
}

/// A day's place on the period axis, where period `i` spans `i - 0.5` to `i + 0.5`: the start
/// of the day, or with `end` its end. None outside the periods.
fn position(periods: &[Period], day: NaiveDate, end: bool) -> Option<f64> {
    let (i, p) = periods
        .iter()
        .enumerate()
        .find(|(_, p)| p.start <= day && day <= p.end)?;
    let length = (p.end - p.start).num_days() as f64 + 1.0;
    let into = (day - p.start).num_days() as f64 + if end { 1.0 } else { 0.0 };
    Some(i as f64 - 0.5 + into / length)
}

fn leaders(table: &DataFrame) -> Result<Vec<model::LeaderRow>> {
    let label = strs(table, a::PERIOD)?;
    let (leaders, threads, replies) = (
        u32s(table, "leaders")?,
        u32s(table, "threads")?,
        u32s(table, "replies_to_leaders")?,
    );
    let (active, contributing, outside, reach) = (
        f64s(table, "active_share")?,
        f64s(table, "contributing_share")?,
        f64s(table, "outside_team_share")?,
        f64s(table, "thread_reach_median")?,
    );
    Ok((0..table.height())
        .map(|i| model::LeaderRow {
            label: label[i].clone(),
            leaders: leaders[i],
            active: active[i],
            contributing: contributing[i],
            outside_team: outside[i],
            threads: threads[i],
            reach_median: reach[i],
            replies: replies[i],
        })
        .collect())
}
