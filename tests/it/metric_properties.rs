//! Properties of the metrics that must hold on any data (issue: the full metrics suite),
//! checked on generated events and populations through the library's own stages.

use std::path::Path;

use engage::metrics::{activity, inequality, ladder, lifecycle};
use engage::normalize::{Events, PERIOD_KEY};
use engage::plan::{Ladder, Preset};
use polars::prelude::*;
use proptest::prelude::*;

const ACTIONS: [&str; 8] = [
    "post", "reply", "reaction", "share", "view", "visit", "join", "curate",
];
const PERIODS: i32 = 4;

/// Events `(person, action, period, day, target)` and who is in headcount per period.
fn frames(
    events: &[(u8, u8, u8, u8, u8)],
    present: &[bool],
    people: u8,
) -> (LazyFrame, LazyFrame, LazyFrame) {
    let person = |i: u8| format!("p{i}");
    let ev = df!(
        "actor" => events.iter().map(|e| person(e.0)).collect::<Vec<_>>(),
        "action" => events.iter().map(|e| ACTIONS[e.1 as usize % 8]).collect::<Vec<_>>(),
        "target_actor" => events.iter().map(|e| person(e.4)).collect::<Vec<_>>(),
        PERIOD_KEY => events.iter().map(|e| (e.2 as i32) % PERIODS).collect::<Vec<_>>(),
        "day" => events.iter().map(|e| (e.2 as i32 % PERIODS) * 31 + (e.3 as i32 % 28)).collect::<Vec<_>>(),
    )
    .unwrap()
    .lazy()
    .with_column(col("day").cast(DataType::Date));
    let mut who = Vec::new();
    let mut when = Vec::new();
    for p in 0..people {
        for k in 0..PERIODS {
            if present[(p as usize * PERIODS as usize + k as usize) % present.len()] {
                who.push(person(p));
                when.push(k);
            }
        }
    }
    let population = df!("person" => who, PERIOD_KEY => when).unwrap().lazy();
    let calendar = df!(
        PERIOD_KEY => (0..PERIODS).collect::<Vec<_>>(),
        "period" => (0..PERIODS).map(|k| format!("P{k}")).collect::<Vec<_>>(),
    )
    .unwrap()
    .lazy();
    (ev, population, calendar)
}

fn column_f64(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name)
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect()
}

fn column_str(df: &DataFrame, name: &str) -> Vec<String> {
    df.column(name)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap_or_default().to_string())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn metric_identities_hold_on_generated_data(
        events in prop::collection::vec((0u8..12, 0u8..8, 0u8..4, 0u8..28, 0u8..12), 0..120),
        present in prop::collection::vec(prop::bool::weighted(0.8), 1..60),
        pyramid in any::<bool>(),
    ) {
        let (ev, population, calendar) = frames(&events, &present, 12);
        let preset = Ladder::preset(if pyramid { Preset::Pyramid } else { Preset::Forrester });
        let compiled = ladder::compile(&preset, Path::new("p.toml")).unwrap();
        let act = ladder::assign(activity::activity_table(ev.clone(), population, None), &compiled)
            .collect()
            .unwrap();

        // Rung shares of a period with anyone in headcount sum to 1.
        let shares = ladder::rung_shares(act.clone().lazy(), calendar.clone(), &compiled.names)
            .group_by([col("period")])
            .agg([col("share").sum().alias("total"), col("people").sum().alias("people")])
            .collect()
            .unwrap();
        for (total, people) in column_f64(&shares, "total").into_iter().zip(column_f64(&shares, "people")) {
            if people.unwrap_or(0.0) > 0.0 {
                prop_assert!((total.unwrap() - 1.0).abs() < 1e-9, "shares sum to {total:?}");
            }
        }

        // Lifecycle: active = new + returning + resurrecting; dormant(p) = active(p-1) - returning(p).
        let first = lifecycle::first_activity(ev.clone());
        let life = lifecycle::lifecycle(act.clone().lazy(), first, calendar.clone()).collect().unwrap();
        let active_per = act
            .clone()
            .lazy()
            .group_by([col(PERIOD_KEY)])
            .agg([col("active").sum().cast(DataType::Float64).alias("active")]);
        let joined = life
            .lazy()
            .join(active_per, [col(PERIOD_KEY)], [col(PERIOD_KEY)], JoinArgs::new(JoinType::Left))
            .with_column(col("active").fill_null(lit(0.0)))
            .sort([PERIOD_KEY], Default::default())
            .collect()
            .unwrap();
        let (active, new, returning, resurrecting, dormant) = (
            column_f64(&joined, "active"),
            column_f64(&joined, "new"),
            column_f64(&joined, "returning"),
            column_f64(&joined, "resurrecting"),
            column_f64(&joined, "dormant"),
        );
        for i in 0..active.len() {
            prop_assert_eq!(active[i], Some(new[i].unwrap() + returning[i].unwrap() + resurrecting[i].unwrap()));
            if i > 0 {
                prop_assert_eq!(dormant[i], Some(active[i - 1].unwrap() - returning[i].unwrap()));
            }
        }

        // The transitions of a period pair sum to the people in headcount in both periods.
        let moves = ladder::transitions(act.clone().lazy(), calendar.clone(), &compiled.names)
            .group_by([col("to_period")])
            .agg([col("people").sum().cast(DataType::Float64)])
            .sort(["to_period"], Default::default())
            .collect()
            .unwrap();
        let persons = column_str(&act, "person");
        let keys: Vec<i32> = act.column(PERIOD_KEY).unwrap().i32().unwrap().into_no_null_iter().collect();
        let present_in = |k: i32| -> std::collections::BTreeSet<&String> {
            persons.iter().zip(&keys).filter(|(_, kk)| **kk == k).map(|(p, _)| p).collect()
        };
        for (label, people) in column_str(&moves, "to_period").iter().zip(column_f64(&moves, "people")) {
            let k: i32 = label[1..].parse().unwrap();
            let both = present_in(k).intersection(&present_in(k - 1)).count();
            prop_assert_eq!(people, Some(both as f64));
        }

        // 0 <= gini <= 1, and the top shares are shares.
        let ineq = inequality::inequality(act.lazy()).unwrap().collect().unwrap();
        for g in column_f64(&ineq, "gini").into_iter().flatten() {
            prop_assert!((-1e-12..=1.0 + 1e-12).contains(&g), "gini {g}");
        }
        for (t1, t10) in column_f64(&ineq, "top1_share").into_iter().zip(column_f64(&ineq, "top10_share")) {
            if let (Some(t1), Some(t10)) = (t1, t10) {
                prop_assert!(0.0 < t1 && t1 <= t10 + 1e-12 && t10 <= 1.0 + 1e-12);
            }
        }
    }
}

/// The activity table from events split into `parts` by hand, each holding `owned` periods
/// alone: the partial aggregates of each part, gathered and finished as a store run does.
fn from_parts(parts: Vec<LazyFrame>, owned: Vec<Vec<i32>>, population: LazyFrame) -> DataFrame {
    let gathered = activity::gather(&Events::with_owned(parts, owned)).unwrap();
    activity::from_aggregates(population, gathered.per_day, gathered.partners, None)
        .collect()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A run over a store computes the activity table's aggregates a month at a time and
    /// combines them. However the events are split into parts (here: any assignment, so the
    /// same person, day or partner turns up in several parts), the combined table equals the
    /// one computed from all events at once; and so it does when parts are whole periods
    /// that each part counts to the end itself (its owned periods).
    #[test]
    fn activity_from_parts_equals_activity_from_all_events(
        events in prop::collection::vec((0u8..12, 0u8..8, 0u8..4, 0u8..28, 0u8..12), 0..120),
        present in prop::collection::vec(prop::bool::weighted(0.8), 1..60),
        split in prop::collection::vec(0usize..3, 1..120),
    ) {
        let (ev, population, _) = frames(&events, &present, 12);
        let whole = activity::activity_table(ev.clone(), population.clone(), None)
            .collect()
            .unwrap();
        let indexed = ev.with_row_index("__i", None);
        let parts: Vec<LazyFrame> = (0..3u32)
            .map(|k| {
                let mine: Vec<u32> = (0..events.len() as u32)
                    .filter(|i| split[*i as usize % split.len()] as u32 == k)
                    .collect();
                indexed
                    .clone()
                    .filter(col("__i").is_in(lit(Series::new("m".into(), mine)).implode(false), false))
                    .drop(cols(["__i"]))
            })
            .collect();
        let none = vec![Vec::new(); parts.len()];
        let combined = from_parts(parts, none, population.clone());
        prop_assert!(whole.equals_missing(&combined), "{whole}\n{combined}");

        // Parts of whole periods: periods 0 and 2 in one, 1 and 3 in the other, each owned.
        let by_period: Vec<LazyFrame> = (0..2)
            .map(|k| indexed.clone().filter((col(PERIOD_KEY) % lit(2)).eq(lit(k))).drop(cols(["__i"])))
            .collect();
        let owned = vec![vec![0, 2], vec![1, 3]];
        let combined = from_parts(by_period, owned, population);
        prop_assert!(whole.equals_missing(&combined), "{whole}\n{combined}");
    }
}
