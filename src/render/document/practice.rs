//! The report's sections on practitioners' questions (README "What people say, campaigns and leaders"): what people say beside what
//! they do, whether campaigns moved anything, and whether leaders show their faces. Each is
//! left out when its input is missing (no profile survey, no campaign, no roles on the roster).

use super::{chart, Block, Card, Ctx, Section, Table};
use crate::render::model::{CampaignRow, EffectRow, EffectStatus, Interval};
use crate::render::words::{fill, metric_label, DASH};

/// A label with its first letter in lower case.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|f| f.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Percentage points of a share, signed.
fn points(c: &Ctx, v: f64) -> String {
    c.lang.number(v * 100.0, 1)
}

/// "What people say and what they do".
pub(super) fn profile(c: &Ctx) -> Option<Section> {
    let p = c.report.practice.profile.as_ref()?;
    let (lang, w) = (c.lang, c.lang.words().practice);
    let k = c.report.min_group_size;
    let mut blocks = vec![Block::Paragraph(fill(
        w.profile_how,
        &[&lang.count(p.respondents), c.kind],
    ))];
    if p.respondents < u64::from(k) {
        blocks.push(Block::Note(fill(w.profile_small, &[&k.to_string()])));
    } else {
        blocks.push(Block::Paragraph(fill(
            w.profile_gap,
            &[
                &lang.percent(p.higher),
                &lang.percent(p.same),
                &lang.percent(p.lower),
            ],
        )));
        blocks.extend(chart(c.charts, "profile"));
    }
    if let Some(attribute) = &p.attribute {
        let attribute = w.attribute(attribute);
        blocks.push(Block::Paragraph(fill(
            w.profile_groups_how,
            &[&attribute.to_lowercase(), &k.to_string()],
        )));
        blocks.push(Block::Table(Table {
            headers: vec![
                attribute.to_string(),
                w.respondents.into(),
                w.want.into(),
                w.maybe.into(),
            ],
            numeric: vec![false, true, true, true],
            rows: p
                .groups
                .iter()
                .filter(|g| g.respondents.is_some())
                .map(|g| {
                    vec![
                        g.group.clone(),
                        g.respondents.map_or(DASH.into(), |n| lang.count(n)),
                        lang.percent(g.yes),
                        lang.percent(g.maybe),
                    ]
                })
                .collect(),
        }));
    }
    if p.willing_below > 0 {
        blocks.push(Block::Paragraph(fill(
            w.willing_below,
            &[&lang.count(p.willing_below), &p.ambassador_rung],
        )));
    }
    if p.left_out > 0 {
        blocks.push(Block::Note(fill(
            w.profile_left_out,
            &[&lang.count(p.left_out)],
        )));
    }
    Some(Section {
        id: "profile",
        title: w.profile_section.into(),
        blocks,
    })
}

/// "Campaigns": per campaign a paragraph on what moved and how sure we can be, and a table.
pub(super) fn campaigns(c: &Ctx) -> Option<Section> {
    let campaigns = &c.report.practice.campaigns;
    if campaigns.is_empty() {
        return None;
    }
    let w = c.lang.words().practice;
    let mut blocks = vec![Block::Paragraph(w.campaigns_how.into())];
    for campaign in campaigns {
        blocks.extend(one_campaign(c, campaign));
    }
    Some(Section {
        id: "campaigns",
        title: w.campaigns_section.into(),
        blocks,
    })
}

fn one_campaign(c: &Ctx, campaign: &CampaignRow) -> Vec<Block> {
    let (lang, w) = (c.lang, c.lang.words().practice);
    let mut title = fill(
        w.campaign_title,
        &[
            &campaign.name,
            &lang.date(&campaign.start),
            &lang.date(&campaign.end),
        ],
    );
    if let Some((attribute, group)) = &campaign.audience {
        let whom = format!("{group} ({})", w.attribute(attribute).to_lowercase());
        title = format!("{title}, {}", fill(w.campaign_aimed, &[&whom]));
    }
    let sentences: Vec<String> = campaign.effects.iter().map(|e| effect_text(c, e)).collect();
    let mut blocks = vec![Block::Paragraph(format!(
        "{title}. {}",
        sentences.join(" ")
    ))];
    if campaign
        .effects
        .iter()
        .any(|e| e.status == EffectStatus::Estimated)
    {
        blocks.push(Block::Table(effect_table(c, campaign)));
    }
    blocks
}

/// What moved, and how sure we can be, for one metric.
fn effect_text(c: &Ctx, e: &EffectRow) -> String {
    let (lang, w) = (c.lang, c.lang.words().practice);
    let label = metric_label(&e.metric, lang);
    // Inside a sentence the measure is a common noun.
    let inner = lower_first(label);
    let metric = label;
    let k = c.report.min_group_size.to_string();
    match e.status {
        EffectStatus::OutsideData => return fill(w.outside_data, &[metric]),
        EffectStatus::FewWeeksBefore => {
            return fill(w.few_before, &[metric, &e.weeks_before.to_string()])
        }
        EffectStatus::FewWeeksAfter => {
            return fill(w.few_after, &[metric, &e.weeks_after.to_string()])
        }
        EffectStatus::SmallGroup => return fill(w.small_group, &[metric, &k]),
        EffectStatus::Estimated => {}
    }
    let interval = |template: &str, i: &Interval, value: f64| {
        fill(
            template,
            &[
                metric,
                &points(c, value),
                &points(c, i.low),
                &points(c, i.high),
            ],
        )
    };
    let mut out = match e.level {
        Some(l) if l.sure() && l.value > 0.0 => interval(w.rose, &l, l.value),
        Some(l) if l.sure() => interval(w.fell, &l, -l.value),
        Some(l) => interval(w.unsure, &l, l.value),
        None => String::new(),
    };
    if let Some(d) = e.did {
        let template = if d.sure() { w.did_sure } else { w.did_unsure };
        let said = fill(
            template,
            &[
                &inner,
                &points(c, d.value),
                &points(c, d.low),
                &points(c, d.high),
            ],
        );
        out = format!("{out} {said}");
    }
    out
}

fn effect_table(c: &Ctx, campaign: &CampaignRow) -> Table {
    let (lang, w) = (c.lang, c.lang.words().practice);
    let with_interval = |i: Option<Interval>| {
        i.map_or(DASH.into(), |i| {
            format!(
                "{} ({} – {})",
                points(c, i.value),
                points(c, i.low),
                points(c, i.high)
            )
        })
    };
    let audience = campaign.audience.is_some();
    let mut headers = vec![
        w.metric.into(),
        w.before.into(),
        w.after.into(),
        w.level_change.into(),
        w.slope_change.into(),
    ];
    if audience {
        headers.push(w.did.into());
    }
    Table {
        numeric: headers.iter().enumerate().map(|(i, _)| i > 0).collect(),
        headers,
        rows: campaign
            .effects
            .iter()
            .filter(|e| e.status == EffectStatus::Estimated)
            .map(|e| {
                let mut row = vec![
                    metric_label(&e.metric, lang).to_string(),
                    lang.percent(e.mean_before),
                    lang.percent(e.mean_after),
                    with_interval(e.level),
                    with_interval(e.slope),
                ];
                if audience {
                    row.push(with_interval(e.did));
                }
                row
            })
            .collect(),
    }
}

/// "Leaders in the network": the last period's share active as the headline figure, the
/// chart over time, and their threads and replies.
pub(super) fn leadership(c: &Ctx) -> Option<Section> {
    let rows = &c.report.practice.leadership;
    let last = rows.last()?;
    let (lang, w) = (c.lang, c.lang.words().practice);
    let period = lang.period(&last.label);
    let mut blocks = Vec::new();
    if last.leaders.is_some() {
        blocks.push(Block::Cards(vec![Card {
            value: lang.percent(last.active),
            label: format!("{} ({period})", w.leadership_card),
            changes: Vec::new(),
        }]));
    }
    blocks.push(Block::Paragraph(fill(w.leadership_how, &[c.kind])));
    blocks.extend(chart(c.charts, "leadership"));
    match (last.leaders, last.threads, last.replies) {
        (Some(leaders), Some(threads), Some(replies)) => {
            blocks.push(Block::Paragraph(fill(
                w.leadership_text,
                &[
                    &period,
                    &lang.count(u64::from(leaders)),
                    &lang.count(u64::from(threads)),
                    &last.reach_median.map_or(DASH.into(), |r| lang.number(r, 0)),
                    &lang.count(u64::from(replies)),
                ],
            )));
        }
        (leaders, _, _) => {
            let note = if leaders.is_some() {
                w.leadership_thin
            } else {
                w.leadership_small
            };
            blocks.push(Block::Note(fill(
                note,
                &[&c.report.min_group_size.to_string(), &period],
            )));
        }
    }
    Some(Section {
        id: "leadership",
        title: w.leadership_section.into(),
        blocks,
    })
}
