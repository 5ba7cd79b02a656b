//! The PySpark job: the queries of the event-scale step as Spark SQL, each written to give
//! exactly what the local engine's query gives when one part holds every period (see
//! `normalize::Events`), so the rest of the run cannot tell the two apart. The job is one
//! self-contained file: its settings and small tables baked in, pyspark its only import.

use super::Settings;
use crate::vocabulary::{handoff, Action, PeriodKind};

/// The whole job file.
pub fn text(settings: &Settings) -> String {
    let id = &settings.identity;
    let comment: String = settings
        .describe()
        .lines()
        .map(|l| format!("#   {l}\n"))
        .collect();
    let mut out = String::new();
    out.push_str(&format!(
        "#!/usr/bin/env python3\n\
         # The event-scale step of the engage pipeline \"{name}\", written by `engage spark-job`\n\
         # (engage {version}). It reads the pipeline's event store and writes, as Parquet, the\n\
         # tables the rest of the pipeline computes from on one machine:\n\
         #\n\
         #   spark-submit engage_job.py STORE_URI OUTPUT_URI\n\
         #   engage run PIPELINE.toml --aggregates OUTPUT_URI\n\
         #\n\
         # STORE_URI: the store (events/period=YYYY-MM/*.parquet, accounts.parquet, usage.parquet),\n\
         # a path or any URI Spark reads (s3a://, abfss://, dbfs:/, hdfs://). OUTPUT_URI: a folder\n\
         # per table. Spark SQL only: no Python UDFs, nothing beyond pyspark (Spark 3.5 or 4.x).\n\
         #\n\
         # Settings baked in (engage run --aggregates refuses tables made with other settings):\n\
         {comment}\n",
        name = settings.pipeline.replace('\n', " "),
        version = env!("CARGO_PKG_VERSION"),
    ));
    out.push_str("import sys\n\nfrom pyspark.sql import SparkSession\n\n");
    out.push_str(&format!(
        "SETTINGS = {}\nTIME_ZONE = {}\nFORMAT = {}\n",
        json(&settings.describe()),
        json(settings.timezone.name()),
        super::FORMAT
    ));
    out.push_str(&format!(
        "ROSTER_IDS = {}\nROSTER_EMAILS = {}\nIDENTITY_MAP = {}\nPREFIXED = {}\nLEADERS = {}\n\n",
        json(&id.ids),
        json(&id.emails),
        json(&id.map),
        json(&id.prefixed),
        json(&settings.leaders),
    ));
    out.push_str(SMALL);
    out.push_str("\nVIEWS = [\n");
    for (name, sql) in views(settings) {
        out.push_str(&format!("    ({name:?}, r\"\"\"{sql}\"\"\"),\n"));
    }
    out.push_str("]\n\nTABLES = [\n");
    for (name, sql) in tables(settings) {
        out.push_str(&format!("    ({name:?}, r\"\"\"{sql}\"\"\"),\n"));
    }
    out.push_str("]\n");
    out.push_str(
        &MAIN
            .replace("{usage}", handoff::USAGE)
            .replace("{accounts}", handoff::ACCOUNTS)
            .replace("{about}", handoff::ABOUT),
    );
    out
}

/// Lists and strings as JSON, which Python reads as its own literals.
fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// The small tables as views, from the lists above.
const SMALL: &str = r#"SMALL = [
    ("roster_ids", "person_id string", [[p] for p in ROSTER_IDS]),
    ("roster_emails", "email string, person_id string", ROSTER_EMAILS),
    ("identity_map", "source string, account string, person_id string", IDENTITY_MAP),
    ("prefixed_sources", "source string", [[s] for s in PREFIXED]),
    ("leaders", "person_id string", [[p] for p in LEADERS]),
]

CANONICAL = ["event_id", "source", "occurred_at", "actor", "action", "content_id",
             "thread_id", "target_actor", "space"]
ACCOUNTS_SCHEMA = "source string, account string, email string, joined date, deleted date"
UNFINISHED = "unfinished"
"#;

/// Reads the store, runs the views and tables in order, and writes `about` last, so that a
/// folder with `about` holds every table.
const MAIN: &str = r#"

def side_table(spark, store, name):
    """A table of the store beside the events, or None when the store has none."""
    try:
        return spark.read.parquet(store + "/" + name + ".parquet")
    except Exception as e:  # AnalysisException: PATH_NOT_FOUND
        if "PATH_NOT_FOUND" in str(e) or "does not exist" in str(e):
            return None
        raise


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: spark-submit engage_job.py STORE_URI OUTPUT_URI")
    store, out = argv[1].rstrip("/"), argv[2].rstrip("/")
    spark = SparkSession.builder.appName("engage event-scale step").getOrCreate()
    # Local days and periods in the pipeline's time zone; timestamps written as microseconds.
    spark.conf.set("spark.sql.session.timeZone", TIME_ZONE)
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    context = spark.sparkContext
    if context.master.startswith("local") and not context.getConf().contains(
            "spark.sql.shuffle.partitions"):
        # One machine: a few partitions per core rather than a cluster's 200.
        spark.conf.set("spark.sql.shuffle.partitions", str(2 * context.defaultParallelism))
    print("engage Spark job\n" + SETTINGS, flush=True)
    # Until every table is written, `about` says so: tables of an earlier run in the same
    # folder are never taken for this one's.
    spark.createDataFrame([[UNFINISHED, FORMAT]], "settings string, format int") \
        .coalesce(1).write.mode("overwrite").parquet(out + "/{about}")
    # Only the partitions' Parquet files (a store written before its catalogue has a .sha256 file beside each); the period=
    # column Spark infers from the folder names is dropped.
    events = spark.read.option("pathGlobFilter", "*.parquet").parquet(store + "/events")
    events.select(*CANONICAL).createOrReplaceTempView("stored_events")
    accounts = side_table(spark, store, "{accounts}")
    if accounts is None:
        accounts = spark.createDataFrame([], ACCOUNTS_SCHEMA)
    accounts.createOrReplaceTempView("store_accounts")
    for name, schema, rows in SMALL:
        spark.createDataFrame(rows, schema).createOrReplaceTempView(name)
    for name, sql in VIEWS:
        spark.sql(sql).createOrReplaceTempView(name)
    # Small and read by every table: computed once. (The events are not cached: on two
    # cores, caching ten million of them cost more than reading them again per table.)
    spark.sql("CACHE TABLE accounts_counted")
    spark.sql("CACHE TABLE account_mapping")
    for name, sql in TABLES:
        spark.sql(sql).write.mode("overwrite").parquet(out + "/" + name)
    accounts.write.mode("overwrite").parquet(out + "/{accounts}")
    usage = side_table(spark, store, "{usage}")
    if usage is not None:
        usage.write.mode("overwrite").parquet(out + "/{usage}")
    about = spark.createDataFrame([[SETTINGS, FORMAT]], "settings string, format int")
    about.coalesce(1).write.mode("overwrite").parquet(out + "/{about}")
    spark.stop()


if __name__ == "__main__":
    main(sys.argv)
"#;

/// The local calendar day is the session time zone's date of the UTC instant; the period
/// keys are the local engine's integer arithmetic (`normalize::periods::key_expr`).
fn period_key(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Month => "CAST(year(day) * 12 + month(day) - 1 AS INT)",
        PeriodKind::Quarter => "CAST(year(day) * 4 + quarter(day) - 1 AS INT)",
        // Weeks from Monday: 1970-01-01 was a Thursday; a floor division for days before it.
        PeriodKind::Week => "CAST((unix_date(day) + 3 - pmod(unix_date(day) + 3, 7)) DIV 7 AS INT)",
    }
}

/// The events in periods, the identity mapping (`normalize::identity::mapping`: the identity
/// map, then accounts that are roster ids, then emails; per account the first), and the
/// events with accounts replaced by people (`identity::apply`).
fn views(settings: &Settings) -> Vec<(&'static str, String)> {
    let cutoff = settings.cutoff.map_or(String::new(), |c| {
        format!("\n  WHERE occurred_at < timestamp_micros({c})")
    });
    let trim = |e: &str| format!(r"lower(regexp_replace({e}, '(?U)^\\s+|\\s+$', ''))");
    let person = |column: &str, m: &str| {
        format!(
            "CASE WHEN {m}.person_id IS NOT NULL THEN {m}.person_id\n\
             \x20   WHEN e.{column} IS NOT NULL AND p.source IS NOT NULL THEN concat(e.source, ':', e.{column})\n\
             \x20   ELSE e.{column} END AS {column}"
        )
    };
    vec![
        (
            "events_in_periods",
            format!(
                "SELECT d.*, {key} AS period_key\nFROM (SELECT e.*, to_date(occurred_at) AS day FROM stored_events e{cutoff}) d",
                key = period_key(settings.period)
            ),
        ),
        // identity::accounts_counted, before accounts are resolved; the accounts it names
        // are the ones the mapping needs.
        (handoff::ACCOUNTS_COUNTED, "SELECT source, actor AS account, period_key, COUNT(*) AS events, true AS `__actor`\nFROM events_in_periods GROUP BY source, actor, period_key\nUNION ALL\nSELECT source, target_actor, CAST(NULL AS INT), CAST(0 AS BIGINT), false\nFROM events_in_periods WHERE target_actor IS NOT NULL GROUP BY source, target_actor".into()),
        (
            "seen_accounts",
            "SELECT DISTINCT source, account FROM accounts_counted WHERE account IS NOT NULL".into(),
        ),
        (
            "account_mapping",
            format!(
                "SELECT source, account, person_id FROM (\n  SELECT *, row_number() OVER (PARTITION BY source, account ORDER BY rank, ord) AS n FROM (\n    SELECT source, account, person_id, 1 AS rank, 0 AS ord FROM identity_map\n    UNION ALL\n    SELECT s.source, s.account, s.account, 2, 0 FROM seen_accounts s\n      JOIN roster_ids r ON s.account = r.person_id\n    UNION ALL\n    SELECT a.source, a.account, m.person_id, 3, 0 FROM store_accounts a\n      JOIN roster_emails m ON {a_email} = m.email WHERE a.email IS NOT NULL\n    UNION ALL\n    SELECT s.source, s.account, m.person_id, 3, 1 FROM seen_accounts s\n      JOIN roster_emails m ON {s_email} = m.email WHERE s.account LIKE '%@%'))\nWHERE n = 1",
                a_email = trim("a.email"),
                s_email = trim("s.account"),
            ),
        ),
        (
            "events_resolved",
            format!(
                "SELECT /*+ BROADCAST(p), BROADCAST(ma), BROADCAST(mt) */ e.event_id, e.source, e.occurred_at,\n  {actor},\n  e.action, e.content_id, e.thread_id,\n  {target},\n  e.space, e.day, e.period_key\nFROM events_in_periods e\nLEFT JOIN prefixed_sources p ON p.source = e.source\nLEFT JOIN account_mapping ma ON ma.source = e.source AND ma.account = e.actor\nLEFT JOIN account_mapping mt ON mt.source = e.source AND mt.account = e.target_actor",
                actor = person("actor", "ma"),
                target = person("target_actor", "mt"),
            ),
        ),
        (
            "posts",
            "SELECT source, content_id AS post, actor AS author, space, occurred_at AS posted_at,\n  period_key, event_id AS `__event`\nFROM events_resolved WHERE action = 'post'".into(),
        ),
    ]
}

/// `1` for events of an action, for sums.
fn is(action: Action) -> String {
    format!("CASE WHEN action = '{}' THEN 1 ELSE 0 END", action.as_str())
}

/// The handed-on tables, each the local engine's query of the same name (see its file).
fn tables(settings: &Settings) -> Vec<(&'static str, String)> {
    // Counts per person and day first, then per period (the days counted as rows): cheaper
    // for Spark than a distinct count beside the sums, as for the local engine.
    let per_day: String = Action::ALL
        .iter()
        .map(|a| format!(",\n    SUM({}) AS {}", is(*a), a.count_column()))
        .collect();
    let counts: String = Action::ALL
        .iter()
        .map(|a| format!("  CAST(SUM({c}) AS INT) AS {c},\n", c = a.count_column()))
        .collect();
    let reply_us = settings.windows.reply_hours as i64 * 3_600_000_000;
    let reach_us = settings.windows.reach_days as i64 * 24 * 3_600_000_000;
    let (post, reply, view) = (is(Action::Post), is(Action::Reply), is(Action::View));
    let mut tables = vec![
        (handoff::ACCOUNTS_COUNTED, "SELECT * FROM accounts_counted".into()),
        // activity::event_aggregates in periods one part holds whole.
        (handoff::ACTIVITY, format!("SELECT actor, period_key, CAST(NULL AS DATE) AS day,\n{counts}  CAST(COUNT(*) AS INT) AS active_days\nFROM (\n  SELECT actor, period_key, day{per_day}\n  FROM events_resolved WHERE actor IS NOT NULL GROUP BY actor, period_key, day)\nGROUP BY actor, period_key")),
        // network::ties.
        (handoff::TIES, "SELECT actor, target_actor, period_key, CAST(COUNT(*) AS INT) AS interactions,\n  CAST(SUM(CASE WHEN action = 'reply' THEN 1 ELSE 0 END) AS INT) AS replies\nFROM events_resolved\nWHERE action IN ('reply', 'reaction') AND actor IS NOT NULL AND target_actor IS NOT NULL\nGROUP BY actor, target_actor, period_key".into()),
        // conversations::post_rows.
        (handoff::POSTS, "SELECT * FROM posts".into()),
        // conversations::post_partials: the first reply by someone else within the window.
        (handoff::FIRST_REPLIES, format!("SELECT p.source, p.post,\n  MIN(unix_micros(r.occurred_at) - unix_micros(p.posted_at)) AS `__first_reply_us`\nFROM posts p JOIN events_resolved r ON r.source = p.source AND r.thread_id = p.post\nWHERE p.post IS NOT NULL AND r.action = 'reply'\n  AND (p.author IS NULL OR r.actor IS NULL OR r.actor <> p.author)\n  AND unix_micros(r.occurred_at) >= unix_micros(p.posted_at)\n  AND unix_micros(r.occurred_at) <= unix_micros(p.posted_at) + {reply_us}\nGROUP BY p.source, p.post")),
        // conversations::post_partials: distinct viewers other than the author, counted.
        (handoff::VIEWERS, format!("SELECT source, post, CAST(NULL AS STRING) AS `__viewer`, CAST(COUNT(*) AS INT) AS `__viewers`\nFROM (\n  SELECT DISTINCT p.source, p.post, v.actor\n  FROM posts p JOIN events_resolved v\n    ON v.source = p.source AND coalesce(v.thread_id, v.content_id) = p.post\n  WHERE p.post IS NOT NULL AND v.action = 'view' AND v.actor IS NOT NULL\n    AND (p.author IS NULL OR v.actor <> p.author)\n    AND unix_micros(v.occurred_at) >= unix_micros(p.posted_at)\n    AND unix_micros(v.occurred_at) <= unix_micros(p.posted_at) + {reach_us})\nGROUP BY source, post")),
        // conversations::replies_per_period.
        (handoff::REPLIES, format!("SELECT period_key, CAST(SUM({reply}) AS INT) AS replies\nFROM events_resolved WHERE action = 'reply' GROUP BY period_key")),
        // network::leader_views.
        (handoff::LEADER_VIEWS, "SELECT v.actor AS person, v.period_key, CAST(COUNT(*) AS INT) AS `__reached`\nFROM events_resolved v LEFT SEMI JOIN leaders l ON v.target_actor = l.person_id\nWHERE v.action = 'view' AND v.actor IS NOT NULL GROUP BY v.actor, v.period_key".into()),
        // conversations::space_aggregates in periods one part holds whole.
        (handoff::SPACES, format!("SELECT source, space, period_key, CAST(NULL AS STRING) AS actor,\n  CAST(SUM(posts) AS INT) AS posts, CAST(SUM(replies) AS INT) AS replies,\n  CAST(NULL AS BOOLEAN) AS `__contributed`, CAST(NULL AS BOOLEAN) AS `__viewed`,\n  CAST(COUNT(actor) AS INT) AS active,\n  CAST(SUM(CASE WHEN contributed AND actor IS NOT NULL THEN 1 ELSE 0 END) AS INT) AS contributors,\n  CAST(SUM(CASE WHEN viewed AND actor IS NOT NULL THEN 1 ELSE 0 END) AS INT) AS reach\nFROM (\n  SELECT source, space, period_key, actor, SUM({post}) AS posts, SUM({reply}) AS replies,\n    MAX(action IN ('post', 'reply')) AS contributed, MAX({view}) = 1 AS viewed\n  FROM events_resolved WHERE space IS NOT NULL GROUP BY source, space, period_key, actor)\nGROUP BY source, space, period_key")),
        // Whether any source gives views.
        (handoff::ANY_VIEW, "SELECT action FROM events_resolved WHERE action = 'view' LIMIT 1".into()),
    ];
    if settings.weeks {
        // metrics::campaigns::weekly: per person and Monday-based week, whatever the period.
        tables.push((handoff::WEEKLY, format!("SELECT actor, {week} AS week, CAST(COUNT(*) AS INT) AS events,\n  CAST(SUM(CASE WHEN action IN ('post', 'reply') THEN 1 ELSE 0 END) AS INT) AS contributions\nFROM events_resolved WHERE actor IS NOT NULL GROUP BY actor, {week}", week = period_key(PeriodKind::Week))));
    }
    tables
}
