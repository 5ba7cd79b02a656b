//! The engagement ladder a pipeline climbs: one of the built-in presets (docs/metrics.md) or the
//! user's own rungs, highest first, each with the SQL condition the metrics stage compiles.

use super::file::{LadderSection, Text};
use crate::error::Result;

/// The built-in ladders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Forrester's Social Technographics: Creators … Inactives.
    Forrester,
    /// Li and Owyang's engagement pyramid: Curating … Inactive.
    Pyramid,
}

impl Preset {
    pub fn parse(name: &str) -> Option<Preset> {
        match name {
            "forrester" => Some(Preset::Forrester),
            "pyramid" => Some(Preset::Pyramid),
            _ => None,
        }
    }

    /// The name as the pipeline file writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Forrester => "forrester",
            Preset::Pyramid => "pyramid",
        }
    }

    /// The name as the report shows it.
    pub fn title(self) -> &'static str {
        match self {
            Preset::Forrester => "Forrester",
            Preset::Pyramid => "Pyramid",
        }
    }

    fn rungs(self) -> &'static [(&'static str, Option<&'static str>)] {
        match self {
            Preset::Forrester => &[
                ("Creators", Some("posts >= 1")),
                ("Conversationalists", Some("replies >= 1")),
                ("Critics", Some("reactions >= 1")),
                ("Collectors", Some("shares + curations >= 1")),
                ("Joiners", Some("joins >= 1")),
                ("Spectators", Some("views + visits >= 1")),
                ("Inactives", None),
            ],
            Preset::Pyramid => &[
                ("Curating", Some("curations >= 1")),
                ("Producing", Some("posts >= 1")),
                ("Commenting", Some("replies + reactions >= 1")),
                ("Sharing", Some("shares >= 1")),
                ("Watching", Some("views + visits >= 1")),
                ("Inactive", None),
            ],
        }
    }

    /// The rung from which people count as ambassadors by default: conversation and above
    /// (the spec's Conversationalists, its pyramid counterpart Commenting).
    pub fn ambassador_rung(self) -> &'static str {
        match self {
            Preset::Forrester => "Conversationalists",
            Preset::Pyramid => "Commenting",
        }
    }
}

/// One rung of a ladder: a name and, except for the last rung, a SQL condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rung {
    pub name: String,
    pub when: Option<String>,
    /// The pipeline key, for error messages (`ladder.preset` or `ladder.rung[2].when`).
    pub key: String,
    /// The line of the key in the pipeline file, if it came from there.
    pub line: Option<usize>,
}

/// An ordered ladder, highest rung first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ladder {
    /// The preset it is, or `None` for the user's own rungs.
    pub preset: Option<Preset>,
    pub rungs: Vec<Rung>,
}

impl Ladder {
    /// A built-in ladder (docs/metrics.md).
    pub fn preset(preset: Preset) -> Ladder {
        Ladder {
            preset: Some(preset),
            rungs: preset
                .rungs()
                .iter()
                .map(|(n, w)| Rung {
                    name: n.to_string(),
                    when: w.map(str::to_string),
                    key: format!("ladder.preset = \"{}\"", preset.as_str()),
                    line: None,
                })
                .collect(),
        }
    }

    pub fn names(&self) -> Vec<String> {
        self.rungs.iter().map(|r| r.name.clone()).collect()
    }

    /// The ladder's name in the report: the preset's, or "custom".
    pub fn title(&self) -> &'static str {
        self.preset.map_or("custom", Preset::title)
    }

    /// The default ambassador rung: the preset's, or a custom ladder's second rung.
    pub fn ambassador_rung(&self) -> String {
        match self.preset {
            Some(p) => p.ambassador_rung().to_string(),
            None => self.rungs[1.min(self.rungs.len() - 1)].name.clone(),
        }
    }
}

/// The `[ladder]` section: a preset, or rungs of the user's own (Forrester when absent).
pub fn from_section(section: Option<LadderSection>, text: &Text) -> Result<Ladder> {
    let Some(l) = section else {
        return Ok(Ladder::preset(Preset::Forrester));
    };
    match (l.preset, l.rung.is_empty()) {
        (Some(p), true) => Preset::parse(p.get_ref()).map(Ladder::preset).ok_or_else(|| {
            text.error(
                p.span(),
                format!("ladder.preset: unknown preset {:?}", p.get_ref()),
                "use preset = \"forrester\" or \"pyramid\", or list your own [[ladder.rung]] tables",
            )
        }),
        (Some(p), false) => Err(text.error(
            p.span(),
            "ladder: both a preset and [[ladder.rung]] tables are given".into(),
            "keep either the preset or the rung list",
        )),
        (None, true) => Ok(Ladder::preset(Preset::Forrester)),
        (None, false) => custom(l.rung, text),
    }
}

/// The column of engage's tables a rung name would be taken for, if any (compared without
/// case, as BI tools and spreadsheets compare column names).
fn column_named(name: &str) -> Option<&'static str> {
    use crate::vocabulary::{activity, calendar, person, PERIOD_METRICS};
    let fixed = [
        activity::PERSON,
        activity::PERIOD,
        activity::RUNG,
        activity::ACTIVE,
        activity::ENGAGED,
        activity::CONTRIBUTOR,
        activity::CREATOR,
        activity::LURKER,
        calendar::PERIOD_KEY,
        calendar::PERIOD_START,
        calendar::PERIOD_END,
        "rung_label",
        "from_rung",
        "to_rung",
        "observed_rung",
        "people",
        "share",
        "suppressed",
    ];
    fixed
        .into_iter()
        .chain(activity::COUNTS)
        .chain(person::ALL)
        .chain(PERIOD_METRICS)
        .find(|c| c.eq_ignore_ascii_case(name.trim()))
}

/// A ladder of the user's own: at least two rungs, distinct names, a condition on every rung
/// but the last, which catches everyone else.
fn custom(sections: Vec<super::file::RungSection>, text: &Text) -> Result<Ladder> {
    let n = sections.len();
    if n < 2 {
        return Err(text.error(
            sections[0].name.span(),
            "ladder: a custom ladder needs at least two rungs".into(),
            "add rungs, highest first; the last one has no `when` and catches everyone else",
        ));
    }
    let mut rungs: Vec<Rung> = Vec::with_capacity(n);
    for (i, r) in sections.into_iter().enumerate() {
        let key = format!("ladder.rung[{}]", i + 1);
        let name_span = r.name.span();
        let name = r.name.into_inner().trim().to_string();
        if name.is_empty() {
            return Err(text.error(
                name_span,
                format!("{key}.name is empty"),
                "give every rung a name",
            ));
        }
        if let Some(column) = column_named(&name) {
            return Err(text.error(
                name_span,
                format!("{key}.name: {name:?} is the name of a column (`{column}`) of the tables the rungs appear in"),
                "name the rung otherwise (e.g. \"Regulars\"); rung names become values and labels beside columns of these names",
            ));
        }
        if rungs.iter().any(|x| x.name == name) {
            return Err(text.error(
                name_span,
                format!("{key}.name: the rung name {name:?} is used twice"),
                "give every rung a distinct name",
            ));
        }
        let last = i + 1 == n;
        let (line, when) =
            match r.when {
                Some(w) if last => return Err(text.error(
                    w.span(),
                    format!("{key}.when: the last rung must have no condition"),
                    "remove `when` from the last rung: it catches everyone the rungs above did not",
                )),
                Some(w) => (Some(text.line_of(w.span().start)), Some(w.into_inner())),
                None if !last => {
                    return Err(text.error(
                        name_span,
                        format!("{key}: rung {name:?} has no `when` condition"),
                        "add when = \"<SQL condition>\"; only the last rung goes without one",
                    ))
                }
                None => (Some(text.line_of(name_span.start)), None),
            };
        rungs.push(Rung {
            name,
            when,
            key: format!("{key}.when"),
            line,
        });
    }
    Ok(Ladder {
        preset: None,
        rungs,
    })
}
