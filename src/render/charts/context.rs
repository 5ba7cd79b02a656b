//! What every chart reads besides the report model, built once per report.

use crate::render::model::Report;
use crate::render::words::{Language, Words};

/// What every chart reads besides the report: its language and the periods' labels.
pub struct Context<'a> {
    pub report: &'a Report,
    pub lang: Language,
    pub w: &'static Words,
    /// The periods' labels in the report's language.
    pub labels: Vec<String>,
    /// What a period is called ("Month"), the title of a period axis.
    pub kind: &'static str,
}

impl Context<'_> {
    pub fn new(report: &Report) -> Context<'_> {
        let lang = report.language;
        Context {
            report,
            lang,
            w: lang.words(),
            labels: report
                .periods
                .iter()
                .map(|p| lang.period(&p.label))
                .collect(),
            kind: lang.kind(report.period_kind, false),
        }
    }

    /// Percentages on an axis: "40%".
    pub fn percent(&self) -> impl Fn(f64) -> String {
        let lang = self.lang;
        move |v| format!("{}%", lang.number(v, 0))
    }

    /// Percentages in a tooltip: "40.4%" ("40,4%" in Dutch).
    pub fn percent_tip(&self) -> impl Fn(f64) -> String {
        let lang = self.lang;
        move |v| format!("{}%", lang.number(v, 1))
    }
}
