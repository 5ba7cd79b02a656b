//! The report's content, once: ten sections (eleven with themes) of cards, paragraphs, tables and charts, in the
//! report's language. `html.rs` and `markdown.rs` only lay this out, so the HTML page and the
//! Markdown file always say the same thing.

use super::charts::Chart;
use super::model::{PeriodRow, Population, Report};
use super::words::{fill, metric_label, metric_meaning, Language, DASH};
use crate::vocabulary::PeriodKind;

mod health;
mod practice;
mod themes;

/// A headline figure with its changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub value: String,
    pub label: String,
    pub changes: Vec<String>,
}

/// A table; `numeric[i]` right-aligns column i.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Cards(Vec<Card>),
    Paragraph(String),
    Note(String),
    Table(Table),
    /// A chart by its file stem and title.
    Chart {
        name: String,
        title: String,
    },
    /// Term and explanation pairs.
    Definitions(Vec<(String, String)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub blocks: Vec<Block>,
}

/// Periods one year back: 12 months, 52 weeks or 4 quarters.
fn year_back(kind: PeriodKind) -> usize {
    match kind {
        PeriodKind::Week => 52,
        PeriodKind::Quarter => 4,
        PeriodKind::Month => 12,
    }
}

fn chart(charts: &[Chart], name: &str) -> Option<Block> {
    charts
        .iter()
        .find(|c| c.name == name)
        .map(|c| Block::Chart {
            name: c.name.clone(),
            title: c.title.clone(),
        })
}

/// The value of a metric formatted for its kind.
pub fn format_figure(lang: Language, name: &str, value: Option<f64>) -> String {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return DASH.to_string();
    };
    let share = name.contains("_rate")
        || name.ends_with("_share")
        || matches!(name, "stickiness" | "leader_reach");
    if share {
        lang.percent(Some(v))
    } else if name == "gini" {
        lang.number(v, 2)
    } else if name.ends_with("_hours") {
        format!("{} h", lang.number(v, 1))
    } else if name.starts_with("post_reach") {
        lang.number(v, 1)
    } else {
        lang.count(v.max(0.0).round() as u64)
    }
}

/// What every section reads: the report, its charts, its language and last period.
struct Ctx<'a> {
    report: &'a Report,
    charts: &'a [Chart],
    lang: Language,
    /// The period kind's word ("month").
    kind: &'static str,
    last: Option<&'a PeriodRow>,
    /// The last period's label in the report's language.
    last_label: String,
}

/// The ten sections of the report, and "What people talk about" after the conversations when
/// themes are on.
pub fn sections(report: &Report, charts: &[Chart]) -> Vec<Section> {
    let lang = report.language;
    let last = report.periods.last();
    let c = Ctx {
        report,
        charts,
        lang,
        kind: lang.kind(report.period_kind, false),
        last,
        last_label: last.map(|p| lang.period(&p.label)).unwrap_or_default(),
    };
    vec![
        headline(&c),
        ladder(&c),
        reach(&c),
        inequality(&c),
        conversations(&c),
    ]
    .into_iter()
    .chain(themes::themes(&c))
    .chain([organisation(&c)])
    .chain(practice::leadership(&c))
    .chain(practice::profile(&c))
    .chain(practice::campaigns(&c))
    .chain([outcomes(&c), ambassadors(&c), quality(&c), definitions(&c)])
    .collect()
}

/// 1. Headline.
fn headline(c: &Ctx) -> Section {
    let report = c.report;
    let lang = c.lang;
    let w = c.lang.words();
    let kind = c.kind;
    let last_label = &c.last_label;
    let last = c.last;
    let mut blocks = Vec::new();
    if let Some(last) = last {
        let n = report.periods.len();
        let top_three = |p: &super::model::PeriodRow| -> Option<f64> {
            let shares: Vec<Option<f64>> = p.rung_shares.iter().take(3).copied().collect();
            if shares.iter().all(Option::is_none) {
                None
            } else {
                Some(shares.iter().flatten().sum())
            }
        };
        type Measure = Box<dyn Fn(&super::model::PeriodRow) -> Option<f64>>;
        let measures: Vec<(String, Measure)> = vec![
            (
                metric_label("participation_rate", lang).to_string(),
                Box::new(|p| p.figure("participation_rate")),
            ),
            (
                metric_label("reach_rate", lang).to_string(),
                Box::new(|p| p.figure("reach_rate")),
            ),
            (
                metric_label("contribution_rate", lang).to_string(),
                Box::new(|p| p.figure("contribution_rate")),
            ),
            (w.top_three.to_string(), Box::new(top_three)),
            (
                metric_label("reply_rate", lang).to_string(),
                Box::new(|p| p.figure("reply_rate")),
            ),
        ];
        let mut cards = Vec::new();
        for (label, get) in &measures {
            let Some(now) = get(last) else { continue };
            let mut changes = Vec::new();
            if n >= 2 {
                if let Some(before) = get(&report.periods[n - 2]) {
                    changes.push(format!(
                        "{} {} {kind}",
                        lang.points(now - before),
                        w.vs_previous
                    ));
                }
            }
            let back = year_back(report.period_kind);
            if n > back {
                if let Some(before) = get(&report.periods[n - 1 - back]) {
                    changes.push(format!("{} {}", lang.points(now - before), w.vs_year));
                }
            }
            cards.push(Card {
                value: lang.percent(Some(now)),
                label: label.clone(),
                changes,
            });
        }
        blocks.push(Block::Cards(cards));
    }
    match report.population {
        Population::Observed => blocks.push(Block::Note(w.observed_note.into())),
        Population::UserList => blocks.push(Block::Note(w.user_list_note.into())),
        Population::Roster => {}
    }
    blocks.extend(targets(c));
    Section {
        id: "headline",
        title: format!("{}: {last_label}", w.headline),
        blocks,
    }
}

/// The SMART goals and where each stands, when the pipeline sets any.
fn targets(c: &Ctx) -> Vec<Block> {
    let (report, lang, w) = (c.report, c.lang, c.lang.words());
    let mut out = Vec::new();
    if report.targets.is_empty() {
        return out;
    }
    out.push(Block::Paragraph(format!("{}:", w.targets)));
    out.push(Block::Table(Table {
        headers: vec![
            w.goal.into(),
            w.baseline.into(),
            w.current.into(),
            w.expected_now.into(),
            w.target.into(),
            w.by.into(),
            w.status.into(),
        ],
        numeric: vec![false, true, true, true, true, false, false],
        rows: report
            .targets
            .iter()
            .map(|t| {
                let f = |v: Option<f64>| {
                    format_figure(
                        lang,
                        t.metric
                            .strip_prefix("rung_share:")
                            .map_or(&t.metric, |_| "rung_share"),
                        v,
                    )
                };
                vec![
                    t.name.clone(),
                    format!("{} ({})", f(t.baseline), lang.period(&t.baseline_period)),
                    f(t.current),
                    f(t.expected),
                    f(Some(t.target)),
                    lang.period(&t.by),
                    match t.on_track {
                        Some(true) => w.target_on_track.into(),
                        Some(false) => w.target_behind.into(),
                        None => w.target_unknown.into(),
                    },
                ]
            })
            .collect(),
    }));
    out
}

/// 2. The ladder.
fn ladder(c: &Ctx) -> Section {
    let report = c.report;
    let charts = c.charts;
    let lang = c.lang;
    let w = c.lang.words();
    let last = c.last;
    let mut blocks: Vec<Block> = chart(charts, "ladder").into_iter().collect();
    let mut headers = vec![w.period.to_string()];
    headers.extend(report.rungs.iter().cloned());
    blocks.push(Block::Table(Table {
        numeric: std::iter::once(false)
            .chain(report.rungs.iter().map(|_| true))
            .collect(),
        headers,
        rows: report
            .periods
            .iter()
            .map(|p| {
                std::iter::once(lang.period(&p.label))
                    .chain(p.rung_shares.iter().map(|s| lang.percent(*s)))
                    .collect()
            })
            .collect(),
    }));
    blocks.extend(chart(charts, "transitions"));
    if let Some(last) = last {
        if let (Some(up), Some(down)) =
            (last.figure("promotion_rate"), last.figure("demotion_rate"))
        {
            blocks.push(Block::Paragraph(fill(
                w.promotion_note,
                &[&lang.percent(Some(up)), &lang.percent(Some(down))],
            )));
        }
    }
    Section {
        id: "ladder",
        title: w.ladder_section.into(),
        blocks,
    }
}

/// 3. Reach and participation.
fn reach(c: &Ctx) -> Section {
    let charts = c.charts;
    let w = c.lang.words();
    let blocks: Vec<Block> = ["trends", "lifecycle", "retention"]
        .iter()
        .filter_map(|c| chart(charts, c))
        .collect();
    Section {
        id: "reach",
        title: w.reach_section.into(),
        blocks,
    }
}

/// 4. Inequality.
fn inequality(c: &Ctx) -> Section {
    let charts = c.charts;
    let lang = c.lang;
    let w = c.lang.words();
    let last = c.last;
    let mut blocks: Vec<Block> = chart(charts, "lorenz").into_iter().collect();
    match last.map(|p| {
        (
            p.figure("top1_share"),
            p.figure("top10_share"),
            p.figure("gini"),
        )
    }) {
        Some((Some(t1), Some(t10), g)) => blocks.push(Block::Paragraph(fill(
            w.inequality_text,
            &[
                &lang.percent(Some(t1)),
                &lang.percent(Some(t10)),
                &format_figure(lang, "gini", g),
            ],
        ))),
        _ => blocks.push(Block::Paragraph(w.no_contributions.into())),
    }
    Section {
        id: "inequality",
        title: w.inequality_section.into(),
        blocks,
    }
}

/// 5. Conversations.
fn conversations(c: &Ctx) -> Section {
    let report = c.report;
    let charts = c.charts;
    let lang = c.lang;
    let w = c.lang.words();
    let last_label = &c.last_label;
    let last = c.last;
    let mut blocks: Vec<Block> = ["replies", "reply_time"]
        .iter()
        .filter_map(|c| chart(charts, c))
        .collect();
    if let Some(last) = last {
        let posts = last.figure("posts").unwrap_or(0.0);
        let unanswered = last.figure("unanswered_posts").unwrap_or(0.0);
        blocks.push(Block::Paragraph(fill(
            w.unanswered_text,
            &[
                &lang.count(unanswered as u64),
                &lang.count(posts as u64),
                &report.reply_window_hours.to_string(),
            ],
        )));
    }
    if report.spaces.is_empty() {
        blocks.push(Block::Note(w.no_spaces.into()));
    } else {
        blocks.push(Block::Paragraph(fill(w.spaces_title, &[last_label])));
        blocks.push(Block::Table(Table {
            headers: vec![
                w.space.into(),
                w.source.into(),
                w.active_people.into(),
                w.contributors.into(),
                w.posts.into(),
                w.replies.into(),
                w.reach.into(),
            ],
            numeric: vec![false, false, true, true, true, true, true],
            rows: report
                .spaces
                .iter()
                .map(|s| {
                    vec![
                        s.space.clone(),
                        s.source.clone(),
                        lang.count(u64::from(s.active)),
                        lang.count(u64::from(s.contributors)),
                        lang.count(u64::from(s.posts)),
                        lang.count(u64::from(s.replies)),
                        s.reach
                            .map_or(DASH.to_string(), |r| lang.count(u64::from(r))),
                    ]
                })
                .collect(),
        }));
    }
    Section {
        id: "conversations",
        title: w.conversations_section.into(),
        blocks,
    }
}

/// 6. Across the organisation.
fn organisation(c: &Ctx) -> Section {
    let charts = c.charts;
    let lang = c.lang;
    let w = c.lang.words();
    let last = c.last;
    let mut blocks = Vec::new();
    match chart(charts, "departments") {
        Some(c) => blocks.push(c),
        None => blocks.push(Block::Note(w.no_departments.into())),
    }
    if let Some(last) = last {
        if let Some(c) = last.figure("cross_department_share") {
            blocks.push(Block::Paragraph(fill(
                w.cross_department_text,
                &[&lang.percent(Some(c))],
            )));
        }
        if let Some(l) = last.figure("leader_reach") {
            blocks.push(Block::Paragraph(fill(
                w.leader_reach_text,
                &[&lang.percent(Some(l))],
            )));
        }
    }
    Section {
        id: "organisation",
        title: w.organisation_section.into(),
        blocks,
    }
}

/// 7. Does it matter?
fn outcomes(c: &Ctx) -> Section {
    let report = c.report;
    let charts = c.charts;
    let lang = c.lang;
    let w = c.lang.words();
    let last_label = &c.last_label;
    let mut blocks = vec![Block::Note(w.caveat.into())];
    match &report.outcomes {
        None => blocks.push(Block::Paragraph(w.no_outcomes.into())),
        Some(o) => {
            if let (Some(t), Some(v)) = (o.turnover_rate, o.voluntary_turnover_rate) {
                blocks.push(Block::Paragraph(fill(
                    w.turnover_text,
                    &[last_label, &lang.percent(Some(t)), &lang.percent(Some(v))],
                )));
            }
            blocks.extend(chart(charts, "satisfaction"));
            if !o.correlations.is_empty() {
                let two = |v: Option<f64>| v.map_or(DASH.to_string(), |v| lang.number(v, 2));
                blocks.push(Block::Table(Table {
                    headers: vec![
                        w.outcome.into(),
                        w.engagement.into(),
                        w.teams.into(),
                        "rho".into(),
                        w.interval.into(),
                        w.p_adjusted.into(),
                    ],
                    numeric: vec![false, false, true, true, true, true],
                    rows: o
                        .correlations
                        .iter()
                        .map(|c| {
                            vec![
                                format!("{} ({})", c.outcome, lang.period(&c.period)),
                                match c.engagement_metric.as_str() {
                                    "top_three_share" => w.top_three.to_string(),
                                    m => metric_label(m, lang).to_string(),
                                },
                                c.n_teams.to_string(),
                                two(c.rho),
                                format!("{} {} {}", two(c.ci_low), w.to, two(c.ci_high)),
                                match c.p_adjusted {
                                    Some(p) if p < 0.001 => "< 0.001"
                                        .to_string()
                                        .replace('.', if lang == Language::Nl { "," } else { "." }),
                                    Some(p) => lang.number(p, 3),
                                    None => DASH.to_string(),
                                },
                            ]
                        })
                        .collect(),
                }));
            }
            blocks.extend(chart(charts, "attrition"));
            blocks.extend(chart(charts, "survival"));
            if let Some((stat, df, p)) = o.logrank {
                let p = if p < 0.001 {
                    format!("< {}", lang.number(0.001, 3))
                } else {
                    format!("= {}", lang.number(p, 3))
                };
                blocks.push(Block::Paragraph(fill(
                    w.logrank_text,
                    &[&lang.number(stat, 2), &df.to_string(), &p],
                )));
            }
        }
    }
    Section {
        id: "outcomes",
        title: w.outcomes_section.into(),
        blocks,
    }
}

/// 8. Ambassadors.
fn ambassadors(c: &Ctx) -> Section {
    let report = c.report;
    let w = c.lang.words();
    let mut blocks = Vec::new();
    if report.ambassadors.is_empty() {
        blocks.push(Block::Paragraph(w.no_ambassadors.into()));
    } else {
        let surveyed = report.practice.profile.is_some();
        let mut headers: Vec<String> = vec![
            w.rank.into(),
            w.person.into(),
            w.partners.into(),
            w.responders.into(),
            w.contributions.into(),
            w.rung.into(),
        ];
        if surveyed {
            headers.push(w.practice.also_willing.into());
        }
        blocks.push(Block::Table(Table {
            numeric: (0..headers.len())
                .map(|i| [0, 2, 3, 4].contains(&i))
                .collect(),
            headers,
            rows: report
                .ambassadors
                .iter()
                .map(|a| {
                    let mut row = vec![
                        a.rank.to_string(),
                        if report.ambassadors_revealed {
                            a.person.clone()
                        } else {
                            a.person.chars().take(12).collect()
                        },
                        a.partners.to_string(),
                        a.responders.to_string(),
                        a.contributions.to_string(),
                        a.rung.clone(),
                    ];
                    if surveyed {
                        row.push(if a.also_willing { w.practice.yes } else { DASH }.into());
                    }
                    row
                })
                .collect(),
        }));
    }
    blocks.push(Block::Note(
        if report.ambassadors_revealed {
            w.ambassadors_revealed
        } else {
            w.ambassadors_pseudonymised
        }
        .into(),
    ));
    Section {
        id: "ambassadors",
        title: w.ambassadors_section.into(),
        blocks,
    }
}

/// 9. Data quality.
fn quality(c: &Ctx) -> Section {
    let report = c.report;
    let lang = c.lang;
    let w = c.lang.words();
    // The health checks first: a broken feed is what a reader must know before anything.
    let mut blocks = health::blocks(c);
    blocks.push(Block::Table(Table {
        headers: vec![
            w.file.into(),
            w.role.into(),
            w.kind_word.into(),
            w.rows_read.into(),
            w.accepted.into(),
            w.duplicates.into(),
            w.excluded.into(),
            w.rejected.into(),
        ],
        numeric: vec![false, false, false, true, true, true, true, true],
        rows: report
            .inputs
            .iter()
            .map(|i| {
                vec![
                    i.file.clone(),
                    lang.role(&i.role),
                    if i.role == "events" {
                        i.kind.clone()
                    } else {
                        lang.role(&i.kind)
                    },
                    lang.count(i.rows_read),
                    // New and already stored together: a rerun over the same store says
                    // what the first run said (the manifest and log tell them apart).
                    lang.count(i.accepted + i.already_stored),
                    lang.count(i.duplicates),
                    lang.count(i.excluded),
                    lang.count(i.rejected),
                ]
            })
            .collect(),
    }));
    blocks.push(Block::Note(w.reconcile_note.into()));
    blocks.push(Block::Paragraph(
        match report.population {
            Population::Roster => w.basis_roster,
            Population::UserList => w.basis_user_list,
            Population::Observed => w.basis_observed,
        }
        .into(),
    ));
    if let Some(u) = report.unresolved_accounts {
        blocks.push(Block::Paragraph(fill(w.unresolved_text, &[&lang.count(u)])));
    }
    let c = report.coverage;
    if !c.views {
        blocks.push(Block::Note(w.no_views_note.into()));
    }
    if !c.roster {
        blocks.push(Block::Note(w.no_roster_note.into()));
    } else {
        if !c.departments {
            blocks.push(Block::Note(w.no_departments_note.into()));
        }
        if c.views && !c.roles {
            blocks.push(Block::Note(w.no_roles_note.into()));
        }
    }
    let hours = report.reply_window_hours.to_string();
    blocks.push(Block::Note(fill(w.reply_window_note, &[&hours, &hours])));
    for note in &report.source_notes {
        blocks.push(Block::Note(note.clone()));
    }
    Section {
        id: "quality",
        title: w.quality_section.into(),
        blocks,
    }
}

/// 10. Definitions: every figure in one line, with its value in the last period.
fn definitions(c: &Ctx) -> Section {
    let lang = c.lang;
    let w = c.lang.words();
    let last_label = &c.last_label;
    let last = c.last;
    let (term, text) = w
        .rung_share_definition
        .split_once(": ")
        .unwrap_or((w.rung, w.rung_share_definition));
    let mut terms = vec![(term.to_string(), text.to_string())];
    let report = c.report;
    if report.rungs != report.rung_names {
        let pairs: Vec<String> = report
            .rungs
            .iter()
            .zip(&report.rung_names)
            .map(|(label, name)| format!("{label}: {name}"))
            .collect();
        terms.push((w.rung_names_term.to_string(), pairs.join("; ")));
    }
    terms.push((
        w.hidden_term.to_string(),
        fill(w.hidden_definition, &[&report.min_group_size.to_string()]),
    ));
    for d in crate::vocabulary::definitions::PERIOD_METRICS.iter() {
        let value = last
            .map(|p| format_figure(lang, d.name, p.figure(d.name)))
            .unwrap_or_else(|| DASH.to_string());
        terms.push((
            format!("{} ({last_label}: {value})", metric_label(d.name, lang)),
            metric_meaning(d.name, lang).to_string(),
        ));
    }
    Section {
        id: "definitions",
        title: w.definitions_section.into(),
        blocks: vec![Block::Definitions(terms)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::PERIOD_METRICS;

    /// The inequality section's paragraph of the sample report, whose last period has the
    /// top 1% at 19%, the top 10% at 47.6% and a Gini of 1.00.
    fn inequality_paragraph(language: Language) -> String {
        let mut report = crate::render::model::sample();
        report.language = language;
        let last = report.periods.last_mut().unwrap();
        for (name, value) in [("top1_share", 0.19), ("top10_share", 0.476), ("gini", 1.0)] {
            let at = PERIOD_METRICS.iter().position(|m| *m == name).unwrap();
            last.figures[at] = Some(value);
        }
        let section = sections(&report, &[])
            .into_iter()
            .find(|s| s.id == "inequality")
            .unwrap();
        section
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Paragraph(p) => Some(p.clone()),
                _ => None,
            })
            .unwrap()
    }

    // The shares are over active people, the Gini over the whole headcount (docs/metrics.md): the
    // sentence says which is which, so 19% / 47.6% and a Gini of 1.00 do not read as a
    // contradiction.
    #[test]
    fn the_inequality_sentence_names_the_basis_of_each_figure() {
        let en = inequality_paragraph(Language::En);
        assert!(
            en.starts_with("Of the people active this period, the most active 1% wrote 19.0%"),
            "{en}"
        );
        assert!(en.contains("Over the whole headcount, counting everyone who wrote nothing, the Gini coefficient is 1.00."), "{en}");
        let nl = inequality_paragraph(Language::Nl);
        assert!(
            nl.starts_with("Van wie deze periode actief was, schreef de actiefste 1% 19,0%"),
            "{nl}"
        );
        assert!(nl.contains("Over het hele personeelsbestand, ook wie niets schreef, is de Gini-coëfficiënt 1,00."), "{nl}");
    }
}
