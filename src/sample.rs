//! `engage sample`: a deterministic, realistic demo organisation in canonical form, so that a
//! new user (and every test) can run the whole tool without an export of their own.
//!
//! What makes it realistic, and what later stages should find in it:
//! - participation inequality near 90-9-1: most people visit or view, few reply, fewer post;
//! - departments with different engagement, and teams with a shared culture;
//! - each person's engagement drifts month to month (an AR(1) process), so people climb and
//!   fall on the ladder;
//! - hires and leavers every month, replacements keeping headcount roughly stable;
//! - a planted relation: team culture and personal engagement raise survey scores, and higher
//!   engagement lowers the monthly chance of leaving voluntarily.
//!
//! Every person and month draws from its own seeded stream, so the months are generated in
//! parallel and the files are byte-identical for the same settings.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::vocabulary::Action;

mod profile;
mod random;
mod text;

use random::*;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Settings {
    /// People employed at the start.
    pub people: u32,
    /// Months of activity.
    pub months: u32,
    pub seed: u64,
    /// First day of the first month.
    pub start: NaiveDate,
}

/// How much was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub people: usize,
    pub events: usize,
    pub answers: usize,
}

/// Departments: name, share of people, engagement offset.
const DEPARTMENTS: [(&str, f64, f64); 6] = [
    ("Engineering", 0.28, 0.35),
    ("Sales", 0.20, -0.15),
    ("Operations", 0.22, -0.45),
    ("Marketing", 0.10, 0.55),
    ("Finance", 0.10, -0.20),
    ("People & Culture", 0.10, 0.25),
];
const LOCATIONS: [(&str, f64); 4] = [
    ("Amsterdam", 0.5),
    ("Rotterdam", 0.25),
    ("Utrecht", 0.15),
    ("Remote", 0.10),
];
const COMMUNITIES: [&str; 4] = ["all-company", "ideas", "tech-talk", "social"];
const TEAM_SIZE: usize = 8;
const TZ: chrono_tz::Tz = chrono_tz::Europe::Amsterdam;

#[derive(Debug, Clone)]
struct Person {
    dept: usize,
    team: usize,
    location: usize,
    role: &'static str,
    manager: Option<usize>,
    hire: NaiveDate,
    exit: Option<(NaiveDate, &'static str)>,
    /// Stable personal engagement trait.
    trait_z: f64,
    /// Current month-to-month drift.
    drift: f64,
}

#[derive(Debug, Clone)]
struct Team {
    dept: usize,
    culture: f64,
    name: String,
    manager: Option<usize>,
}

#[derive(Debug, Clone)]
struct Event {
    at: DateTime<Utc>,
    actor: usize,
    action: Action,
    /// Index of the post acted on or replied to.
    post: Option<usize>,
    target: Option<usize>,
    space: usize,
}

impl Event {
    /// An event that acts on no post: a visit or a join.
    fn plain(at: DateTime<Utc>, actor: usize, action: Action, space: usize) -> Event {
        Event {
            at,
            actor,
            action,
            post: None,
            target: None,
            space,
        }
    }
}

#[derive(Debug, Clone)]
struct Post {
    at: DateTime<Utc>,
    author: usize,
    space: usize,
}

#[derive(Debug, Clone)]
struct Answer {
    person: usize,
    day: NaiveDate,
    measure: &'static str,
    score: u32,
}

struct World {
    people: Vec<Person>,
    teams: Vec<Team>,
    events: Vec<Event>,
    posts: Vec<Post>,
    answers: Vec<Answer>,
    /// The staff survey of self-reported use, as CSV.
    profile: String,
}

impl World {
    fn employed_between(&self, p: &Person, from: NaiveDate, to: NaiveDate) -> bool {
        p.hire <= to && p.exit.is_none_or(|(d, _)| d >= from)
    }

    /// Engagement of a person this month.
    fn z(&self, i: usize) -> f64 {
        let p = &self.people[i];
        DEPARTMENTS[p.dept].2 + self.teams[p.team].culture + p.trait_z + p.drift
    }
}

fn new_person(
    rng: &mut impl Rng,
    dept: usize,
    team: usize,
    teams: &[Team],
    hire: NaiveDate,
) -> Person {
    Person {
        dept,
        team,
        location: pick_weighted(rng, &LOCATIONS.map(|l| l.1)),
        role: "employee",
        manager: teams[team].manager,
        hire,
        exit: None,
        trait_z: normal(rng) * 0.9,
        drift: normal(rng) * 0.5,
    }
}

fn build_org(s: &Settings) -> World {
    let mut rng = stream(s.seed, 1, 0, 0);
    let n = s.people.max(1) as usize;
    let mut teams = Vec::new();
    let mut people: Vec<Person> = Vec::with_capacity(n);
    let mut remaining = n;
    for (d, (name, share, _)) in DEPARTMENTS.iter().enumerate() {
        let size = if d + 1 == DEPARTMENTS.len() {
            remaining
        } else {
            ((n as f64 * share).round() as usize).min(remaining)
        };
        remaining -= size;
        if size == 0 {
            continue;
        }
        let n_teams = size.div_ceil(TEAM_SIZE);
        let first_team = teams.len();
        for t in 0..n_teams {
            teams.push(Team {
                dept: d,
                culture: normal(&mut rng) * 0.45,
                name: format!("{name} {}", (b'A' + (t % 26) as u8) as char),
                manager: None,
            });
        }
        let mut leader = None;
        for k in 0..size {
            let team = first_team + k % n_teams;
            let years: f64 = rng.random::<f64>() * 12.0;
            let hire = s.start - Duration::days(30 + (years * 365.0) as i64);
            let mut p = new_person(&mut rng, d, team, &teams, hire);
            let id = people.len();
            if k == 0 {
                p.role = "leader";
                leader = Some(id);
                teams[team].manager = Some(id);
            } else if teams[team].manager.is_none() || (k < n_teams && team != first_team) {
                p.role = "manager";
                p.manager = leader;
                teams[team].manager = Some(id);
            } else {
                p.manager = teams[team].manager;
            }
            people.push(p);
        }
    }
    World {
        people,
        teams,
        events: Vec::new(),
        posts: Vec::new(),
        answers: Vec::new(),
        profile: String::new(),
    }
}

/// Exits, drift and hires at the start of month `m`.
fn move_people(w: &mut World, s: &Settings, m: u32, from: NaiveDate, to: NaiveDate) {
    let mut rng = stream(s.seed, 2, m as u64, 0);
    let mut leavers = 0u32;
    for i in 0..w.people.len() {
        if !w.employed_between(&w.people[i], from, to) || w.people[i].hire > from {
            continue;
        }
        // Engagement drifts: an AR(1) process, so people climb and fall on the ladder.
        let drift = 0.65 * w.people[i].drift + 0.55 * normal(&mut rng);
        w.people[i].drift = drift;
        if w.people[i].exit.is_some() {
            continue;
        }
        let z = w.z(i);
        let voluntary = (0.011 * (-0.75 * z).exp()).min(0.08);
        let u: f64 = rng.random();
        let kind = if u < voluntary {
            Some("voluntary")
        } else if u < voluntary + 0.002 {
            Some(if rng.random::<f64>() < 0.8 {
                "involuntary"
            } else {
                "other"
            })
        } else {
            None
        };
        if let Some(kind) = kind {
            let day = from + Duration::days(rng.random_range(0..=(to - from).num_days()));
            w.people[i].exit = Some((day, kind));
            leavers += 1;
        }
    }
    // Replacements keep headcount roughly stable, with a little growth.
    let hires = leavers + u32::from(rng.random::<f64>() < 0.5);
    let weights = DEPARTMENTS.map(|d| d.1);
    for _ in 0..hires {
        let dept = pick_weighted(&mut rng, &weights);
        let candidates: Vec<usize> = (0..w.teams.len())
            .filter(|t| w.teams[*t].dept == dept)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let team = candidates[rng.random_range(0..candidates.len())];
        let day = from + Duration::days(rng.random_range(0..=(to - from).num_days()));
        let p = new_person(&mut rng, dept, team, &w.teams, day);
        w.people.push(p);
    }
}

/// What one person does in one month, given their own random stream.
struct Turn<'a> {
    i: usize,
    p: &'a Person,
    rng: ChaCha8Rng,
    /// The part of the month during which the person is employed.
    a: NaiveDate,
    b: NaiveDate,
    z: f64,
}

/// Runs `act` for everyone employed in `[from, to]`, in parallel, each person with the stream
/// for `(phase, m, person)`, and concatenates the results in person order.
fn per_person<T: Send>(
    w: &World,
    s: &Settings,
    phase: u64,
    m: u32,
    (from, to): (NaiveDate, NaiveDate),
    act: impl Fn(Turn) -> Vec<T> + Sync,
) -> Vec<T> {
    (0..w.people.len())
        .into_par_iter()
        .flat_map_iter(|i| {
            let p = &w.people[i];
            if !w.employed_between(p, from, to) {
                return Vec::new();
            }
            let (a, b) = window(p, from, to);
            act(Turn {
                i,
                p,
                rng: stream(s.seed, phase, m as u64, i as u64),
                a,
                b,
                z: w.z(i) + profile::lift(s, p.dept, m),
            })
        })
        .collect()
}

/// Posts of month `m`, each person drawing from their own stream.
fn posts_of_month(w: &World, s: &Settings, m: u32, from: NaiveDate, to: NaiveDate) -> Vec<Post> {
    let mut posts: Vec<Post> = per_person(w, s, 3, m, (from, to), |t| {
        let Turn {
            i,
            p,
            mut rng,
            a,
            b,
            z,
        } = t;
        let mut out = Vec::new();
        for _ in 0..poisson(&mut rng, (-4.7 + 1.3 * z).exp()) {
            let space = if rng.random::<f64>() < 0.6 {
                COMMUNITIES.len() + p.dept
            } else {
                rng.random_range(0..COMMUNITIES.len())
            };
            out.push(Post {
                at: working_moment(&mut rng, a, b),
                author: i,
                space,
            });
        }
        out
    });
    posts.sort_by_key(|x| (x.at, x.author));
    posts
}

/// The part of `[from, to]` during which a person is employed.
fn window(p: &Person, from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    let a = p.hire.max(from);
    let b = p.exit.map_or(to, |(d, _)| d.min(to));
    (a, b.max(a))
}

/// Everything but posts in month `m`: visits, views, reactions, replies, shares, curation, joins.
fn interactions_of_month(
    w: &World,
    s: &Settings,
    m: u32,
    from: NaiveDate,
    to: NaiveDate,
    pool: &[usize],
) -> Vec<Event> {
    let end_of_data = TZ
        .from_local_datetime(&month_start(s.start, s.months).and_time(NaiveTime::MIN))
        .earliest()
        .expect("midnight exists")
        .with_timezone(&Utc);
    per_person(w, s, 4, m, (from, to), |t| {
        let Turn {
            i,
            p,
            mut rng,
            a,
            b,
            z,
        } = t;
        let mut out = Vec::new();
        let last_moment = p.exit.map_or(end_of_data, |(d, _)| {
            TZ.from_local_datetime(&(d + Duration::days(1)).and_time(NaiveTime::MIN))
                .earliest()
                .expect("midnight exists")
                .with_timezone(&Utc)
        });
        let earliest = TZ
            .from_local_datetime(&p.hire.and_time(NaiveTime::MIN))
            .earliest()
            .expect("midnight exists")
            .with_timezone(&Utc);
        let push = |out: &mut Vec<Event>, e: Event| {
            if e.at < last_moment && e.at < end_of_data && e.at >= earliest {
                out.push(e);
            }
        };
        let own_space = COMMUNITIES.len() + p.dept;
        if p.hire >= from && p.hire <= to {
            let at = working_moment(&mut rng, p.hire, (p.hire + Duration::days(3)).min(b));
            push(&mut out, Event::plain(at, i, Action::Join, 0));
            push(&mut out, Event::plain(at, i, Action::Join, own_space));
        }
        for _ in 0..poisson(&mut rng, (-3.8 + 0.8 * z).exp()) {
            let space = rng.random_range(1..COMMUNITIES.len());
            let at = working_moment(&mut rng, a, b);
            push(&mut out, Event::plain(at, i, Action::Join, space));
        }
        if rng.random::<f64>() < sigmoid(0.3 + 1.2 * z) {
            let days = 1 + poisson(&mut rng, (0.5 + 0.5 * z).exp()).min(19);
            for _ in 0..days {
                let at = working_moment(&mut rng, a, b);
                push(&mut out, Event::plain(at, i, Action::Visit, 0));
            }
            let views = poisson(&mut rng, (0.3 + 0.6 * z).exp());
            act_on_posts(w, &mut rng, pool, i, views, Action::View, 30.0, &mut |e| {
                push(&mut out, e)
            });
        }
        let per_action = [
            (Action::Reaction, (-2.2 + 1.0 * z).exp(), 12.0),
            (Action::Reply, (-3.7 + 1.2 * z).exp(), 18.0),
            (Action::Share, (-4.0 + 1.0 * z).exp(), 24.0),
            (
                Action::Curate,
                (-5.0 + z + if p.role == "employee" { 0.0 } else { 1.5 }).exp(),
                6.0,
            ),
        ];
        for (action, lambda, mean_delay) in per_action {
            let n = poisson(&mut rng, lambda);
            act_on_posts(w, &mut rng, pool, i, n, action, mean_delay, &mut |e| {
                push(&mut out, e)
            });
        }
        out
    })
}

/// `n` events of `action` by person `i` on posts drawn from `pool`, each some hours after the
/// post (and after the person's arrival), never on their own posts.
#[allow(clippy::too_many_arguments)]
fn act_on_posts(
    w: &World,
    rng: &mut ChaCha8Rng,
    pool: &[usize],
    i: usize,
    n: u32,
    action: Action,
    mean_delay_hours: f64,
    push: &mut dyn FnMut(Event),
) {
    if pool.is_empty() {
        return;
    }
    let own_space = COMMUNITIES.len() + w.people[i].dept;
    for _ in 0..n {
        // Half the time people stay in their own department's space when it has posts.
        let mut idx = pool[rng.random_range(0..pool.len())];
        if rng.random::<f64>() < 0.5 {
            for _ in 0..6 {
                let cand = pool[rng.random_range(0..pool.len())];
                if w.posts[cand].space == own_space {
                    idx = cand;
                    break;
                }
            }
        }
        let post = &w.posts[idx];
        if post.author == i {
            continue;
        }
        let at = post.at + exponential_hours(rng, mean_delay_hours) + Duration::seconds(30);
        push(Event {
            at,
            actor: i,
            action,
            post: Some(idx),
            target: Some(post.author),
            space: post.space,
        });
    }
}

/// Pulse surveys every six months (months 6, 12, ...), answered by about three in four people.
fn survey(w: &mut World, s: &Settings, m: u32, from: NaiveDate, to: NaiveDate) {
    let mut rng = stream(s.seed, 5, m as u64, 0);
    let day = from + Duration::days(14);
    for i in 0..w.people.len() {
        let p = &w.people[i];
        if !(p.hire <= day && p.exit.is_none_or(|(d, _)| d >= day)) || day > to {
            continue;
        }
        if rng.random::<f64>() > 0.75 {
            continue;
        }
        let culture = w.teams[p.team].culture;
        let z = w.z(i);
        let sat = 3.4 + 0.9 * culture + 0.25 * z + 0.6 * normal(&mut rng);
        let enps = 7.0 + 1.8 * culture + 0.5 * z + 1.4 * normal(&mut rng);
        let answered = day + Duration::days(rng.random_range(0..10));
        w.answers.push(Answer {
            person: i,
            day: answered,
            measure: "satisfaction",
            score: sat.round().clamp(1.0, 5.0) as u32,
        });
        w.answers.push(Answer {
            person: i,
            day: answered,
            measure: "enps",
            score: enps.round().clamp(0.0, 10.0) as u32,
        });
    }
}

fn simulate(s: &Settings) -> World {
    let mut w = build_org(s);
    let mut previous_posts: Vec<usize> = Vec::new();
    for m in 0..s.months {
        let from = month_start(s.start, m);
        let to = month_start(s.start, m + 1) - Duration::days(1);
        move_people(&mut w, s, m, from, to);
        let posts = posts_of_month(&w, s, m, from, to);
        let first = w.posts.len();
        for post in &posts {
            w.events.push(Event {
                at: post.at,
                actor: post.author,
                action: Action::Post,
                post: Some(w.posts.len()),
                target: None,
                space: post.space,
            });
            w.posts.push(post.clone());
        }
        // People act on this month's posts and on the latest third of last month's.
        let mut pool: Vec<usize> = (first..w.posts.len()).collect();
        pool.extend(&previous_posts[previous_posts.len() * 2 / 3..]);
        let interactions = interactions_of_month(&w, s, m, from, to, &pool);
        w.events.extend(interactions);
        previous_posts = (first..w.posts.len()).collect();
        if (m + 1) % 6 == 0 {
            survey(&mut w, s, m, from, to);
        }
        if m + 1 == s.months {
            w.profile = profile::answers(&w, s, m, from, to);
        }
    }
    w.events.sort_by(|a, b| {
        (a.at, a.actor, a.action, a.post, a.space).cmp(&(b.at, b.actor, b.action, b.post, b.space))
    });
    w
}

fn space_name(space: usize) -> String {
    if space < COMMUNITIES.len() {
        COMMUNITIES[space].to_string()
    } else {
        DEPARTMENTS[space - COMMUNITIES.len()]
            .0
            .to_lowercase()
            .replace(" & ", "-and-")
            .replace(' ', "-")
    }
}

fn person_id(i: usize) -> String {
    format!("P{:04}", i + 1)
}

/// The three CSV files, as bytes, in canonical form.
/// The demo's files, as text: the roster, events, pulse surveys and the profile survey.
pub struct Files {
    pub people: String,
    pub events: String,
    pub surveys: String,
    pub profile: String,
    pub written: Written,
}

pub fn generate(s: &Settings) -> Files {
    let w = simulate(s);
    let mut people = String::from(
        "person_id,email,department,team,location,manager_id,role,hire_date,exit_date,exit_kind\n",
    );
    for (i, p) in w.people.iter().enumerate() {
        let _ = writeln!(
            people,
            "{},{}@example.com,{},{},{},{},{},{},{},{}",
            person_id(i),
            person_id(i).to_lowercase(),
            DEPARTMENTS[p.dept].0,
            w.teams[p.team].name,
            LOCATIONS[p.location].0,
            p.manager
                .filter(|m| *m != i)
                .map(person_id)
                .unwrap_or_default(),
            p.role,
            p.hire,
            p.exit.map(|(d, _)| d.to_string()).unwrap_or_default(),
            p.exit.map(|(_, k)| k).unwrap_or_default(),
        );
    }
    let mut events = String::from(
        "event_id,source,occurred_at,actor,action,content_id,thread_id,target_actor,space,text\n",
    );
    let first_month = s.start.year() * 12 + s.start.month0() as i32;
    for (n, e) in w.events.iter().enumerate() {
        let (content, thread) = match (e.action, e.post) {
            (Action::Post, Some(p)) => (format!("t{:05}", p + 1), format!("t{:05}", p + 1)),
            (Action::Reply, Some(p)) => (format!("r{:06}", n + 1), format!("t{:05}", p + 1)),
            (_, Some(p)) => (format!("t{:05}", p + 1), format!("t{:05}", p + 1)),
            (_, None) => (String::new(), String::new()),
        };
        let space = match e.action {
            Action::Visit => String::new(),
            _ => space_name(e.space),
        };
        let body = match e.action {
            Action::Post | Action::Reply => {
                let month = e.at.year() * 12 + e.at.month0() as i32 - first_month;
                let late = month + 1 >= s.months as i32;
                let mut rng = stream(s.seed, 11, n as u64, 0);
                let said = text::message(
                    &mut rng,
                    w.people[e.actor].dept,
                    e.action == Action::Reply,
                    late,
                );
                format!("\"{said}\"")
            }
            _ => String::new(),
        };
        let _ = writeln!(
            events,
            "e{:06},demo,{},{},{},{},{},{},{},{}",
            n + 1,
            e.at.format("%Y-%m-%dT%H:%M:%SZ"),
            person_id(e.actor),
            e.action,
            content,
            thread,
            e.target.map(person_id).unwrap_or_default(),
            space,
            body
        );
    }
    let mut answers = String::from("person_id,answered_at,measure,score\n");
    let mut sorted = w.answers.clone();
    sorted.sort_by(|a, b| (a.day, a.person, a.measure).cmp(&(b.day, b.person, b.measure)));
    for a in &sorted {
        let _ = writeln!(
            answers,
            "{},{},{},{}",
            person_id(a.person),
            a.day,
            a.measure,
            a.score
        );
    }
    let written = Written {
        people: w.people.len(),
        events: w.events.len(),
        answers: sorted.len(),
    };
    Files {
        people,
        events,
        surveys: answers,
        profile: w.profile,
        written,
    }
}

/// Generates the demo organisation into `dir`.
pub fn write(s: &Settings, dir: &Path) -> Result<Written> {
    if s.months == 0 || s.people == 0 || s.months > 600 || s.people > 1_000_000 {
        return Err(Error::Usage {
            message: format!(
                "--people {} and --months {}: people must be 1 to 1,000,000 and months 1 to 600",
                s.people, s.months
            ),
            help: "e.g. engage sample --out sample-data/demo --people 500 --months 12".into(),
        });
    }
    let files = generate(s);
    for (name, text) in [
        ("people.csv", &files.people),
        ("events.csv", &files.events),
        ("surveys.csv", &files.surveys),
        ("profile.csv", &files.profile),
    ] {
        crate::output::write_atomic(&dir.join(name), text.as_bytes())?;
    }
    Ok(files.written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Settings {
        Settings {
            people: 120,
            months: 6,
            seed: 3,
            start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        }
    }

    #[test]
    fn same_settings_same_bytes() {
        let a = generate(&small());
        let b = generate(&small());
        assert_eq!(a.people, b.people);
        assert_eq!(a.events, b.events);
        assert_eq!(a.surveys, b.surveys);
        assert_eq!(a.profile, b.profile);
        let c = generate(&Settings { seed: 4, ..small() });
        assert_ne!(a.events, c.events);
    }

    #[test]
    fn every_action_appears_and_times_stay_in_range() {
        let Files {
            events, written, ..
        } = generate(&small());
        for action in Action::ALL {
            assert!(
                events.contains(&format!(",{},", action.as_str())),
                "no {action} events"
            );
        }
        assert!(written.events > 1000, "{written:?}");
        // Data covers 2025-01-01 to 2025-06-30 in Amsterdam: 2024-12-31T23:00Z to 2025-06-30T22:00Z.
        for line in events.lines().skip(1) {
            let ts = line.split(',').nth(2).unwrap();
            assert!(
                ("2024-12-31T23:00:00Z".."2025-06-30T22:00:00Z").contains(&ts),
                "{line}"
            );
        }
    }

    #[test]
    fn posting_is_rarer_than_viewing() {
        let events = generate(&small()).events;
        let count = |a: &str| events.matches(&format!(",{a},")).count();
        assert!(
            count("post") * 5 < count("view"),
            "posts {} views {}",
            count("post"),
            count("view")
        );
        assert!(count("post") < count("reply") + count("reaction"));
    }
}
