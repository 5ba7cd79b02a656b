//! The words of the health checks in the data quality section (README, "Health checks"):
//! each check's name, what its figure is, and the result. Kept apart from the rest of the
//! report's words only to keep each file short; `{}` marks where a value goes.

#[derive(serde::Serialize)]
pub struct HealthWords {
    pub title: &'static str,
    pub passed: &'static str,
    pub flagged: &'static str,
    pub headers: [&'static str; 6],
    /// Each check's stable name and its label.
    pub checks: [(&'static str, &'static str); 7],
    pub pass: &'static str,
    pub flag: &'static str,
    /// Why a check was not judged, by its stable name.
    pub skips: [(&'static str, &'static str); 4],
    pub days: &'static str,
    pub of_usual: &'static str,
    pub withheld: &'static str,
    pub nothing: &'static str,
    pub at_most: &'static str,
}

pub const EN: HealthWords = HealthWords {
    title: "Health of tonight's delivery",
    passed: "Every judged health check passed: the delivery looks like the feed that usually arrives.",
    flagged: "{} of the health checks flagged a feed that looks broken. Read the rows marked below before the figures of this report: a drop they show may be the feed's, not the network's.",
    headers: ["Check", "Source", "Of", "Figure", "Bound", "Result"],
    checks: [
        ("freshness", "Days behind (newest event)"),
        ("volume", "Events of the newest complete day"),
        ("shrink", "A month the delivery spans whole"),
        ("action_share", "Share of an action"),
        ("new_accounts", "Accounts never seen before"),
        ("reject_share", "Rows rejected"),
        ("roster_group", "Roster group size"),
    ],
    pass: "passed",
    flag: "FLAGGED",
    skips: [
        ("no_history", "not judged: no history yet"),
        ("too_few", "not judged: too few events"),
        ("no_whole_month", "not judged: no whole month delivered"),
        ("usage", "not judged: usage counts"),
    ],
    days: "days",
    of_usual: "of usual",
    withheld: "withheld (small group)",
    nothing: "nothing delivered",
    at_most: "at most",
};

pub const NL: HealthWords = HealthWords {
    title: "Gezondheid van de levering van vannacht",
    passed: "Elke beoordeelde gezondheidscontrole is geslaagd: de levering lijkt op wat de bron gewoonlijk levert.",
    flagged: "{} van de gezondheidscontroles melden een bron die kapot lijkt. Lees de gemarkeerde rijen hieronder vóór de cijfers van dit rapport: een daling die ze tonen kan aan de bron liggen, niet aan het netwerk.",
    headers: ["Controle", "Bron", "Van", "Waarde", "Grens", "Uitkomst"],
    checks: [
        ("freshness", "Dagen achter (nieuwste gebeurtenis)"),
        ("volume", "Gebeurtenissen van de laatste volle dag"),
        ("shrink", "Een maand die de levering helemaal bevat"),
        ("action_share", "Aandeel van een actie"),
        ("new_accounts", "Nooit eerder geziene accounts"),
        ("reject_share", "Afgewezen rijen"),
        ("roster_group", "Grootte van een groep in het personeelsbestand"),
    ],
    pass: "geslaagd",
    flag: "GEMELD",
    skips: [
        ("no_history", "niet beoordeeld: nog geen geschiedenis"),
        ("too_few", "niet beoordeeld: te weinig gebeurtenissen"),
        ("no_whole_month", "niet beoordeeld: geen hele maand geleverd"),
        ("usage", "niet beoordeeld: gebruikstellingen"),
    ],
    days: "dagen",
    of_usual: "van gewoonlijk",
    withheld: "niet getoond (kleine groep)",
    nothing: "niets geleverd",
    at_most: "hoogstens",
};
