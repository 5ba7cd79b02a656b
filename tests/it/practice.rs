//! Self-report, campaigns and leaders' presence end to end (README "What people say, campaigns and leaders"), on
//! tests/fixtures/practice: ten people over January to March 2026, every figure worked out by
//! hand below from the fixture's files.
//!
//! The fixture, week by week (twelve complete weeks, Monday 5 January to Sunday 29 March; each
//! week's events on its Tuesday): P01 (Sales, team A, leader) posts; P02 (Sales) visits; P06
//! (Operations, team B, manager) and P07 (Operations) visit. From the week of 2 February (the
//! campaign's start, week 5 of 12) P03 (Sales) replies to P01's post within the hour and P04
//! (Sales) visits. In the week of 2 March P06 replies to P01's post too. P05 (Sales) and
//! P08–P10 (Operations) do nothing.

use crate::common;

use common::{contains_all, copy_fixture, num, read, run_code, run_ok, table};

fn run_fixture() -> (tempfile::TempDir, std::path::PathBuf) {
    run_edited("", "")
}

/// The fixture with `from` replaced by `to` in its pipeline (nothing when `from` is empty),
/// run; the folder and the output folder.
fn run_edited(from: &str, to: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = edited(from, to);
    let out = dir.path().join("out");
    run_ok(&dir.path().join("pipeline.toml"), &out, &[]);
    (dir, out)
}

/// A copy of the fixture with `from` replaced by `to` in its pipeline.
fn edited(from: &str, to: &str) -> tempfile::TempDir {
    let dir = copy_fixture("practice");
    if !from.is_empty() {
        let pipeline = dir.path().join("pipeline.toml");
        std::fs::write(&pipeline, read(&pipeline).replace(from, to)).unwrap();
    }
    dir
}

/// The profile survey's row in the manifest's inputs.
fn profile_input(out: &std::path::Path) -> serde_json::Value {
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.join("manifest.json"))).unwrap();
    manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["role"] == "profile survey")
        .unwrap()
        .clone()
}

fn cell<'a>(
    rows: &'a [std::collections::BTreeMap<String, String>],
    keys: &[(&str, &str)],
) -> &'a std::collections::BTreeMap<String, String> {
    rows.iter()
        .find(|r| keys.iter().all(|(k, v)| r[*k] == *v))
        .unwrap_or_else(|| panic!("no row {keys:?}"))
}

/// Self-reported rungs from profile.csv (a behaviour at least monthly is one event): P01 posts
/// weekly → Creators; P02 (latest answer, 10 March) posts monthly → Creators; P03 comments →
/// Conversationalists; P04 and P07 read → Spectators; P05 answers never → Inactives; P06
/// reacts → Critics. Observed in March: P01 posts → Creators; P02 and P04 and P07 visit →
/// Spectators; P03 and P06 reply → Conversationalists; P05 → Inactives. So seven compared:
/// higher P02 (1/7), lower P06 (1/7), the same the other five (5/7). Left out: P02's answer of
/// 2 March (superseded), P99 (not on the roster), P08 (answered in June 2025, outside the
/// periods): 10 rows read = 7 accepted + 1 duplicate + 2 excluded.
#[test]
fn the_profile_survey_beside_the_observed_rungs_by_hand() {
    let (_dir, out) = run_fixture();
    let cross = table(out.join("tables/profile_vs_observed.csv"));
    assert_eq!(cross.len(), 49, "seven rungs by seven");
    let people = |s: &str, o: &str| {
        cell(&cross, &[("self_reported_rung", s), ("observed_rung", o)])["people"].clone()
    };
    assert_eq!(people("Creators", "Creators"), "1");
    assert_eq!(people("Creators", "Spectators"), "1");
    assert_eq!(people("Conversationalists", "Conversationalists"), "1");
    assert_eq!(people("Critics", "Conversationalists"), "1");
    assert_eq!(people("Spectators", "Spectators"), "2");
    assert_eq!(people("Inactives", "Inactives"), "1");
    let total: u32 = cross
        .iter()
        .map(|r| r["people"].parse::<u32>().unwrap())
        .sum();
    assert_eq!(total, 7);
    let summary = table(out.join("tables/profile_summary.csv"));
    let share = |name: &str| num(cell(&summary, &[("comparison", name)]), "share").unwrap();
    assert!((share("reported_higher") - 1.0 / 7.0).abs() < 1e-12);
    assert!((share("reported_same") - 5.0 / 7.0).abs() < 1e-12);
    assert!((share("reported_lower") - 1.0 / 7.0).abs() < 1e-12);

    let input = profile_input(&out);
    assert_eq!(input["rows_read"], 10);
    assert_eq!(input["accepted"], 7);
    assert_eq!(input["duplicates"], 1);
    assert_eq!(input["excluded"], 2);
    let reasons = &input["excluded_by_reason"];
    assert_eq!(reasons["respondent not on the roster"], 1);
    assert_eq!(reasons["answered outside the report's periods"], 1);
    assert_eq!(
        reasons["an earlier answer of a respondent who answered again"],
        1
    );
}

/// By department: Sales answered P01–P05 (5), wanting to contribute P01 and P05 (2/5), P02–P04
/// blank; Operations P06 (maybe) and P07 (no). The ambassadors: nobody is a candidate (no one
/// has 5 partners), P05 wants to contribute and was observed Inactive (below
/// Conversationalists): one self-reported row; P01 wants to but was observed a Creator.
#[test]
fn the_profile_per_group_and_the_willing_below_the_ambassador_rung() {
    let (_dir, out) = run_fixture();
    let groups = table(out.join("tables/profile_by_department.csv"));
    let row = |d: &str, item: &str, answer: &str| {
        cell(
            &groups,
            &[("department", d), ("item", item), ("answer", answer)],
        )
        .clone()
    };
    let yes = row("Sales", "wants_to_contribute", "yes");
    assert_eq!(
        (yes["people"].as_str(), yes["respondents"].as_str()),
        ("2", "5")
    );
    assert!((num(&yes, "share").unwrap() - 0.4).abs() < 1e-12);
    assert_eq!(
        row("Sales", "wants_to_contribute", "unanswered")["people"],
        "3"
    );
    assert_eq!(
        row("Operations", "wants_to_contribute", "maybe")["people"],
        "1"
    );
    assert_eq!(
        row("Operations", "self_reported_rung", "Critics")["people"],
        "1"
    );
    assert_eq!(row("Sales", "posts", "weekly")["people"], "1");
    assert_eq!(row("Sales", "posts", "monthly")["people"], "1");
    assert_eq!(row("Sales", "posts", "never")["people"], "3");

    let ambassadors = table(out.join("tables/ambassadors.csv"));
    assert_eq!(ambassadors.len(), 1);
    let a = &ambassadors[0];
    assert_eq!(a["source"], "self-reported");
    assert_eq!(a["rung"], "Inactives");
    assert_eq!(a["self_reported_rung"], "Inactives");
    assert_eq!(a["rank"], "");
    // Pseudonymised: 64 hex characters, never the id.
    assert_eq!(a["person"].len(), 64);
}

/// Below the minimum group size every count with fewer people is empty (docs/privacy.md,
/// docs/privacy.md). With min_group_size = 2, the comparison's cells are (by hand, from the
/// by-hand test above) five cells of one person, Spectators → Spectators of two (P04, P07),
/// and cells of nobody. The cells of one and of nobody are hidden; Spectators → Spectators
/// goes too: every other cell of its row is nobody, hidden, and together they are 0 < 2, so
/// shown it would say that every self-reported Spectator was observed as one. The summary
/// keeps its respondents (7) and the 5 who reported their own rung; higher (1) and lower (1)
/// are hidden and together make 2.
#[test]
fn profile_cells_below_the_minimum_are_suppressed() {
    let (_dir, out) = run_edited("min_group_size = 1", "min_group_size = 2");
    let cross = table(out.join("tables/profile_vs_observed.csv"));
    assert_eq!(cross.len(), 49);
    assert!(cross
        .iter()
        .all(|r| r["suppressed"] == "true" && r["people"].is_empty() && r["share"].is_empty()));
    let summary = table(out.join("tables/profile_summary.csv"));
    let people: Vec<(&str, &str)> = summary
        .iter()
        .map(|r| (r["comparison"].as_str(), r["people"].as_str()))
        .collect();
    assert_eq!(
        people,
        vec![
            ("respondents", "7"),
            ("reported_higher", ""),
            ("reported_same", "5"),
            ("reported_lower", ""),
        ]
    );
}

/// The campaign's weekly series, by hand. Sales (5 people): active P01, P02 in the 4 weeks
/// before (0.4), P01–P04 in the 8 from the start (0.8); contributors P01 (0.2), then P01 and P03
/// (0.4); P01's posts answered: none before (0), all after (1). Everyone else (Operations, 5):
/// active P06, P07 every week (0.4); contributors none but P06 in the week of 2 March (0.2, so
/// 0.2/8 = 0.025 on average after). Steps without noise, so the segmented regression gives the
/// level change exactly: participation 0.4, contribution 0.2, reply rate 1.0, slopes 0; the
/// difference in differences: participation 0.4 − 0 = 0.4, contribution 0.2 − 0.025 = 0.175;
/// the reply rate has no comparison (Operations posts nothing). "Next year" lies after the data.
#[test]
fn campaign_effects_on_a_planted_step() {
    let dir = copy_fixture("practice");
    let out = dir.path().join("out");
    let err = run_code(&dir.path().join("pipeline.toml"), &out, 0);
    contains_all(&err, &["campaign[2]", "Next year", "outside the data"]);
    let rows = table(out.join("tables/campaigns.csv"));
    assert_eq!(rows.len(), 6);
    let effect = |campaign: &str, metric: &str| {
        cell(&rows, &[("campaign", campaign), ("metric", metric)]).clone()
    };
    let close = |r: &std::collections::BTreeMap<String, String>, c: &str, v: f64| {
        let got = num(r, c).unwrap_or_else(|| panic!("no {c} in {r:?}"));
        assert!((got - v).abs() < 1e-9, "{c}: {got} against {v}");
    };
    let p = effect("Sales takes part", "participation_rate");
    assert_eq!(p["status"], "estimated");
    assert_eq!(
        (p["weeks_before"].as_str(), p["weeks_after"].as_str()),
        ("4", "8")
    );
    assert_eq!(p["audience"], "department = Sales");
    close(&p, "mean_before", 0.4);
    close(&p, "mean_after", 0.8);
    close(&p, "level_change", 0.4);
    close(&p, "slope_change", 0.0);
    close(&p, "did", 0.4);
    let c = effect("Sales takes part", "contribution_rate");
    close(&c, "level_change", 0.2);
    close(&c, "did", 0.175);
    let r = effect("Sales takes part", "reply_rate");
    close(&r, "level_change", 1.0);
    assert_eq!(r["did"], "");
    for metric in ["participation_rate", "contribution_rate", "reply_rate"] {
        let n = effect("Next year", metric);
        assert_eq!(n["status"], "outside the data");
        assert_eq!(n["level_change"], "");
    }
    // The manifest lists both, the one without figures with its reason.
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.join("manifest.json"))).unwrap();
    let listed = &manifest["campaigns"];
    assert_eq!(
        listed["campaign[1]"]["status"]["participation_rate"],
        "estimated"
    );
    assert_eq!(listed["campaign[2]"]["name"], "Next year");
    assert_eq!(
        listed["campaign[2]"]["status"]["reply_rate"],
        "outside the data"
    );
    let weeks = table(out.join("tables/campaign_weeks.csv"));
    let sales: Vec<_> = weeks
        .iter()
        .filter(|w| w["campaign"] == "Sales takes part" && w["group"] == "audience")
        .collect();
    assert_eq!(sales.len(), 12);
    assert_eq!(sales[0]["week_start"], "2026-01-05");
    assert_eq!(sales[11]["week_start"], "2026-03-23");
    assert_eq!(sales[4]["active"], "4");
}

/// Leaders and managers: P01 (leader) and P06 (manager). January: both active (visits, posts),
/// P01 contributing (1/2), nobody replying outside their team; P01's 4 threads, none answered,
/// no replies to leaders. February: the same but 4 threads answered and P03's 4 replies to
/// P01. March: P06 replied to P01 (team B to team A): contributing 2/2, outside their team 1/2;
/// 5 replies to leaders (P03's 4 and P06's 1). No views: no median reach.
#[test]
fn leaders_presence_per_month_by_hand() {
    let (_dir, out) = run_fixture();
    let rows = table(out.join("tables/leadership.csv"));
    let periods: Vec<&str> = rows.iter().map(|r| r["period"].as_str()).collect();
    assert_eq!(periods, ["2026-01", "2026-02", "2026-03"]);
    let get = |i: usize, c: &str| rows[i][c].clone();
    assert_eq!(get(0, "leaders"), "2");
    assert_eq!(num(&rows[0], "active_share"), Some(1.0));
    assert_eq!(num(&rows[0], "contributing_share"), Some(0.5));
    assert_eq!(num(&rows[0], "outside_team_share"), Some(0.0));
    assert_eq!(
        (
            get(0, "threads"),
            get(0, "threads_answered"),
            get(0, "replies_to_leaders")
        ),
        ("4".into(), "0".into(), "0".into())
    );
    assert_eq!(
        (
            get(1, "threads"),
            get(1, "threads_answered"),
            get(1, "replies_to_leaders")
        ),
        ("4".into(), "4".into(), "4".into())
    );
    assert_eq!(num(&rows[2], "contributing_share"), Some(1.0));
    assert_eq!(num(&rows[2], "outside_team_share"), Some(0.5));
    assert_eq!(get(2, "replies_to_leaders"), "5");
    assert_eq!(get(2, "thread_reach_median"), "");

    // With a minimum group size of 3, two leaders are too few: every figure empty.
    let (_dir, out) = run_edited("min_group_size = 1", "min_group_size = 3");
    let rows = table(out.join("tables/leadership.csv"));
    assert!(rows.iter().all(|r| r["suppressed"] == "true"
        && r["leaders"].is_empty()
        && r["active_share"].is_empty()));
}

/// The report carries the three sections, in English and in Dutch.
#[test]
fn the_report_shows_the_three_sections_in_both_languages() {
    let (_dir, out) = run_fixture();
    let html = read(out.join("report.html"));
    contains_all(
        &html,
        &[
            "What people say and what they do",
            "Campaigns",
            "Leaders in the network",
            "Participation rate rose by 40.0 points at the start",
            "charts/profile.png",
            "charts/leadership.png",
            // The legend cuts a long name: "Sales takes part" is 16 characters.
            "Campaign: Sales takes p…",
        ],
    );
    let (_dir, out) = run_edited("[pipeline]\n", "[pipeline]\nlanguage = \"nl\"\n");
    contains_all(
        &read(out.join("report.md")),
        &[
            "## Wat mensen zeggen en wat ze doen",
            "## Campagnes",
            "## Leidinggevenden in het netwerk",
            "steeg bij de start met 40,0 punten",
        ],
    );
}

/// Bad input: rows that cannot be read are rejected with their line, value and fix, and the
/// run goes on. P04's "sometimes" (line 6) and P06's date "10-03-2026" (line 8) are rejected:
/// 10 rows read = 5 accepted + 1 duplicate (P02's earlier answer) + 2 excluded (P99, P08) + 2
/// rejected. P04 and P06 no longer count: 5 compared, of whom P02 reports higher (1/5).
#[test]
fn unreadable_answers_are_rejected_with_their_line() {
    let dir = copy_fixture("practice");
    let survey = dir.path().join("profile.csv");
    let text = read(&survey)
        .replace("P04,2026-03-10,monthly", "P04,2026-03-10,sometimes")
        .replace("P06,2026-03-10,", "P06,10-03-2026,");
    std::fs::write(&survey, text).unwrap();
    let out = dir.path().join("out");
    let err = run_code(&dir.path().join("pipeline.toml"), &out, 0);
    contains_all(
        &err,
        &[
            "profile survey: 2 rows rejected",
            "rejects/profile_survey.csv",
        ],
    );
    assert_eq!(
        read(out.join("rejects/profile_survey.csv")),
        "file,location,raw,reason\n\
         profile.csv,line 6,sometimes,\"unknown answer to reads: answer with one of never, monthly, weekly, daily\"\n\
         profile.csv,line 8,10-03-2026,unreadable answered_at: write the day the survey was answered as YYYY-MM-DD\n"
    );
    let input = profile_input(&out);
    assert_eq!(
        [
            &input["rows_read"],
            &input["accepted"],
            &input["duplicates"],
            &input["excluded"],
            &input["rejected"]
        ],
        [10, 5, 1, 2, 2]
    );
    assert_eq!(input["rejects_file"], "rejects/profile_survey.csv");
    let summary = table(out.join("tables/profile_summary.csv"));
    let respondents = cell(&summary, &[("comparison", "respondents")]);
    assert_eq!(respondents["people"], "5");
    let higher = cell(&summary, &[("comparison", "reported_higher")]);
    assert!((num(higher, "share").unwrap() - 0.2).abs() < 1e-12);
}

/// Bad input: an audience group nobody on the roster is in names the pipeline's line and the
/// groups there are.
#[test]
fn an_audience_nobody_is_in_names_the_line_and_the_groups() {
    let dir = edited("department = \"Sales\"", "department = \"Salse\"");
    let err = run_code(
        &dir.path().join("pipeline.toml"),
        &dir.path().join("out"),
        1,
    );
    contains_all(
        &err,
        &[
            "pipeline.toml:24",
            "campaign[1].audience",
            "Salse",
            "Operations, Sales",
        ],
    );
}
