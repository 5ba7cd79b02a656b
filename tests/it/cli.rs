//! The binary end to end on the hand-worked fixture in tests/fixtures/tiny, and one test per
//! kind of user error. Expected values are worked out by hand in the comments.

use std::path::Path;

use polars::prelude::*;
use predicates::prelude::*;

use crate::common;

use common::{contains_all, copy_fixture, engage, fixture, read, run_code, run_ok, KEY};

/// Some columns of a CSV table, by name, as CSV text (the tables hold no quoted commas).
fn pick(csv: &str, columns: &[&str]) -> String {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let at: Vec<usize> = columns
        .iter()
        .map(|c| {
            header
                .iter()
                .position(|h| h == c)
                .unwrap_or_else(|| panic!("no column {c} in {header:?}"))
        })
        .collect();
    let mut out = columns.join(",") + "\n";
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        out += &at.iter().map(|&i| cells[i]).collect::<Vec<_>>().join(",");
        out += "\n";
    }
    out
}

/// The participation columns of period_metrics.
fn participation(out: &Path) -> String {
    pick(
        &read(out.join("tables/period_metrics.csv")),
        &["period", "headcount", "active", "participation_rate"],
    )
}

fn activity(out: &Path) -> DataFrame {
    let file = std::fs::File::open(out.join("tables/activity.parquet")).unwrap();
    ParquetReader::new(file).finish().unwrap()
}

fn pseudonym(id: &str) -> String {
    engage::outcomes::privacy::Pseudonymizer::new(KEY.as_bytes().to_vec()).pseudonym(id)
}

/// The value of `column` for one person and period of the activity table.
fn cell(df: &DataFrame, person: &str, period: &str, column: &str) -> AnyValue<'static> {
    let p = pseudonym(person);
    let row = df
        .clone()
        .lazy()
        .filter(col("person").eq(lit(p)).and(col("period").eq(lit(period))))
        .select([col(column)])
        .collect()
        .unwrap();
    assert_eq!(row.height(), 1, "{person} {period}");
    row.column(column).unwrap().get(0).unwrap().into_static()
}

// Headcount, worked out from people.csv (Amsterdam calendar, inclusive dates):
//   2025-01: alice, bob (hired 01-15), carol, erin (exits 01-31), frank (exits 01-20) = 5;
//            dave (hired 02-01) and gina (03-01) not yet.
//   2025-02: alice, bob, carol (exits 02-10), dave = 4; erin and frank gone before 02-01.
// Events (duplicate e3 dropped; mallory is not on the roster, so not in headcount):
//   2025-01: alice post; bob view; carol reply; erin visit (08:00+01:00); frank nothing.
//            -> active 4 of 5 = 0.8
//   2025-02: bob reaction at 2025-01-31T23:30Z = 00:30 on 1 Feb in Amsterdam; dave join;
//            carol share; alice two reactions. -> active 4 of 4 = 1.0
#[test]
#[allow(clippy::too_many_lines)] // One run of the tiny fixture, every worked-out figure checked.
fn tiny_fixture_end_to_end() {
    let out = tempfile::tempdir().unwrap();
    run_ok(&fixture("tiny/pipeline.toml"), out.path(), &[]);

    assert_eq!(
        participation(out.path()),
        "period,headcount,active,participation_rate\n2025-01,5,4,0.8\n2025-02,4,4,1.0\n"
    );
    // Every §4 figure, by hand (Amsterdam days; no view data problem: bob's view exists).
    // January, headcount 5 (frank leaves on the 20th, erin on the 31st: both still count):
    //   active 4; engaged alice (post), carol (reply) = 2; lurkers bob (view), erin (visit) = 2;
    //   contributors 2, creators 1, viewers {bob} = 1; posts e1, replies e3 (any actor).
    //   engagement_rate_of_reached = engaged viewers 0 / 1 = 0.0; reach_rate 1/5 = 0.2.
    //   post_reach of m1 = {bob} = 1 -> median 1.0, p90 1.0.
    //   leader_reach: bob viewed content of alice (leader) -> 1/5 = 0.2.
    //   stickiness: active days 1+1+1+1 = 4 over 31 days, / 4 active = 1/31.
    //   top1/top10: 4 active -> the first ceil(0.04) = ceil(0.4) = 1 person, alice (1 of 2
    //   contributions, tied with carol, alice first by id) -> 0.5.
    //   gini over [0,0,0,1,1]: 2*(4*1+5*1)/(5*2) - 6/5 = 1.8 - 1.2 = 0.6.
    //   m1 first answered by carol 25 h later -> reply_rate 1/1, median 25.0, unanswered 0.
    //   cross_department: carol (IT) replied to alice (Sales) -> 1/1.
    //   No previous period -> promotion and demotion empty.
    // February, headcount 4:
    //   active 4; engaged bob (reaction), carol (share), alice (reactions) = 3; dave joined only
    //   -> lurker; no contributions; no views -> viewers 0, engagement_rate_of_reached empty
    //   (0/0), reach_rate 0.0, leader_reach 0.0. posts: mallory's m3 counts (content metrics
    //   count every actor), unanswered -> reply_rate 0.0, unanswered 1, median empty; its reach
    //   0. stickiness 4 person-days / 28 days / 4 = 1/28. top shares and gini empty (no
    //   contributions). cross_department: bob -> alice both Sales (alice -> mallory: unknown
    //   department, left out) -> 0.0. Movement of alice, bob, carol (in both periods): alice
    //   Creators -> Critics (down), bob Spectators -> Critics (up), carol Conversationalists ->
    //   Collectors (down) -> promotion 1/3, demotion 2/3.
    assert_eq!(
        read(out.path().join("tables/period_metrics.csv")),
        "period,headcount,active,engaged,contributors,creators,lurkers,viewers,posts,replies,\
         participation_rate,engagement_rate_of_reached,contribution_rate,creation_rate,\
         lurker_share,reach_rate,post_reach_median,post_reach_p90,leader_reach,stickiness,\
         top1_share,top10_share,gini,reply_rate,median_first_reply_hours,unanswered_posts,\
         cross_department_share,promotion_rate,demotion_rate\n\
         2025-01,5,4,2,2,1,2,1,1,1,0.8,0.0,0.4,0.2,0.5,0.2,1.0,1.0,0.2,0.03225806451612903,\
         0.5,0.5,0.6,1.0,25.0,0,1.0,,\n\
         2025-02,4,4,3,0,0,1,0,1,0,1.0,,0.0,0.0,0.25,0.0,0.0,0.0,0.0,0.03571428571428571,\
         ,,,0.0,,1,0.0,0.3333333333333333,0.6666666666666666\n"
    );
    // Per post (pseudonymised author): m1 seen by bob, answered after 25 h; m3 by mallory
    // (not on the roster: still a post) seen by nobody, unanswered.
    assert_eq!(
        read(out.path().join("tables/post_reach.csv")),
        format!(
            "author,source,space,period,viewers,first_reply_hours\n\
             {},events,general,2025-01,1,25.0\n\
             {},events,general,2025-02,0,\n",
            pseudonym("alice"),
            pseudonym("mallory")
        )
    );
    // The space `general`: January alice, bob, carol (active 3, contributors alice and carol,
    // reach bob); February bob, dave, carol, mallory, alice (5; contributor mallory; no views).
    assert_eq!(
        read(out.path().join("tables/spaces.csv")),
        "source,space,period,active,contributors,posts,replies,reach\n\
         events,general,2025-01,3,2,1,1,1\n\
         events,general,2025-02,5,1,1,0,0\n"
    );
    // 2025-01: alice Creators, carol Conversationalists, bob and erin Spectators, frank Inactives.
    // 2025-02: alice and bob Critics, carol Collectors, dave Joiners.
    assert_eq!(
        read(out.path().join("tables/ladder.csv")),
        "period,rung,rung_label,people,share\n\
         2025-01,Creators,Creators,1,0.2\n\
         2025-01,Conversationalists,Conversationalists,1,0.2\n\
         2025-01,Critics,Critics,0,0.0\n\
         2025-01,Collectors,Collectors,0,0.0\n\
         2025-01,Joiners,Joiners,0,0.0\n\
         2025-01,Spectators,Spectators,2,0.4\n\
         2025-01,Inactives,Inactives,1,0.2\n\
         2025-02,Creators,Creators,0,0.0\n\
         2025-02,Conversationalists,Conversationalists,0,0.0\n\
         2025-02,Critics,Critics,2,0.5\n\
         2025-02,Collectors,Collectors,1,0.25\n\
         2025-02,Joiners,Joiners,1,0.25\n\
         2025-02,Spectators,Spectators,0,0.0\n\
         2025-02,Inactives,Inactives,0,0.0\n"
    );

    let act = activity(out.path());
    assert_eq!(act.height(), 9, "5 people in January, 4 in February");
    // alice in February: reacted to mallory twice on one day, and bob reacted to her:
    // partners {mallory, bob}.
    assert_eq!(
        cell(&act, "alice", "2025-02", "reactions"),
        AnyValue::UInt32(2)
    );
    assert_eq!(
        cell(&act, "alice", "2025-02", "active_days"),
        AnyValue::UInt32(1)
    );
    assert_eq!(
        cell(&act, "alice", "2025-02", "distinct_partners"),
        AnyValue::UInt32(2)
    );
    // alice in January: carol replied to her post.
    assert_eq!(
        cell(&act, "alice", "2025-01", "distinct_partners"),
        AnyValue::UInt32(1)
    );
    assert_eq!(
        cell(&act, "alice", "2025-01", "contributions"),
        AnyValue::UInt32(1)
    );
    // The reaction just before midnight UTC belongs to February in Amsterdam.
    assert_eq!(
        cell(&act, "bob", "2025-01", "reactions"),
        AnyValue::UInt32(0)
    );
    assert_eq!(
        cell(&act, "bob", "2025-02", "reactions"),
        AnyValue::UInt32(1)
    );
    assert_eq!(
        cell(&act, "bob", "2025-02", "interactions"),
        AnyValue::UInt32(1)
    );
    // carol replied once although the export repeats the reply.
    assert_eq!(
        cell(&act, "carol", "2025-01", "replies"),
        AnyValue::UInt32(1)
    );
    assert_eq!(
        cell(&act, "frank", "2025-01", "rung"),
        AnyValue::StringOwned("Inactives".into())
    );
    assert_eq!(
        cell(&act, "bob", "2025-01", "lurker"),
        AnyValue::Boolean(true)
    );
    assert_eq!(
        cell(&act, "carol", "2025-02", "engaged"),
        AnyValue::Boolean(true)
    );
    assert_eq!(
        cell(&act, "carol", "2025-02", "is_critics"),
        AnyValue::Boolean(false)
    );
    assert_eq!(
        cell(&act, "carol", "2025-02", "is_collectors"),
        AnyValue::Boolean(true)
    );

    // No roster id, name or email leaves in the person-level table.
    let persons: Vec<String> = act
        .column("person")
        .unwrap()
        .str()
        .unwrap()
        .no_null_iter()
        .map(str::to_string)
        .collect();
    assert!(persons
        .iter()
        .all(|p| p.len() == 64 && p.chars().all(|c| c.is_ascii_hexdigit())));

    // The report is self-contained and shows the chart inline.
    let html = read(out.path().join("report.html"));
    assert!(html.contains("<svg"));
    // Nothing is fetched: no scripts, no linked resources (the SVG namespace is only a name);
    // links go to the page's own sections and to the PNG copies of its charts.
    assert!(!html.contains("<script"));
    for link in ["src=", "@import", "href=\"http", "url(http", "<link"] {
        assert!(!html.contains(link), "{link}");
    }
    for href in html.split("href=\"").skip(1) {
        assert!(
            href.starts_with('#') || href.starts_with("charts/"),
            "{}",
            &href[..20]
        );
    }
    // February's participation (100%) heads the page, 20 points up on January's 80%.
    assert!(html.contains(
        "<div class=\"value\">100.0%</div><div class=\"label\">Participation rate</div>"
    ));
    contains_all(&html, &["+20.0 pp vs previous month"]);
    assert!(read(out.path().join("charts/ladder.svg")).starts_with("<svg"));

    // The manifest reconciles the events file: 11 rows = 10 accepted + 1 duplicate.
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.path().join("manifest.json"))).unwrap();
    let events = &manifest["inputs"][0];
    assert_eq!(events["path"], "events.csv");
    assert_eq!(events["rows_read"], 11);
    assert_eq!(events["accepted"], 10);
    assert_eq!(events["duplicates"], 1);
    assert_eq!(events["excluded"], 0);
    assert_eq!(events["rejected"], 0);
    assert_eq!(events["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(manifest["inputs"][1]["role"], "people");
    assert_eq!(manifest["inputs"][1]["rows_read"], 7);
    assert_eq!(manifest["population"], "roster");
    // 17 tables (period_metrics, ladder, lifecycle, transitions, retention, post_reach, spaces,
    // department_interactions, ambassadors, leadership (every figure suppressed: two leaders
    // and managers), turnover, attrition_by_rung, retention_curves, logrank,
    // outcome_correlations, outcome_teams, unresolved_accounts), each as CSV and
    // Parquet; the activity table; 8 charts as SVG and PNG (no Lorenz curve: nobody contributed
    // in February; no outcome charts: every rung is under min_group_size); report.html and .md;
    // the .engage-output marker that claims the folder.
    assert_eq!(
        manifest["outputs"].as_array().unwrap().len(),
        34 + 1 + 16 + 2 + 1
    );
    // Turnover. January: employed on the 1st alice, carol, erin, frank (bob is hired on the
    // 15th) = 4; on the 31st alice, bob, carol, erin (her last day) = 4. frank (voluntary, 20th)
    // and erin (involuntary, 31st) leave: 2 / 4 = 0.5, voluntary 1 / 4. February: on the 1st
    // alice, bob, carol, dave (hired that day) = 4; on the 28th alice, bob, dave = 3; carol
    // leaves voluntarily on the 10th: 1 / 3.5.
    assert_eq!(
        read(out.path().join("tables/turnover.csv")),
        "period,headcount_start,headcount_end,separations,voluntary_separations,turnover_rate,\
         voluntary_turnover_rate\n\
         2025-01,4,4,2,1,0.5,0.25\n\
         2025-02,4,3,1,1,0.2857142857142857,0.2857142857142857\n"
    );
    // Two periods cannot give three periods of steady conversation: no ambassador candidates
    // (and no profile survey to add willing respondents).
    assert_eq!(
        read(out.path().join("tables/ambassadors.csv")),
        "rank,person,distinct_partners,responders,contributions,rung,rung_label,\
         self_reported_rung,self_reported_rung_label,wants_to_contribute,source\n"
    );
    // Sales has 3 people in January and 2 in February, IT 2 and 2: every department is under
    // min_group_size = 5, so every cell of the interaction matrix is suppressed.
    assert_eq!(
        read(out.path().join("tables/department_interactions.csv")),
        "period,from_department,to_department,interactions,people,suppressed\n\
         2025-01,IT,Sales,,,true\n\
         2025-02,Sales,Sales,,,true\n"
    );
    // mallory posted but is not on the roster: listed once, pseudonymised, with her one event.
    let mallory = csv_rows(&out.path().join("tables/unresolved_accounts.csv"));
    assert_eq!(mallory, vec![format!("events,{},1", pseudonym("mallory"))]);
    assert_eq!(manifest["engage_version"], env!("CARGO_PKG_VERSION"));
}

// Lifecycle, from the same fixture. First activity: alice, bob, carol, erin in January, dave
// in February. January: all 4 active are new. February: dave is new; alice, bob and carol
// return; erin was active in January and is not now (she left): dormant 1 = 4 - 3.
// Retention: the January cohort (4) has 3 active in February; the February cohort is dave.
#[test]
fn lifecycle_and_retention_of_the_tiny_fixture() {
    let out = tempfile::tempdir().unwrap();
    run_ok(&fixture("tiny/pipeline.toml"), out.path(), &[]);
    assert_eq!(
        read(out.path().join("tables/lifecycle.csv")),
        "period,new,returning,resurrecting,dormant\n2025-01,4,0,0,0\n2025-02,1,3,0,1\n"
    );
    assert_eq!(
        read(out.path().join("tables/retention.csv")),
        "cohort,periods_since,cohort_size,retained,share\n\
         2025-01,0,4,4,1.0\n\
         2025-01,1,4,3,0.75\n\
         2025-02,0,1,1,1.0\n"
    );
}

// Ladder moves from January to February among people in headcount in both (alice, bob,
// carol): alice Creators -> Critics, carol Conversationalists -> Collectors, bob Spectators ->
// Critics. Every pair of the 7 rungs is listed: 49 rows, 3 people in all.
#[test]
fn transitions_of_the_tiny_fixture() {
    let out = tempfile::tempdir().unwrap();
    run_ok(&fixture("tiny/pipeline.toml"), out.path(), &[]);
    let rows = csv_rows(&out.path().join("tables/transitions.csv"));
    assert_eq!(rows.len(), 49);
    let moved: Vec<&String> = rows.iter().filter(|r| !r.ends_with(",0")).collect();
    assert_eq!(
        moved,
        vec![
            "2025-01,2025-02,Creators,Creators,Critics,Critics,1",
            "2025-01,2025-02,Conversationalists,Conversationalists,Collectors,Collectors,1",
            "2025-01,2025-02,Spectators,Spectators,Critics,Critics,1",
        ]
    );
    // Each rung with its label beside it (the English report's labels are the names).
    assert_eq!(
        rows[0],
        "2025-01,2025-02,Creators,Creators,Creators,Creators,0"
    );
}

#[test]
fn as_of_cuts_events_and_sets_the_last_period() {
    let out = tempfile::tempdir().unwrap();
    // Up to the end of 4 Feb (Amsterdam): e7..e10 fall after it, so 4 events are excluded.
    // February then has bob's reaction and dave's join: active 2 of 4.
    run_ok(
        &fixture("tiny/pipeline.toml"),
        out.path(),
        &["--as-of", "2025-02-04"],
    );
    assert_eq!(
        participation(out.path()),
        "period,headcount,active,participation_rate\n2025-01,5,4,0.8\n2025-02,4,2,0.5\n"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.path().join("manifest.json"))).unwrap();
    assert_eq!(manifest["inputs"][0]["excluded"], 4);
    assert_eq!(manifest["inputs"][0]["accepted"], 6);

    // An as-of day in a later month adds periods up to it: March has alice, bob, dave and gina
    // (hired 03-01) in headcount, carol left on 02-10; nobody is active.
    let out = tempfile::tempdir().unwrap();
    run_ok(
        &fixture("tiny/pipeline.toml"),
        out.path(),
        &["--as-of", "2025-03-31"],
    );
    assert!(participation(out.path()).ends_with("2025-03,4,0,0.0\n"));
    // March is an empty period: no posts or replies, every figure over nobody empty. alice and
    // bob (Critics in February) and dave (Joiners) are Inactives now: 3 of 3 moved down.
    let metrics = read(out.path().join("tables/period_metrics.csv"));
    assert_eq!(
        pick(
            &metrics,
            &[
                "period",
                "posts",
                "replies",
                "reply_rate",
                "unanswered_posts",
                "stickiness",
                "top1_share",
                "gini",
                "lurker_share",
                "promotion_rate",
                "demotion_rate"
            ]
        )
        .lines()
        .last(),
        Some("2025-03,0,0,,0,,,,,0.0,1.0")
    );
}

// With --as-of 2025-02-04 February has 4 days so far: bob (1 Feb) and dave (3 Feb) were each
// active one day: stickiness = 2 person-days / 4 days / 2 active = 0.25, not 2/28/2.
#[test]
fn stickiness_counts_the_days_up_to_the_as_of_day() {
    let out = tempfile::tempdir().unwrap();
    run_ok(
        &fixture("tiny/pipeline.toml"),
        out.path(),
        &["--as-of", "2025-02-04"],
    );
    assert_eq!(
        pick(
            &read(out.path().join("tables/period_metrics.csv")),
            &["period", "stickiness"]
        ),
        "period,stickiness\n2025-01,0.03225806451612903\n2025-02,0.25\n"
    );
}

#[test]
fn time_zone_decides_the_period_of_an_event() {
    let dir = copy_fixture("tiny");
    let pipeline = dir.path().join("pipeline.toml");
    std::fs::write(
        &pipeline,
        read(&pipeline).replace("Europe/Amsterdam", "UTC"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_ok(&pipeline, out.path(), &[]);
    // In UTC bob's reaction at 23:30 on 31 January stays in January.
    let act = activity(out.path());
    assert_eq!(
        cell(&act, "bob", "2025-01", "reactions"),
        AnyValue::UInt32(1)
    );
    assert_eq!(
        cell(&act, "bob", "2025-02", "reactions"),
        AnyValue::UInt32(0)
    );
    // So do content figures: January's replies and reactions with known departments are now
    // carol -> alice (IT -> Sales) and bob -> alice (Sales -> Sales): 1 of 2 cross. February
    // keeps only alice -> mallory (no department): empty.
    assert_eq!(
        pick(
            &read(out.path().join("tables/period_metrics.csv")),
            &["period", "cross_department_share"]
        ),
        "period,cross_department_share\n2025-01,0.5\n2025-02,\n"
    );
}

#[test]
fn without_a_roster_the_population_is_observed() {
    let dir = copy_fixture("tiny");
    let pipeline = dir.path().join("pipeline.toml");
    let text = read(&pipeline).replace("[people]\npath = \"people.csv\"\n", "");
    std::fs::write(&pipeline, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    run_ok(&pipeline, out.path(), &[]);
    // 2025-01: alice, bob, carol, erin seen, all active. 2025-02: those four plus dave and
    // mallory seen so far = 6; active alice, bob, carol, dave, mallory = 5.
    assert_eq!(
        participation(out.path()),
        "period,headcount,active,participation_rate\n2025-01,4,4,1.0\n2025-02,6,5,0.8333333333333334\n"
    );
    assert!(read(out.path().join("report.html")).contains("observed population"));
}

#[test]
fn same_inputs_give_byte_identical_outputs() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    run_ok(&fixture("tiny/pipeline.toml"), a.path(), &[]);
    run_ok(&fixture("tiny/pipeline.toml"), b.path(), &[]);
    for f in [
        "tables/activity.parquet",
        "tables/period_metrics.csv",
        "tables/ladder.csv",
        "charts/ladder.svg",
        "report.html",
    ] {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            "{f}"
        );
    }
}

/// Runs a pipeline expected to fail and returns its stderr.
fn run_err(pipeline: &Path) -> String {
    let out = tempfile::tempdir().unwrap();
    let assert = engage()
        .arg("run")
        .arg(pipeline)
        .arg("--out")
        .arg(out.path())
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("panicked").not());
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

/// A change to a copy of the tiny fixture: the file to change, what to replace in it (all of
/// it when empty) and with what, and text to add at its end.
struct Edit {
    file: &'static str,
    from: &'static str,
    to: &'static str,
    append: &'static str,
}

// One case per kind of user error; each message names the file and the line or key, and the
// lines are counted in tests/fixtures/tiny/pipeline.toml: the source's path on line 11,
// min_group_size on line 7 (so a key after it is on line 8), and the appended ladder's
// `when` on line 18.
#[test]
fn user_errors_name_the_file_and_line_or_key() {
    let replace = |file, from, to| Edit {
        file,
        from,
        to,
        append: "",
    };
    let cases: [(&str, Edit, &[&str]); 4] = [
        (
            "a missing file",
            replace("pipeline.toml", "path = \"events.csv\"", "path = \"nope.csv\""),
            &["pipeline.toml:11", "source[1].path: file not found", "nope.csv", "help:"],
        ),
        (
            "a missing column",
            replace("events.csv", "", "event_id,occurred_at,actor\ne1,2025-01-01T00:00:00Z,a\n"),
            &["events.csv", "missing column(s) action", "the header has event_id, occurred_at, actor"],
        ),
        (
            "an unknown key",
            replace("pipeline.toml", "min_group_size = 5", "min_group_size = 5\ncolour = \"red\""),
            &["pipeline.toml:8", "colour"],
        ),
        (
            "an invalid rung condition",
            Edit {
                append: "\n[[ladder.rung]]\nname = \"Talkers\"\nwhen = \"replies >=\"\n\n[[ladder.rung]]\nname = \"Everyone else\"\n",
                ..replace("pipeline.toml", "\n", "\n")
            },
            &["Talkers", "line 18", "replies >="],
        ),
    ];
    for (what, edit, expected) in cases {
        let dir = copy_fixture("tiny");
        let file = dir.path().join(edit.file);
        let text = match edit.from {
            "" => edit.to.to_string(),
            from => read(&file).replace(from, edit.to),
        };
        std::fs::write(&file, text + edit.append).unwrap();
        let err = run_err(&dir.path().join("pipeline.toml"));
        for part in expected {
            assert!(err.contains(part), "{what}: no {part:?} in\n{err}");
        }
    }
}

#[test]
fn error_bad_as_of_is_explained() {
    engage()
        .args(["run", "x.toml", "--as-of", "31-01-2025"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("YYYY-MM-DD"));
}

#[test]
fn sample_is_deterministic_and_runs() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [&a, &b] {
        engage()
            .args([
                "sample", "--people", "60", "--months", "3", "--seed", "11", "--start", "2025-01",
                "--out",
            ])
            .arg(dir.path())
            .assert()
            .success();
    }
    for f in ["people.csv", "events.csv", "surveys.csv"] {
        assert_eq!(read(a.path().join(f)), read(b.path().join(f)), "{f}");
    }
    let pipeline = a.path().join("p.toml");
    std::fs::write(
        &pipeline,
        "[pipeline]\nname = \"s\"\ntimezone = \"Europe/Amsterdam\"\n\n[[source]]\nkind = \"events\"\npath = \"events.csv\"\n\n[people]\npath = \"people.csv\"\n\n[surveys]\npath = \"surveys.csv\"\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_ok(&pipeline, out.path(), &[]);
    let metrics = read(out.path().join("tables/period_metrics.csv"));
    assert_eq!(metrics.lines().count(), 4, "{metrics}");

    // Lifecycle identities on generated data: active = new + returning + resurrecting, and
    // dormant(p) = active(p-1) - returning(p).
    let active: Vec<u64> = metrics
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    let life: Vec<Vec<u64>> = csv_rows(&out.path().join("tables/lifecycle.csv"))
        .iter()
        .map(|l| l.split(',').skip(1).map(|v| v.parse().unwrap()).collect())
        .collect();
    for (i, row) in life.iter().enumerate() {
        assert_eq!(active[i], row[0] + row[1] + row[2], "{row:?}");
        if i > 0 {
            assert_eq!(row[3], active[i - 1] - row[1], "{row:?}");
        }
    }
}

#[test]
fn quarters_count_everyone_present_at_any_time_in_the_quarter() {
    let dir = copy_fixture("tiny");
    let pipeline = dir.path().join("pipeline.toml");
    std::fs::write(
        &pipeline,
        read(&pipeline).replace("period = \"month\"", "period = \"quarter\""),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_ok(&pipeline, out.path(), &[]);
    // 2025-Q1 runs 01-01..03-31: all seven roster people overlap it (gina is hired 03-01,
    // frank leaves 01-20); active: alice, bob, carol, dave, erin = 5 of 7.
    assert_eq!(
        participation(out.path()),
        "period,headcount,active,participation_rate\n2025-Q1,7,5,0.7142857142857143\n"
    );
    // Active days in the quarter: alice 10 Jan, 7 Feb; bob 10 Jan, 1 Feb; carol 11 Jan, 5 Feb;
    // erin 20 Jan; dave 3 Feb = 8 person-days over 90 days, / 5 active = 8/450.
    assert_eq!(
        pick(
            &read(out.path().join("tables/period_metrics.csv")),
            &["period", "stickiness"]
        ),
        format!("period,stickiness\n2025-Q1,{}\n", 8.0 / 450.0)
    );
}

#[test]
fn as_of_before_any_event_is_an_error() {
    let out = tempfile::tempdir().unwrap();
    engage()
        .arg("run")
        .arg(fixture("tiny/pipeline.toml"))
        .arg("--out")
        .arg(out.path())
        .args(["--as-of", "2024-12-31"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains(
            "no events on or before the as-of day 2024-12-31",
        ));
}

/// The rows of a CSV output as lines, without the header.
fn csv_rows(path: &Path) -> Vec<String> {
    read(path).lines().skip(1).map(str::to_string).collect()
}

#[test]
fn rejected_rows_go_to_the_rejects_file_and_over_the_threshold_exit_2() {
    let dir = copy_fixture("tiny");
    std::fs::write(
        dir.path().join("events.csv"),
        "event_id,occurred_at,actor,action\ne1,2025-01-01T00:00:00Z,alice,post\ne2,2025-13-01T00:00:00Z,alice,view\ne3,yesterday,alice,view\ne4,2025-01-02T00:00:00Z,bob,like\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let err = run_code(&dir.path().join("pipeline.toml"), out.path(), 2);
    assert!(
        err.contains("events.csv: 3 of 4 rows rejected (75.0%)"),
        "{err}"
    );
    contains_all(&err, &["rejects/events.csv"]);
    // Everything was still written.
    assert_eq!(
        read(out.path().join("rejects/events.csv")),
        "file,location,raw,reason\n\
         events.csv,line 3,2025-13-01T00:00:00Z,unreadable timestamp\n\
         events.csv,line 4,yesterday,unreadable timestamp\n\
         events.csv,line 5,like,unknown action\n"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.path().join("manifest.json"))).unwrap();
    let events = &manifest["inputs"][0];
    assert_eq!(events["rows_read"], 4);
    assert_eq!(events["accepted"], 1);
    assert_eq!(events["rejected"], 3);
    assert_eq!(events["rejects_file"], "rejects/events.csv");
    assert!(out.path().join("report.html").exists());
}

#[test]
fn action_mapping_and_column_mapping_read_a_foreign_layout() {
    let dir = copy_fixture("tiny");
    // Another tool's export: other column names, its own action words, NDJSON.
    std::fs::write(
        dir.path().join("activity.ndjson"),
        "{\"id\": \"x1\", \"when\": \"2025-01-10T09:00:00Z\", \"who\": \"alice\", \"what\": \"Like\"}\n\
         {\"id\": \"x2\", \"when\": \"2025-01-11T09:00:00Z\", \"who\": \"bob\", \"what\": \"comment\"}\n",
    )
    .unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    let text = read(&pipeline).replace(
        "path = \"events.csv\"",
        "path = \"activity.ndjson\"\n\n[source.columns]\nevent_id = \"id\"\noccurred_at = \"when\"\nactor = \"who\"\naction = \"what\"\n\n[source.actions]\nLike = \"reaction\"\ncomment = \"reply\"",
    );
    std::fs::write(&pipeline, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    run_ok(&pipeline, out.path(), &[]);
    let act = activity(out.path());
    assert_eq!(
        cell(&act, "alice", "2025-01", "reactions"),
        AnyValue::UInt32(1)
    );
    assert_eq!(cell(&act, "bob", "2025-01", "replies"), AnyValue::UInt32(1));
}

// tests/fixtures/multi: the intranet events and the Slack, Stack Exchange and Viva Engage
// fixtures for a roster of alice and bob. alice is `alice` in the intranet, U1 in Slack and 11
// in Viva Engage (her email, matched case-insensitively) and 10 in the Q&A (through the
// identity map); bob is `bob@example.com` in the intranet, U2 in Slack and 12 in Viva Engage.
#[test]
fn several_sources_of_different_kinds_merge_into_people() {
    let out = tempfile::tempdir().unwrap();
    run_ok(&fixture("multi/pipeline.toml"), out.path(), &[]);
    let act = activity(out.path());
    // Periods run from 2024-01 (Q&A account 10 created) to 2025-02: 14 months x 2 people.
    assert_eq!(act.height(), 28);
    // 2024-03, Q&A: question post/1, comment/1, accepting answer 2 and editing it.
    assert_eq!(cell(&act, "alice", "2024-03", "posts"), AnyValue::UInt32(1));
    assert_eq!(
        cell(&act, "alice", "2024-03", "replies"),
        AnyValue::UInt32(1)
    );
    assert_eq!(
        cell(&act, "alice", "2024-03", "curations"),
        AnyValue::UInt32(2)
    );
    assert_eq!(cell(&act, "alice", "2024-01", "joins"), AnyValue::UInt32(1));
    // 2025-02 in Amsterdam: two Slack posts (just after midnight on 1 Feb) and an intranet view;
    // partners: bob (replied, reacted) and Slack's U3 (reacted, resolves to nobody).
    assert_eq!(cell(&act, "alice", "2025-02", "posts"), AnyValue::UInt32(2));
    assert_eq!(cell(&act, "alice", "2025-02", "views"), AnyValue::UInt32(1));
    assert_eq!(
        cell(&act, "alice", "2025-02", "distinct_partners"),
        AnyValue::UInt32(2)
    );
    assert_eq!(cell(&act, "bob", "2025-02", "replies"), AnyValue::UInt32(1));
    assert_eq!(
        cell(&act, "bob", "2025-02", "reactions"),
        AnyValue::UInt32(1)
    );
    assert_eq!(cell(&act, "bob", "2025-02", "visits"), AnyValue::UInt32(1));
    // Viva Engage: alice started thread 100 and answered bob's reply; bob's reply appears twice
    // in the export (an earlier edit version) and counts once. Both joined on 1-2 December.
    assert_eq!(cell(&act, "alice", "2025-01", "posts"), AnyValue::UInt32(1));
    assert_eq!(
        cell(&act, "alice", "2025-01", "replies"),
        AnyValue::UInt32(1)
    );
    assert_eq!(
        cell(&act, "alice", "2025-01", "distinct_partners"),
        AnyValue::UInt32(1)
    );
    assert_eq!(cell(&act, "bob", "2025-01", "replies"), AnyValue::UInt32(1));
    assert_eq!(cell(&act, "alice", "2024-12", "joins"), AnyValue::UInt32(1));
    assert_eq!(cell(&act, "bob", "2024-12", "joins"), AnyValue::UInt32(1));

    // Accounts that matched nobody: Slack U3 (a join and a reaction), Q&A 11 (an answer and a
    // join) and Q&A 12 (a bookmark and a close): 3 accounts, 2 events each, pseudonymised.
    let unresolved = csv_rows(&out.path().join("tables/unresolved_accounts.csv"));
    assert_eq!(unresolved.len(), 3, "{unresolved:?}");
    let mut sources: Vec<String> = unresolved
        .iter()
        .map(|r| r.split(',').next().unwrap().to_string())
        .collect();
    sources.sort();
    assert_eq!(sources, vec!["qa", "qa", "slack"]);
    assert!(unresolved.iter().all(|r| r.ends_with(",2")));
    let text = read(out.path().join("tables/unresolved_accounts.csv"));
    assert!(!text.contains("U3") && !text.contains(",11,") && !text.contains(",12,"));

    // Each source reconciles in the manifest, and rejects are written but under the threshold.
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.path().join("manifest.json"))).unwrap();
    for input in manifest["inputs"].as_array().unwrap().iter().take(4) {
        let n = |k: &str| input[k].as_u64().unwrap();
        assert_eq!(
            n("rows_read"),
            n("accepted") + n("duplicates") + n("excluded") + n("rejected"),
            "{input}"
        );
    }
    assert_eq!(manifest["inputs"][1]["rows_read"], 12);
    assert_eq!(manifest["inputs"][1]["rejected"], 3);
    assert_eq!(manifest["inputs"][2]["rows_read"], 20);
    assert_eq!(manifest["inputs"][3]["rows_read"], 11);
    assert_eq!(manifest["inputs"][3]["duplicates"], 1);
    assert_eq!(manifest["inputs"][3]["rejected"], 2);
    assert_eq!(manifest["unresolved_accounts"], 3);
    assert_eq!(csv_rows(&out.path().join("rejects/slack.csv")).len(), 3);
    assert_eq!(csv_rows(&out.path().join("rejects/qa.csv")).len(), 2);
}

#[test]
fn exclude_accounts_drops_and_counts_them() {
    let dir = copy_fixture("tiny");
    let pipeline = dir.path().join("pipeline.toml");
    std::fs::write(
        &pipeline,
        read(&pipeline).replace(
            "min_group_size = 5",
            "min_group_size = 5\nexclude_accounts = [\"carol\"]",
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_ok(&pipeline, out.path(), &[]);
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.path().join("manifest.json"))).unwrap();
    // carol's reply, its duplicate and her share: 3 rows; the duplicate is gone before dedup.
    assert_eq!(
        manifest["inputs"][0]["excluded_by_reason"]["excluded account"],
        3
    );
    assert_eq!(manifest["inputs"][0]["duplicates"], 0);
    assert_eq!(manifest["inputs"][0]["accepted"], 8);
}

// tests/fixtures/m365: a Viva Engage report (30 days to 2025-01-31: 6 rows, one deleted user,
// one concealed name, one unreadable count, one repeated row) and a Teams report (to
// 2025-02-28: 3 rows, one deleted, one impossible date). Roster: alice and bob.
#[test]
fn usage_reports_feed_the_activity_table_and_the_ladder() {
    let out = tempfile::tempdir().unwrap();
    run_ok(&fixture("m365/pipeline.toml"), out.path(), &[]);
    let act = activity(out.path());
    // January (Viva Engage): alice posted 2, liked 3, read 10; bob read 5.
    assert_eq!(cell(&act, "alice", "2025-01", "posts"), AnyValue::UInt32(2));
    assert_eq!(
        cell(&act, "alice", "2025-01", "reactions"),
        AnyValue::UInt32(3)
    );
    assert_eq!(
        cell(&act, "alice", "2025-01", "views"),
        AnyValue::UInt32(10)
    );
    assert_eq!(cell(&act, "bob", "2025-01", "views"), AnyValue::UInt32(5));
    // Counts give no days.
    assert_eq!(
        cell(&act, "alice", "2025-01", "active_days"),
        AnyValue::UInt32(0)
    );
    // February (Teams): bob posted 1 and replied 3; alice's row has an impossible date.
    assert_eq!(cell(&act, "bob", "2025-02", "posts"), AnyValue::UInt32(1));
    assert_eq!(cell(&act, "bob", "2025-02", "replies"), AnyValue::UInt32(3));
    assert_eq!(
        participation(out.path()),
        "period,headcount,active,participation_rate\n2025-01,2,2,1.0\n2025-02,2,1,0.5\n"
    );
    // The period totals tell the same story as the activity table: in January alice's 2 posts
    // and the concealed account's 1 (totals count every actor, in headcount or not, as they do
    // for events), in February bob's post and 3 replies. Usage reports carry no events.
    assert_eq!(
        pick(
            &read(out.path().join("tables/period_metrics.csv")),
            &["period", "posts", "replies"]
        ),
        "period,posts,replies\n2025-01,3,0\n2025-02,1,3\n"
    );
    let ladder = read(out.path().join("tables/ladder.csv"));
    assert!(
        ladder.contains("2025-01,Creators,Creators,1,0.5\n")
            && ladder.contains("2025-01,Spectators,Spectators,1,0.5\n"),
        "{ladder}"
    );
    assert!(
        ladder.contains("2025-02,Creators,Creators,1,0.5\n")
            && ladder.contains("2025-02,Inactives,Inactives,1,0.5\n"),
        "{ladder}"
    );

    // 9 rows = 4 accepted + 1 duplicate + 2 excluded (deleted users) + 2 rejected.
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.path().join("manifest.json"))).unwrap();
    let source = &manifest["inputs"][0];
    assert_eq!(source["rows_read"], 9);
    assert_eq!(source["accepted"], 4);
    assert_eq!(source["duplicates"], 1);
    assert_eq!(source["excluded"], 2);
    assert_eq!(source["rejected"], 2);
    assert_eq!(source["excluded_by_reason"]["deleted account"], 2);
    let rejects = read(out.path().join("rejects/m365.csv"));
    assert!(
        rejects.contains("VivaEngageActivityUserDetail.csv,line 6,"),
        "{rejects}"
    );
    contains_all(&rejects, &["unreadable Posted Count"]);
    assert!(
        rejects.contains(
            "TeamsUserActivityUserDetail.csv,line 4,2025-02-30,unreadable Report Refresh Date"
        ),
        "{rejects}"
    );
    // The concealed name resolves to nobody.
    assert_eq!(
        csv_rows(&out.path().join("tables/unresolved_accounts.csv")).len(),
        1
    );
    assert!(read(out.path().join("report.html"))
        .contains("usage reports give counts per person and window"));
}

#[test]
fn a_second_run_exits_75_naming_the_holder_and_a_stale_lock_is_taken_over() {
    let out = tempfile::tempdir().unwrap();
    let lock = out.path().join(".engage.lock");
    // pid 1 is always running: the lock is live.
    std::fs::write(&lock, r#"{"pid":1,"started_at":"2026-11-21T02:00:00Z"}"#).unwrap();
    let err = run_code(&fixture("tiny/pipeline.toml"), out.path(), 75);
    assert!(
        err.contains("process 1, started 2026-11-21T02:00:00Z"),
        "{err}"
    );
    assert!(!out.path().join("report.html").exists());

    // A pid above the kernel's maximum is never running: the lock is stale.
    std::fs::write(
        &lock,
        r#"{"pid":4194311,"started_at":"2026-11-21T02:00:00Z"}"#,
    )
    .unwrap();
    let err = run_code(&fixture("tiny/pipeline.toml"), out.path(), 0);
    assert!(
        err.contains("taking over the lock") && err.contains("4194311"),
        "{err}"
    );
    assert!(out.path().join("report.html").exists());
    assert!(!lock.exists(), "the run releases its lock");
}

#[test]
fn json_logs_are_one_object_per_line_and_quiet_is_silent() {
    let out = tempfile::tempdir().unwrap();
    let assert = engage()
        .args(["--log-format", "json", "run"])
        .arg(fixture("tiny/pipeline.toml"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let steps: Vec<&str> = lines.iter().map(|l| l["step"].as_str().unwrap()).collect();
    // Without a store of its own, the run says where its working store is.
    assert_eq!(
        steps,
        vec!["ingest", "store", "normalize", "metrics", "write", "run"]
    );
    // The ingest line counts the events file: 11 rows read, 11 events, none rejected.
    assert_eq!(lines[0]["counts"]["rows_read"], 11);
    assert_eq!(lines[0]["counts"]["rejected"], 0);
    assert!(lines
        .iter()
        .all(|l| l["level"] == "info" && l["timestamp"].is_string()));

    let out = tempfile::tempdir().unwrap();
    engage()
        .args(["run", "--quiet"])
        .arg(fixture("tiny/pipeline.toml"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .success()
        .stderr("");
    // Errors still show, as JSON when asked.
    let assert = engage()
        .args(["--quiet", "--log-format", "json", "run", "nope.toml"])
        .assert()
        .failure()
        .code(1);
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    let line: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(line["level"], "error");
    assert!(line["message"].as_str().unwrap().contains("nope.toml"));
}

#[test]
fn validate_checks_inputs_without_computing() {
    engage()
        .args(["validate"])
        .arg(fixture("multi/pipeline.toml"))
        .assert()
        .success()
        .stderr(
            predicate::str::contains("multi/pipeline.toml is valid")
                .or(predicate::str::contains("pipeline.toml is valid")),
        );
    let dir = copy_fixture("tiny");
    std::fs::write(
        dir.path().join("events.csv"),
        "event_id,occurred_at,actor\n",
    )
    .unwrap();
    engage()
        .arg("validate")
        .arg(dir.path().join("pipeline.toml"))
        .assert()
        .failure()
        .code(1)
        .stderr(
            predicate::str::contains("missing column(s) action")
                .and(predicate::str::contains("error: engage [validate]")),
        );
    assert!(!dir.path().join("out").exists(), "validate writes nothing");

    // A target whose deadline is no period fails validation with its line.
    let dir = copy_fixture("tiny");
    let pipeline = dir.path().join("pipeline.toml");
    let text = read(&pipeline)
        + "\n[[target]]\nname = \"goal\"\nmetric = \"reply_rate\"\nbaseline = \"2025-01\"\ntarget = 0.9\nby = \"next year\"\n";
    std::fs::write(&pipeline, text).unwrap();
    engage()
        .arg("validate")
        .arg(&pipeline)
        .assert()
        .failure()
        .code(1)
        .stderr(
            predicate::str::contains("target[1].by: \"next year\" is neither a period nor a date")
                .and(predicate::str::contains("pipeline.toml:21")),
        );
}

// Without a roster, a source's user list defines its people (README "Definitions"). The Viva Engage
// fixture lists 11 (joined 2024-12-01), 12 (2024-12-02) and 13 (no join date: pending, never
// joined, so no member: issue #36; before, 13 counted in every period, 3 instead of 2).
// December: 11 and 12 joined (active 2 of 2); January: 11 posted and replied, 12 replied.
#[test]
fn without_a_roster_a_user_list_defines_the_population() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("p.toml");
    std::fs::write(
        &pipeline,
        format!(
            "[pipeline]\nname = \"y\"\ntimezone = \"Europe/Amsterdam\"\nmax_reject_share = 0.5\n\n[[source]]\nkind = \"yammer\"\npath = \"{}\"\n",
            fixture("yammer/export").display()
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_ok(&pipeline, out.path(), &[]);
    assert_eq!(
        participation(out.path()),
        "period,headcount,active,participation_rate\n2024-12,2,2,1.0\n2025-01,2,2,1.0\n"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.path().join("manifest.json"))).unwrap();
    assert_eq!(manifest["population"], "user_list");
    assert!(read(out.path().join("report.html")).contains("the sources&#39; user lists"));
}

// A zero date from another system (1601-01-01, the Windows epoch) and a year typo (2999) are
// rejected with their event ids; the calendar stays January-February 2025.
#[test]
fn events_in_implausible_years_are_rejected_not_calendared() {
    let dir = copy_fixture("tiny");
    let mut text = read(dir.path().join("events.csv"));
    text.push_str(
        "z1,,1601-01-01T00:00:00Z,alice,view,,,,\r\nz2,,2999-05-01T00:00:00Z,bob,view,,,,\r\n",
    );
    std::fs::write(dir.path().join("events.csv"), text).unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    std::fs::write(
        &pipeline,
        read(&pipeline).replace(
            "min_group_size = 5",
            "min_group_size = 5\nmax_reject_share = 0.5",
        ),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_ok(&pipeline, out.path(), &[]);
    let rejects = csv_rows(&out.path().join("rejects/events.csv"));
    assert_eq!(rejects.len(), 2, "{rejects:?}");
    assert!(
        rejects[0].starts_with("events.csv,event_id z1,1601-01-01"),
        "{rejects:?}"
    );
    assert!(
        rejects[1].starts_with("events.csv,event_id z2,2999-05-01"),
        "{rejects:?}"
    );
    assert!(rejects
        .iter()
        .all(|r| r.ends_with(",date outside the years 1900-2199")));
    let metrics = read(out.path().join("tables/period_metrics.csv"));
    assert_eq!(metrics.lines().count(), 3, "{metrics}");
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.path().join("manifest.json"))).unwrap();
    assert_eq!(manifest["inputs"][0]["rows_read"], 13);
    assert_eq!(manifest["inputs"][0]["rejected"], 2);
    assert_eq!(manifest["inputs"][0]["accepted"], 10);
}

// The partial dump's missing files are named by validate (its log), and by a run in the
// manifest's notes for the source and in the report's data-quality notes.
#[test]
fn a_partial_stackexchange_dump_is_named_in_validate_the_manifest_and_the_report() {
    let votes = "The Stack Exchange dump has no Votes.xml";
    let history = "The Stack Exchange dump has no PostHistory.xml";
    let pipeline = fixture("stackexchange-partial/pipeline.toml");
    let assert = engage().arg("validate").arg(&pipeline).assert().success();
    let log = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    contains_all(&log, &[votes, history, "engage [validate] dump: "]);

    let out = tempfile::tempdir().unwrap();
    run_ok(&pipeline, out.path(), &[]);
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.path().join("manifest.json"))).unwrap();
    let notes = manifest["inputs"][0]["notes"].to_string();
    contains_all(&notes, &[votes, history]);
    contains_all(&read(out.path().join("report.md")), &[votes, history]);
}

// A Slack workspace without a roster: Ann posts in January 2025, Bo's first message is in
// February, Cy's in March. users.json gives no dates, so each counts from their first sign of
// life: headcount 1, 2, 3 (before, all three counted from January: 3, 3, 3).
#[test]
fn slack_headcount_without_a_roster_grows_as_people_appear() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    std::fs::create_dir_all(export.join("general")).unwrap();
    std::fs::write(
        export.join("users.json"),
        r#"[{"id": "U1", "name": "ann"}, {"id": "U2", "name": "bo"}, {"id": "U3", "name": "cy"}]"#,
    )
    .unwrap();
    std::fs::write(
        export.join("channels.json"),
        r#"[{"id": "C1", "name": "general"}]"#,
    )
    .unwrap();
    // 2025-01-15, 2025-02-15 and 2025-03-15 at noon UTC.
    for (day, user, ts) in [
        ("2025-01-15", "U1", "1736942400.000100"),
        ("2025-02-15", "U2", "1739620800.000100"),
        ("2025-03-15", "U3", "1742040000.000100"),
    ] {
        std::fs::write(
            export.join(format!("general/{day}.json")),
            format!(r#"[{{"type": "message", "user": "{user}", "text": "hi", "ts": "{ts}"}}]"#),
        )
        .unwrap();
    }
    let pipeline = dir.path().join("pipeline.toml");
    std::fs::write(
        &pipeline,
        "[pipeline]\nname = \"ws\"\n\n[[source]]\nkind = \"slack\"\npath = \"export\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    run_ok(&pipeline, &out, &[]);
    assert_eq!(
        pick(
            &read(out.join("tables/period_metrics.csv")),
            &["period", "headcount"]
        ),
        "period,headcount\n2025-01,1\n2025-02,2\n2025-03,3\n"
    );
}
