//! The report's section "What people talk about" (README "Themes"), only with themes on: the last
//! period's most distinctive terms and its rising ones.

use super::{chart, Block, Ctx, Section, Table};
use crate::render::words::{fill, DASH};

/// What people talk about: only with themes on (README "Themes").
pub(super) fn themes(c: &Ctx) -> Option<Section> {
    let t = c.report.themes.as_ref()?;
    let (lang, w) = (c.lang, c.lang.words());
    let period = lang.period(&t.period);
    let k = c.report.min_group_size.to_string();
    let mut blocks = vec![Block::Paragraph(fill(
        w.themes_how,
        &[&lang.count(t.messages), &period, &k],
    ))];
    if t.top.is_empty() {
        blocks.push(Block::Note(fill(w.no_themes, &[&period, &k])));
    } else {
        blocks.extend(chart(c.charts, "themes"));
        blocks.push(Block::Table(Table {
            headers: vec![
                w.term.into(),
                w.distinctive_z.into(),
                w.people.into(),
                w.share_of_mentions.into(),
                w.rising_z.into(),
            ],
            numeric: vec![false, true, true, true, true],
            rows: t
                .top
                .iter()
                .map(|r| {
                    let z = |z: Option<f64>| z.map_or(DASH.to_string(), |z| lang.number(z, 2));
                    vec![
                        r.term.clone(),
                        z(r.distinctive),
                        lang.count(u64::from(r.people)),
                        lang.percent(Some(r.share)),
                        z(r.z),
                    ]
                })
                .collect(),
        }));
    }
    blocks.push(Block::Paragraph(fill(w.themes_rising_how, &[&period])));
    match chart(c.charts, "themes_rising") {
        Some(rising) => blocks.push(rising),
        None => blocks.push(Block::Note(fill(w.no_rising, &[&period]))),
    }
    Some(Section {
        id: "themes",
        title: w.themes_section.into(),
        blocks,
    })
}
