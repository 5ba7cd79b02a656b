//! The report's words in English and Dutch, and numbers and dates written the way each
//! language writes them. Every label a reader sees comes from here, so a translation is one
//! table and a test can prove that no English label is left in the Dutch report.

pub use crate::vocabulary::Language;
use crate::vocabulary::PeriodKind;

// The words of each language live here; the language itself is part of the vocabulary.
impl Language {
    pub fn words(self) -> &'static Words {
        match self {
            Language::En => &EN,
            Language::Nl => &NL,
        }
    }

    /// A decimal number with `decimals` digits and the language's separators.
    pub fn number(self, v: f64, decimals: usize) -> String {
        let s = format!("{:.*}", decimals, v);
        let (sign, s) = match s.strip_prefix('-') {
            Some(rest) => ("\u{2212}", rest.to_string()),
            None => ("", s),
        };
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i.to_string(), Some(f.to_string())),
            None => (s, None),
        };
        let grouped = self.group(&int);
        // A value that rounds to zero is zero, never "−0".
        let sign = if grouped.chars().all(|c| c == '0' || !c.is_ascii_digit())
            && frac.as_deref().is_none_or(|f| f.chars().all(|c| c == '0'))
        {
            ""
        } else {
            sign
        };
        match frac {
            Some(f) => format!("{sign}{grouped}{}{f}", self.decimal_mark()),
            None => format!("{sign}{grouped}"),
        }
    }

    fn decimal_mark(self) -> char {
        match self {
            Language::En => '.',
            Language::Nl => ',',
        }
    }

    fn group(self, digits: &str) -> String {
        let sep = match self {
            Language::En => '\u{202f}',
            Language::Nl => '.',
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(sep);
            }
            out.push(ch);
        }
        out
    }

    /// A whole number.
    pub fn count(self, n: u64) -> String {
        self.group(&n.to_string())
    }

    /// A share as a percentage with one decimal, or an en dash when there is none.
    pub fn percent(self, share: Option<f64>) -> String {
        match share {
            Some(s) if s.is_finite() => format!("{}%", self.number(s * 100.0, 1)),
            _ => DASH.to_string(),
        }
    }

    /// A change of a share in percentage points, signed.
    pub fn points(self, delta: f64) -> String {
        let plus = if (delta * 1000.0).round() > 0.0 {
            "+"
        } else {
            ""
        };
        format!(
            "{plus}{} {}",
            self.number(delta * 100.0, 1),
            self.words().points
        )
    }

    /// A period label (`2026-03`, `2026-Q1`, `2026-W09`) as readers write it.
    pub fn period(self, label: &str) -> String {
        let w = self.words();
        if let Some((y, rest)) = label.split_once('-') {
            if let Some(q) = rest.strip_prefix('Q') {
                return format!("{}{q} {y}", w.quarter_short);
            }
            if let Some(wk) = rest.strip_prefix('W') {
                return format!("{} {} {y}", w.week_short, wk.trim_start_matches('0'));
            }
            if let Ok(m) = rest.parse::<usize>() {
                if (1..=12).contains(&m) {
                    return format!("{} {y}", w.months_short[m - 1]);
                }
            }
        }
        label.to_string()
    }

    /// A date `YYYY-MM-DD` written out: `30 September 2026`, `30 september 2026`.
    pub fn date(self, iso: &str) -> String {
        let parts: Vec<&str> = iso.split('-').collect();
        match parts.as_slice() {
            [y, m, d] => match (m.parse::<usize>(), d.parse::<u32>()) {
                (Ok(m), Ok(d)) if (1..=12).contains(&m) => {
                    format!("{d} {} {y}", self.words().months[m - 1])
                }
                _ => iso.to_string(),
            },
            _ => iso.to_string(),
        }
    }

    /// An input's role or kind in the report's language (format names stay as they are).
    pub fn role(self, name: &str) -> String {
        self.words()
            .role_names
            .iter()
            .find(|(code, _)| *code == name)
            .map_or(name.to_string(), |(_, word)| word.to_string())
    }

    /// The name of a period kind (`month`, `week`, `quarter`), singular or plural.
    pub fn kind(self, kind: PeriodKind, plural: bool) -> &'static str {
        let w = self.words();
        match (kind, plural) {
            (PeriodKind::Week, false) => w.week,
            (PeriodKind::Week, true) => w.weeks,
            (PeriodKind::Quarter, false) => w.quarter,
            (PeriodKind::Quarter, true) => w.quarters,
            (PeriodKind::Month, false) => w.month,
            (PeriodKind::Month, true) => w.months_word,
        }
    }
}

impl Language {
    /// Every text a report in this language shows that is not data: the word table, the
    /// notes, the figures' names and meanings and the built-in rungs. A test lists a report's
    /// visible words against it.
    pub fn all_text(self) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(table) = serde_json::to_value(self.words()) {
            strings(&table, &mut out);
        }
        out.extend(notes::all(self).into_iter().map(String::from));
        for d in &crate::vocabulary::definitions::PERIOD_METRICS {
            out.push(metric_label(d.name, self).to_string());
            out.push(metric_meaning(d.name, self).to_string());
        }
        out.extend(rungs::RUNGS_NL.iter().map(|(en, _)| self.rung(en)));
        out
    }
}

/// The strings anywhere in a JSON value.
fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Shown where there is no value.
pub const DASH: &str = "\u{2013}";

mod health;
mod notes;
mod practice;
mod rungs;

/// Every label of the report, in one language. `{}` marks where a value goes.
#[derive(serde::Serialize)]
pub struct Words {
    pub title: &'static str,
    pub periods: &'static str,
    pub time_zone: &'static str,
    pub data_as_of: &'static str,
    pub ladder: &'static str,
    pub month: &'static str,
    pub months_word: &'static str,
    pub week: &'static str,
    pub weeks: &'static str,
    pub quarter: &'static str,
    pub quarters: &'static str,
    pub months: [&'static str; 12],
    pub months_short: [&'static str; 12],
    pub quarter_short: &'static str,
    pub week_short: &'static str,
    pub points: &'static str,
    pub contents: &'static str,
    // 1. Headline
    pub headline: &'static str,
    pub vs_previous: &'static str,
    pub vs_year: &'static str,
    pub top_three: &'static str,
    pub target_on_track: &'static str,
    pub target_behind: &'static str,
    pub target_unknown: &'static str,
    pub targets: &'static str,
    pub goal: &'static str,
    pub target: &'static str,
    pub baseline: &'static str,
    pub current: &'static str,
    pub expected_now: &'static str,
    pub by: &'static str,
    pub status: &'static str,
    pub observed_note: &'static str,
    pub user_list_note: &'static str,
    // 2. Ladder
    pub ladder_section: &'static str,
    pub ladder_chart: &'static str,
    pub share_of_headcount: &'static str,
    pub period: &'static str,
    pub transitions_chart: &'static str,
    pub rung_in: &'static str,
    pub people: &'static str,
    pub promotion_note: &'static str,
    // 3. Reach and participation
    pub reach_section: &'static str,
    pub trends_chart: &'static str,
    pub lifecycle_chart: &'static str,
    pub new: &'static str,
    pub returning: &'static str,
    pub resurrecting: &'static str,
    pub dormant: &'static str,
    pub retention_chart: &'static str,
    pub cohort: &'static str,
    pub since_first: &'static str,
    // 4. Inequality
    pub inequality_section: &'static str,
    pub lorenz_chart: &'static str,
    /// The Lorenz chart's curve, in its legend.
    pub lorenz_curve: &'static str,
    pub share_of_people: &'static str,
    pub share_of_contributions: &'static str,
    pub rule_90_9_1: &'static str,
    pub equality: &'static str,
    pub inequality_text: &'static str,
    pub no_contributions: &'static str,
    // 5. Conversations
    pub conversations_section: &'static str,
    pub reply_rate_chart: &'static str,
    pub reply_time_chart: &'static str,
    pub hours: &'static str,
    /// The unit after a number of hours ("168 h").
    pub hours_unit: &'static str,
    pub unanswered_text: &'static str,
    pub spaces_title: &'static str,
    pub space: &'static str,
    pub source: &'static str,
    pub active_people: &'static str,
    pub contributors: &'static str,
    pub posts: &'static str,
    pub replies: &'static str,
    pub reach: &'static str,
    pub no_spaces: &'static str,
    // What people talk about (with themes on)
    pub themes_section: &'static str,
    pub themes_how: &'static str,
    pub themes_rising_how: &'static str,
    pub themes_chart: &'static str,
    pub themes_rising_chart: &'static str,
    pub rising_axis: &'static str,
    pub term: &'static str,
    pub share_of_mentions: &'static str,
    pub rising_z: &'static str,
    pub distinctive_z: &'static str,
    pub no_themes: &'static str,
    pub no_rising: &'static str,
    // 6. Across the organisation
    pub organisation_section: &'static str,
    pub department_chart: &'static str,
    pub suppressed_cell: &'static str,
    pub cross_department_text: &'static str,
    pub leader_reach_text: &'static str,
    pub no_departments: &'static str,
    // 7. Does it matter
    pub outcomes_section: &'static str,
    pub caveat: &'static str,
    pub turnover_text: &'static str,
    pub scatter_chart: &'static str,
    pub scatter_x: &'static str,
    pub scatter_note: &'static str,
    pub attrition_chart: &'static str,
    pub left_share: &'static str,
    pub survival_chart: &'static str,
    pub survival_x: &'static str,
    pub still_employed: &'static str,
    pub logrank_text: &'static str,
    pub outcome: &'static str,
    /// The turnover outcome's name.
    pub turnover_outcome: &'static str,
    pub engagement: &'static str,
    pub teams: &'static str,
    pub interval: &'static str,
    pub p_adjusted: &'static str,
    pub to: &'static str,
    pub no_outcomes: &'static str,
    // 8. Ambassadors
    pub ambassadors_section: &'static str,
    pub rank: &'static str,
    pub person: &'static str,
    pub partners: &'static str,
    pub responders: &'static str,
    pub contributions: &'static str,
    pub rung: &'static str,
    pub ambassadors_pseudonymised: &'static str,
    pub ambassadors_revealed: &'static str,
    pub no_ambassadors: &'static str,
    // 9. Data quality
    pub quality_section: &'static str,
    pub file: &'static str,
    pub role: &'static str,
    pub kind_word: &'static str,
    pub rows_read: &'static str,
    pub accepted: &'static str,
    pub duplicates: &'static str,
    pub excluded: &'static str,
    pub rejected: &'static str,
    /// Input roles and the kinds that are words rather than format names.
    pub role_names: [(&'static str, &'static str); 11],
    pub reconcile_note: &'static str,
    pub basis_roster: &'static str,
    pub basis_user_list: &'static str,
    pub basis_observed: &'static str,
    pub unresolved_text: &'static str,
    pub no_views_note: &'static str,
    pub no_roster_note: &'static str,
    pub no_departments_note: &'static str,
    pub no_roles_note: &'static str,
    pub reply_window_note: &'static str,
    // 10. Definitions
    pub definitions_section: &'static str,
    /// The definitions' line on what is hidden and why (docs/privacy.md), `{}` the minimum.
    pub hidden_term: &'static str,
    pub hidden_definition: &'static str,
    pub rung_share_definition: &'static str,
    /// The definitions' term for the built-in rungs' original names.
    pub rung_names_term: &'static str,
    pub made_by: &'static str,
    pub chart_png: &'static str,
    /// Self-report, campaigns and leaders (README "What people say, campaigns and leaders").
    pub practice: &'static practice::PracticeWords,
    pub health: &'static health::HealthWords,
}

pub static EN: Words = Words {
    title: "Engagement report",
    periods: "Periods",
    time_zone: "time zone",
    data_as_of: "data as of",
    ladder: "Ladder",
    month: "month",
    months_word: "months",
    week: "week",
    weeks: "weeks",
    quarter: "quarter",
    quarters: "quarters",
    months: [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ],
    months_short: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    quarter_short: "Q",
    week_short: "Week",
    points: "pp",
    contents: "Contents",
    headline: "Headline",
    vs_previous: "vs previous",
    vs_year: "vs a year earlier",
    top_three: "on the top three rungs",
    target_on_track: "on track",
    target_behind: "behind",
    target_unknown: "no data yet",
    targets: "Targets",
    goal: "Goal",
    target: "Target",
    baseline: "Baseline",
    current: "Now",
    expected_now: "Expected now",
    by: "By",
    status: "Status",
    observed_note: "No HR roster was given: headcount is everyone seen in the events so far, an observed population rather than a known one, so rates are higher than they would be against the real workforce.",
    user_list_note: "No HR roster was given: headcount comes from the sources' user lists.",
    ladder_section: "The engagement ladder",
    ladder_chart: "Who does what: people on each rung of the {} ladder",
    share_of_headcount: "Share of headcount (%)",
    period: "Period",
    transitions_chart: "Where people moved on the ladder from {} to {}",
    rung_in: "Rung in {}",
    people: "People",
    promotion_note: "{} of the people present in both periods moved up a rung, {} moved down.",
    reach_section: "Reach and participation",
    trends_chart: "How many people the network reaches and involves",
    lifecycle_chart: "New, returning and resurrecting people, and those who went quiet",
    new: "New",
    returning: "Returning",
    resurrecting: "Resurrecting",
    dormant: "Dormant",
    retention_chart: "How many of each cohort are still active",
    cohort: "Cohort (period of first activity)",
    since_first: "Periods since the first activity",
    inequality_section: "Participation inequality",
    lorenz_chart: "How evenly contributions are spread, {} (Gini coefficient {})",
    lorenz_curve: "Lorenz curve of contributions",
    share_of_people: "Share of people, fewest contributions first (%)",
    share_of_contributions: "Share of contributions (%)",
    rule_90_9_1: "90-9-1 rule",
    equality: "Everyone equal",
    inequality_text: "Of the people active this period, the most active 1% wrote {} of all contributions and the most active 10% wrote {}. Over the whole headcount, counting everyone who wrote nothing, the Gini coefficient is {}.",
    no_contributions: "Nobody contributed in this period.",
    conversations_section: "Conversations",
    reply_rate_chart: "How many new posts get an answer",
    reply_time_chart: "How long people wait for a first answer",
    hours: "Hours (median)",
    hours_unit: "h",
    unanswered_text: "{} posts of {} were not answered by someone else within {} hours.",
    spaces_title: "The most active spaces in {}",
    space: "Space",
    source: "Source",
    active_people: "Active people",
    contributors: "Contributors",
    posts: "Posts",
    replies: "Replies",
    reach: "Reach",
    no_spaces: "The sources name no spaces (groups or channels).",
    themes_section: "What people talk about",
    themes_how: "Terms are the words and two-word phrases of the {} posts and replies written in {}, without links, mentions, code, numbers and common words, each word reduced to its stem and shown in its most used form. A term appears only when at least {} people used it. Terms are ranked by how distinctive they are of that period against the others (the log-odds ratio below, as a z-score), so words used all the time sink and subjects rise; the people who used each stand beside it. engage never stores the text of a message: it keeps only, per period, space and term, how often it was used and by how many people.",
    themes_rising_how: "Rising terms are used more in {} than in the three periods before, scored by the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi and Quinn, 2008); shown when the z-score is at least 1.96.",
    themes_chart: "What {} talked about: the most distinctive terms, people who used each",
    themes_rising_chart: "Rising terms in {} against the three periods before",
    rising_axis: "Rising score (z)",
    term: "Term",
    share_of_mentions: "Share of mentions",
    rising_z: "Rising (z)",
    distinctive_z: "Distinctive (z)",
    no_themes: "No term in {} was used by at least {} people.",
    no_rising: "No term rose markedly in {}.",
    organisation_section: "Across the organisation",
    department_chart: "Participation by department",
    suppressed_cell: "Hatched: suppressed, resting on fewer than {} people or giving such a figure away.",
    cross_department_text: "{} of replies and reactions between people whose departments are known crossed a department boundary.",
    leader_reach_text: "{} of the organisation saw something written by a leader or manager.",
    no_departments: "The roster gives no departments, so there is no department view.",
    outcomes_section: "Does it matter?",
    caveat: "These are associations across teams and rungs, not causes: teams that take part more may be happier for other reasons, and a team-level association says nothing about any one person.",
    turnover_text: "Turnover in {}: {} ({} voluntary).",
    scatter_chart: "Team engagement and satisfaction",
    scatter_x: "Participation over the last {} periods (%)",
    scatter_note: "Spearman's rho {} (95% interval {} to {}) over {} teams.",
    attrition_chart: "Who left within {} periods, by rung in {}",
    left_share: "Left within the horizon (%)",
    survival_chart: "Still employed, by the rung people started on",
    survival_x: "Periods since first seen",
    still_employed: "Still employed (%)",
    logrank_text: "Log-rank test: {} on {} degrees of freedom, p {}.",
    outcome: "Outcome",
    turnover_outcome: "turnover",
    engagement: "Engagement",
    teams: "Teams",
    interval: "95% interval",
    p_adjusted: "p (BH-adjusted)",
    to: "to",
    no_outcomes: "Outcomes need an HR roster ([people]) and, for satisfaction, survey answers.",
    ambassadors_section: "Ambassadors",
    rank: "Rank",
    person: "Person",
    partners: "Distinct partners",
    responders: "Responders",
    contributions: "Contributions",
    rung: "Rung",
    ambassadors_pseudonymised: "People shown by pseudonym; the pipeline can reveal them with reveal_ambassadors = true.",
    ambassadors_revealed: "The pipeline reveals ambassadors by id and email (reveal_ambassadors = true).",
    no_ambassadors: "Nobody qualifies yet: ambassadors need steady conversation over the last periods.",
    quality_section: "Data quality",
    file: "File",
    role: "Role",
    kind_word: "Kind",
    rows_read: "Rows read",
    accepted: "Accepted (new or already stored)",
    duplicates: "Duplicates",
    excluded: "Excluded",
    rejected: "Rejected",
    role_names: [
        ("events", "events"),
        ("people", "people"),
        ("surveys", "surveys"),
        ("identities", "identities"),
        ("outcome", "outcome"),
        ("roster", "roster"),
        ("person-level", "person-level"),
        ("team-level", "team-level"),
        ("team KPI", "team KPI"),
        ("profile survey", "profile survey"),
        ("self-reported use", "self-reported use"),
    ],
    reconcile_note: "Every row read is accepted (new to the store, or already stored by an earlier run: a nightly export delivers again what it delivered before, and manifest.json tells the two apart), a duplicate of an earlier (source, event_id) in the delivered files, excluded on purpose (bots, system accounts, deleted content, events after the as-of day) or rejected as unreadable; manifest.json and the rejects files give the reasons.",
    basis_roster: "Population: the HR roster (people hired by the end of a period and not gone before its start).",
    basis_user_list: "Population: the sources' user lists (accounts that joined by the end of a period and were not deleted before its start).",
    basis_observed: "Population: everyone seen in the events so far (observed, not known).",
    unresolved_text: "{} accounts matched nobody on the roster; they are counted for content only and listed, pseudonymised, in tables/unresolved_accounts.csv.",
    no_views_note: "Reach figures are empty: no source records who viewed what (Slack, Teams, Viva Engage and Discourse exports and Stack Exchange dumps carry no per-person views).",
    no_roster_note: "Leader reach and the cross-department share need an HR roster with roles and departments.",
    no_departments_note: "The cross-department share is empty: the roster gives no departments.",
    no_roles_note: "Leader reach is empty: the roster gives no roles.",
    reply_window_note: "Reply figures wait {} hours for an answer: posts from the last {} hours may still be answered.",
    definitions_section: "Definitions",
    hidden_term: "Empty figures of groups",
    hidden_definition: "A figure about a group (a department, location, role, team, audience, the leaders, survey respondents) that rests on fewer than {} people is left empty, and so is the next smallest one wherever the shown figures, subtracted from a total shown elsewhere, would give it away, so that no small group can be worked out.",
    rung_share_definition: "Rung share: people on a rung divided by headcount; each person sits on the highest rung whose condition they meet.",
    rung_names_term: "Rungs and their names in the literature",
    made_by: "Made by engage",
    chart_png: "Chart as PNG",
    practice: &practice::EN,
    health: &health::EN,
};

pub static NL: Words = Words {
    title: "Betrokkenheidsrapport",
    periods: "Perioden",
    time_zone: "tijdzone",
    data_as_of: "gegevens tot en met",
    ladder: "Ladder",
    month: "maand",
    months_word: "maanden",
    week: "week",
    weeks: "weken",
    quarter: "kwartaal",
    quarters: "kwartalen",
    months: [
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
        "oktober", "november", "december",
    ],
    months_short: [
        "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
    ],
    quarter_short: "K",
    week_short: "week",
    points: "procentpunt",
    contents: "Inhoud",
    headline: "Kerncijfers",
    vs_previous: "t.o.v. vorige",
    vs_year: "t.o.v. een jaar eerder",
    top_three: "op de bovenste drie treden",
    target_on_track: "op koers",
    target_behind: "achter op schema",
    target_unknown: "nog geen gegevens",
    targets: "Doelen",
    goal: "Doel",
    target: "Streefwaarde",
    baseline: "Uitgangswaarde",
    current: "Nu",
    expected_now: "Nu verwacht",
    by: "Uiterlijk",
    status: "Stand",
    observed_note: "Er is geen personeelsbestand opgegeven: het aantal medewerkers is iedereen die tot nu toe in de gebeurtenissen voorkomt, een waargenomen populatie in plaats van een bekende, dus de percentages liggen hoger dan tegenover het werkelijke personeel.",
    user_list_note: "Er is geen personeelsbestand opgegeven: het aantal medewerkers komt uit de gebruikerslijsten van de bronnen.",
    ladder_section: "De betrokkenheidsladder",
    ladder_chart: "Wie doet wat: mensen op elke trede van de {}-ladder",
    share_of_headcount: "Aandeel van alle medewerkers (%)",
    period: "Periode",
    transitions_chart: "Waar mensen op de ladder heen gingen van {} naar {}",
    rung_in: "Trede in {}",
    people: "Mensen",
    promotion_note: "{} van de mensen die in beide perioden aanwezig waren, ging een trede omhoog, {} ging omlaag.",
    reach_section: "Bereik en deelname",
    trends_chart: "Hoeveel mensen het netwerk bereikt en betrekt",
    lifecycle_chart: "Nieuwe, terugkerende en herrezen mensen, en wie stil werd",
    new: "Nieuw",
    returning: "Terugkerend",
    resurrecting: "Herrezen",
    dormant: "Slapend",
    retention_chart: "Hoeveel van elk cohort nog actief is",
    cohort: "Cohort (periode van eerste activiteit)",
    since_first: "Perioden sinds de eerste activiteit",
    inequality_section: "Ongelijkheid in deelname",
    lorenz_chart: "Hoe gelijk de bijdragen verdeeld zijn, {} (Gini-coëfficiënt {})",
    lorenz_curve: "Lorenzcurve van de bijdragen",
    share_of_people: "Aandeel mensen, minste bijdragen eerst (%)",
    share_of_contributions: "Aandeel bijdragen (%)",
    rule_90_9_1: "90-9-1-regel",
    equality: "Iedereen gelijk",
    inequality_text: "Van wie deze periode actief was, schreef de actiefste 1% {} van alle bijdragen en de actiefste 10% {}. Over het hele personeelsbestand, ook wie niets schreef, is de Gini-coëfficiënt {}.",
    no_contributions: "Niemand droeg bij in deze periode.",
    conversations_section: "Gesprekken",
    reply_rate_chart: "Hoeveel nieuwe berichten een antwoord krijgen",
    reply_time_chart: "Hoe lang mensen wachten op een eerste antwoord",
    hours: "Uren (mediaan)",
    hours_unit: "uur",
    unanswered_text: "{} van de {} berichten kregen binnen {} uur geen antwoord van iemand anders.",
    spaces_title: "De actiefste ruimtes in {}",
    space: "Ruimte",
    source: "Bron",
    active_people: "Actieve mensen",
    contributors: "Bijdragers",
    posts: "Berichten",
    replies: "Antwoorden",
    reach: "Bereik",
    no_spaces: "De bronnen noemen geen ruimtes (groepen of kanalen).",
    themes_section: "Waar hebben ze het over?",
    themes_how: "Termen zijn de woorden en woordparen uit de {} berichten en reacties van {}, zonder links, vermeldingen, code, getallen en veelvoorkomende woorden, elk woord teruggebracht tot zijn stam en getoond in de vorm die het meest voorkomt. Een term verschijnt alleen als minstens {} mensen hem gebruikten. Termen staan op volgorde van hoe kenmerkend ze zijn voor die periode tegenover de andere (de log-odds-ratio hieronder, als z-score), zodat woorden die altijd vallen zakken en onderwerpen stijgen; het aantal mensen dat ze gebruikte staat ernaast. engage bewaart de tekst van berichten nooit: alleen per periode, ruimte en term hoe vaak hij werd gebruikt en door hoeveel mensen.",
    themes_rising_how: "Opkomende termen worden in {} meer gebruikt dan in de drie perioden ervoor, gemeten met de log-odds-ratio met een informatieve Dirichlet-prior (Monroe, Colaresi en Quinn, 2008); getoond bij een z-score van minstens 1,96.",
    themes_chart: "Waar {} over ging: de meest kenmerkende termen, mensen die ze gebruikten",
    themes_rising_chart: "Opkomende termen in {} tegenover de drie perioden ervoor",
    rising_axis: "Opkomscore (z)",
    term: "Term",
    share_of_mentions: "Aandeel in vermeldingen",
    rising_z: "Opkomend (z)",
    distinctive_z: "Kenmerkend (z)",
    no_themes: "Geen term in {} werd door minstens {} mensen gebruikt.",
    no_rising: "Geen term kwam in {} duidelijk op.",
    organisation_section: "Door de organisatie heen",
    department_chart: "Deelname per afdeling",
    suppressed_cell: "Gearceerd: onderdrukt, rust op minder dan {} mensen of verraadt zo'n cijfer.",
    cross_department_text: "{} van de antwoorden en reacties tussen mensen van wie de afdeling bekend is, ging over een afdelingsgrens heen.",
    leader_reach_text: "{} van de organisatie zag iets van een leidinggevende.",
    no_departments: "Het personeelsbestand noemt geen afdelingen, dus er is geen afdelingsoverzicht.",
    outcomes_section: "Maakt het uit?",
    caveat: "Dit zijn samenhangen tussen teams en treden, geen oorzaken: teams die meer meedoen kunnen om andere redenen tevredener zijn, en een samenhang op teamniveau zegt niets over één persoon.",
    turnover_text: "Verloop in {}: {} ({} vrijwillig).",
    scatter_chart: "Teambetrokkenheid en tevredenheid",
    scatter_x: "Deelname over de laatste {} perioden (%)",
    scatter_note: "Spearmans rho {} (95%-interval {} tot {}) over {} teams.",
    attrition_chart: "Wie binnen {} perioden vertrok, per trede in {}",
    left_share: "Vertrokken binnen de termijn (%)",
    survival_chart: "Nog in dienst, naar de trede waarop mensen begonnen",
    survival_x: "Perioden sinds de eerste waarneming",
    still_employed: "Nog in dienst (%)",
    logrank_text: "Logranktoets: {} bij {} vrijheidsgraden, p {}.",
    outcome: "Uitkomst",
    turnover_outcome: "verloop",
    engagement: "Betrokkenheid",
    teams: "Teams",
    interval: "95%-interval",
    p_adjusted: "p (BH-gecorrigeerd)",
    to: "tot",
    no_outcomes: "Uitkomsten vragen een personeelsbestand ([people]) en, voor tevredenheid, enquêteantwoorden.",
    ambassadors_section: "Ambassadeurs",
    rank: "Rang",
    person: "Persoon",
    partners: "Verschillende gesprekspartners",
    responders: "Reageerders",
    contributions: "Bijdragen",
    rung: "Trede",
    ambassadors_pseudonymised: "Mensen staan er onder een pseudoniem; de pijplijn kan ze tonen met reveal_ambassadors = true.",
    ambassadors_revealed: "De pijplijn toont ambassadeurs met id en e-mailadres (reveal_ambassadors = true).",
    no_ambassadors: "Nog niemand komt in aanmerking: ambassadeurs voeren over de laatste perioden steeds gesprekken.",
    quality_section: "Datakwaliteit",
    file: "Bestand",
    role: "Rol",
    kind_word: "Soort",
    rows_read: "Gelezen rijen",
    accepted: "Geaccepteerd (nieuw of al opgeslagen)",
    duplicates: "Dubbel",
    excluded: "Uitgesloten",
    rejected: "Afgewezen",
    role_names: [
        ("events", "gebeurtenissen"),
        ("people", "personeel"),
        ("surveys", "enquêtes"),
        ("identities", "identiteiten"),
        ("outcome", "uitkomst"),
        ("roster", "personeelsbestand"),
        ("person-level", "per persoon"),
        ("team-level", "per team"),
        ("team KPI", "team-KPI"),
        ("profile survey", "profielenquête"),
        ("self-reported use", "eigen opgave van gebruik"),
    ],
    reconcile_note: "Elke gelezen rij is geaccepteerd (nieuw in de opslag, of al opgeslagen door een eerdere run: een nachtelijke export levert opnieuw wat hij eerder leverde, en manifest.json houdt de twee uit elkaar), een dubbele van een eerdere (bron, event_id) in de geleverde bestanden, bewust uitgesloten (bots, systeemaccounts, verwijderde inhoud, gebeurtenissen na de peildatum) of afgewezen als onleesbaar; manifest.json en de afwijzingsbestanden geven de redenen.",
    basis_roster: "Populatie: het personeelsbestand (mensen in dienst vóór het einde van een periode en niet vertrokken vóór het begin).",
    basis_user_list: "Populatie: de gebruikerslijsten van de bronnen (accounts aangemaakt vóór het einde van een periode en niet verwijderd vóór het begin).",
    basis_observed: "Populatie: iedereen die tot nu toe in de gebeurtenissen voorkomt (waargenomen, niet bekend).",
    unresolved_text: "{} accounts hoorden bij niemand in het personeelsbestand; ze tellen alleen mee voor inhoud en staan, gepseudonimiseerd, in tables/unresolved_accounts.csv.",
    no_views_note: "Bereikcijfers zijn leeg: geen bron legt vast wie wat heeft bekeken (exports van Slack, Teams, Viva Engage en Discourse en Stack Exchange-dumps bevatten geen weergaven per persoon).",
    no_roster_note: "Bereik van leidinggevenden en het aandeel tussen afdelingen vragen een personeelsbestand met rollen en afdelingen.",
    no_departments_note: "Het aandeel tussen afdelingen is leeg: het personeelsbestand noemt geen afdelingen.",
    no_roles_note: "Het bereik van leidinggevenden is leeg: het personeelsbestand noemt geen rollen.",
    reply_window_note: "Antwoordcijfers wachten {} uur op een antwoord: berichten uit de laatste {} uur kunnen nog beantwoord worden.",
    definitions_section: "Definities",
    hidden_term: "Lege cijfers van groepen",
    hidden_definition: "Een cijfer over een groep (een afdeling, locatie, rol, team, doelgroep, de leidinggevenden, respondenten) dat op minder dan {} mensen rust, blijft leeg, en ook het eerstvolgende kleinste waar de getoonde cijfers, afgetrokken van een elders getoond totaal, het zouden verraden, zodat geen kleine groep te herleiden is.",
    rung_share_definition: "Aandeel per trede: mensen op een trede gedeeld door het aantal medewerkers; iedereen staat op de hoogste trede waarvan hij of zij aan de voorwaarde voldoet.",
    rung_names_term: "Treden en hun Engelse namen in de literatuur",
    made_by: "Gemaakt met engage",
    chart_png: "Grafiek als PNG",
    practice: &practice::NL,
    health: &health::NL,
};

/// A period metric's name in the report's language (the column name when it is unknown).
pub fn metric_label(name: &str, lang: Language) -> &str {
    match crate::vocabulary::definitions::of(name) {
        Some(d) => match lang {
            Language::En => d.label,
            Language::Nl => d.label_nl,
        },
        None => name,
    }
}

/// What a period metric tells a reader, in the report's language.
pub fn metric_meaning(name: &str, lang: Language) -> &'static str {
    match crate::vocabulary::definitions::of(name) {
        Some(d) => match lang {
            Language::En => d.meaning,
            Language::Nl => d.meaning_nl,
        },
        None => "",
    }
}

/// Fills the `{}` marks of a label in order.
pub fn fill(template: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut values = values.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        out.push_str(values.next().copied().unwrap_or(""));
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // The built-in ladders' rungs and names in Dutch; any other name (a custom rung) is kept,
    // and English keeps every name.
    #[test]
    fn built_in_rungs_are_named_in_the_language() {
        assert_eq!(Language::Nl.rung("Creators"), "Ontwerpers");
        assert_eq!(Language::Nl.rung("Inactives"), "Inactieven");
        assert_eq!(Language::Nl.rung("Commenting"), "Reageren");
        assert_eq!(Language::Nl.rung("Pyramid"), "Piramide");
        assert_eq!(Language::Nl.rung("Champions"), "Champions");
        assert_eq!(Language::En.rung("Creators"), "Creators");
        assert!(Language::Nl.all_text().iter().any(|t| t == "Ontwerpers"));
    }

    #[test]
    fn numbers_and_dates_per_language() {
        let (en, nl) = (Language::En, Language::Nl);
        assert_eq!(en.number(1234.5, 1), "1\u{202f}234.5");
        assert_eq!(nl.number(1234.5, 1), "1.234,5");
        assert_eq!(nl.number(-0.04, 1), "0,0");
        assert_eq!(en.number(-2.25, 2), "\u{2212}2.25");
        assert_eq!(en.percent(Some(0.679)), "67.9%");
        assert_eq!(nl.percent(Some(0.679)), "67,9%");
        assert_eq!(nl.percent(None), DASH);
        assert_eq!(en.count(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(nl.count(1_234_567), "1.234.567");
        assert_eq!(en.points(0.021), "+2.1 pp");
        assert_eq!(nl.points(-0.005), "\u{2212}0,5 procentpunt");
        assert_eq!(en.period("2026-09"), "Sep 2026");
        assert_eq!(nl.period("2026-03"), "mrt 2026");
        assert_eq!(nl.period("2026-Q1"), "K1 2026");
        assert_eq!(en.period("2026-W09"), "Week 9 2026");
        assert_eq!(en.date("2026-09-30"), "30 September 2026");
        assert_eq!(nl.date("2026-09-30"), "30 september 2026");
        assert_eq!(fill("{} of {}", &["a", "b"]), "a of b");
    }
}
