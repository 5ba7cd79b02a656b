//! The demo's staff survey of self-reported use and its campaign, so the report's "what people
//! say and what they do" and campaign sections have something to find. In the last month about
//! two in three employees answer how often they read, react, comment, post, share and moderate,
//! each answer drawn from their engagement that month with a little optimism (people tend to
//! report more than they do), whether they want to contribute, and how often they use social
//! media privately. The campaign: from month [`CAMPAIGN_MONTH`] Sales is invited to take part,
//! and its engagement rises and stays up (the planted effect).

use chrono::{Duration, NaiveDate};
use rand::Rng;

use super::{normal, person_id, stream, Settings, World, DEPARTMENTS};

/// The month (from 0) the demo's campaign starts; only runs with months after it have one.
pub const CAMPAIGN_MONTH: u32 = 8;
/// The department the campaign is aimed at, and how much it lifts their engagement.
pub const CAMPAIGN_AUDIENCE: &str = "Sales";
const LIFT: f64 = 0.8;

/// The lift of a person's engagement in month `m`.
pub fn lift(s: &Settings, dept: usize, m: u32) -> f64 {
    let on = s.months > CAMPAIGN_MONTH + 1
        && m >= CAMPAIGN_MONTH
        && DEPARTMENTS[dept].0 == CAMPAIGN_AUDIENCE;
    if on {
        LIFT
    } else {
        0.0
    }
}

/// How often, from a propensity: never, monthly, weekly or daily.
fn frequency(x: f64) -> &'static str {
    match x {
        x if x < -0.6 => "never",
        x if x < 0.4 => "monthly",
        x if x < 1.3 => "weekly",
        _ => "daily",
    }
}

/// The survey's rows (header first), answered from the 10th of month `m`, a row per
/// respondent in person order.
pub fn answers(w: &World, s: &Settings, m: u32, from: NaiveDate, to: NaiveDate) -> String {
    let mut out = String::from(
        "person_id,answered_at,reads,reacts,comments,posts,shares,moderates,wants_to_contribute,private_social_media\n",
    );
    let mut rng = stream(s.seed, 12, u64::from(m), 0);
    let day = from + Duration::days(9);
    for (i, p) in w.people.iter().enumerate() {
        if !(p.hire <= day && p.exit.is_none_or(|(d, _)| d >= day)) || day > to {
            continue;
        }
        if rng.random::<f64>() > 0.65 {
            continue;
        }
        let z = w.z(i) + lift(s, p.dept, m) + 0.1;
        let mut said = |base: f64| frequency(base + z + 0.5 * normal(&mut rng));
        let behaviours = [
            said(0.6),
            said(-0.2),
            said(-1.3),
            said(-2.1),
            said(-1.8),
            said(if p.role == "employee" { -2.2 } else { -1.0 }),
        ];
        let wants = match z + 0.7 * normal(&mut rng) {
            x if x > 1.0 => "yes",
            x if x > 0.0 => "maybe",
            _ => "no",
        };
        let private = frequency(1.0 + 0.8 * normal(&mut rng));
        let answered = day + Duration::days(rng.random_range(0..7));
        out.push_str(&format!(
            "{},{answered},{},{wants},{private}\n",
            person_id(i),
            behaviours.join(",")
        ));
    }
    out
}
