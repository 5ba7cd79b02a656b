//! The demo's message bodies, so the themes section has something to find: each department
//! talks about its own subjects, three of them in Dutch and three in English, everyone
//! sometimes about the company's, and in the last month many about hybrid working (the
//! planted rising theme). Links, mentions, numbers and emoji are mixed in, as in real chat,
//! for the terms to leave out.

use rand::Rng;

/// Per department (in `DEPARTMENTS` order): whether it writes Dutch, and its subjects.
const SUBJECTS: [(bool, &[&str]); 6] = [
    (
        false,
        &[
            "release planning",
            "code review",
            "test automation",
            "cloud costs",
        ],
    ),
    (
        false,
        &[
            "customer visits",
            "sales targets",
            "pricing model",
            "trade fair",
        ],
    ),
    (
        true,
        &["nieuwe roosters", "veiligheid", "magazijn", "leveringen"],
    ),
    (
        false,
        &[
            "brand campaign",
            "social media",
            "customer stories",
            "website launch",
        ],
    ),
    (
        true,
        &[
            "jaarrekening",
            "budgetronde",
            "declaraties",
            "inkoopfacturen",
        ],
    ),
    (
        true,
        &[
            "onboarding",
            "opleidingen",
            "verzuim",
            "medewerkerstevredenheid",
        ],
    ),
];

/// Subjects everyone talks about, in English and in Dutch.
const COMPANY: [(&str, &str); 3] = [
    ("new office", "nieuwe kantoor"),
    ("annual party", "personeelsfeest"),
    ("strategy update", "strategie"),
];

/// The planted rising theme.
const RISING: (&str, &str) = ("hybrid working", "hybride werken");

/// The body of a post or reply by someone of `department`; `late` in the last month.
pub fn message(rng: &mut impl Rng, department: usize, reply: bool, late: bool) -> String {
    let (dutch, subjects) = SUBJECTS[department];
    let pick = |rng: &mut dyn rand::RngCore| -> &'static str {
        let r: f64 = rng.random();
        if late && r < 0.4 {
            return if dutch { RISING.1 } else { RISING.0 };
        }
        if r < 0.55 {
            let (en, nl) = COMPANY[rng.random_range(0..COMPANY.len())];
            return if dutch { nl } else { en };
        }
        subjects[rng.random_range(0..subjects.len())]
    };
    let (a, b) = (pick(rng), pick(rng));
    let extra = match rng.random_range(0..6) {
        0 => " See https://intranet.example.com/news for details.",
        1 => " :tada:",
        2 => " @team",
        3 => " Deadline 15 March.",
        _ => "",
    };
    let body = match (dutch, reply, rng.random_range(0..3)) {
        (false, false, 0) => {
            format!("Any update on the {a}? We talked about {b} with the team today.")
        }
        (false, false, 1) => format!("Sharing our plans for {a}. Questions about {b} are welcome."),
        (false, false, _) => {
            format!("Who else is working on {a}? I would like to learn more about {b}.")
        }
        (false, true, 0) => format!("Thanks, the {a} looks good to me."),
        (false, true, 1) => format!("Agreed, and the {b} matters too."),
        (false, true, _) => format!("Good point about {a}; {b} is on the agenda next week."),
        (true, false, 0) => {
            format!("Is er nieuws over {a}? We hebben vandaag {b} met het team besproken.")
        }
        (true, false, 1) => format!("Hier onze plannen voor {a}. Vragen over {b} zijn welkom."),
        (true, false, _) => {
            format!("Wie werkt er nog meer aan {a}? Ik wil graag meer weten over {b}.")
        }
        (true, true, 0) => format!("Dank je, {a} ziet er goed uit."),
        (true, true, 1) => format!("Eens, en {b} is ook belangrijk."),
        (true, true, _) => format!("Goed punt over {a}, laten we {b} volgende week bespreken."),
    };
    body + extra
}
