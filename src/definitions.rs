//! What every figure means, in one place: the report's definitions and docs/metrics.md are
//! both generated from this table (a test keeps the document in step), so the two can never
//! say different things. The contract itself is the metrics specification; this is its
//! reading for the people who use the figures.

/// One figure of period_metrics, explained.
pub struct Definition {
    /// The column name in tables/period_metrics.csv.
    pub name: &'static str,
    /// What it tells a communications manager, in one sentence.
    pub meaning: &'static str,
    /// How it is computed.
    pub formula: &'static str,
    /// Which sources can feed it.
    pub sources: &'static str,
}

const EVERY_SOURCE: &str = "every source, usage reports included";
const EVENT_SOURCES: &str =
    "sources with events (every kind except m365-usage, whose counts carry no content)";
const VIEW_SOURCES: &str = "sources that record who viewed what: an events file with `view` rows, or (for reach_rate) Viva Engage usage reports' read counts; Slack, Teams, Viva Engage and Discourse exports and Stack Exchange dumps carry no per-person views, so the figure stays empty";
const ROSTER: &str = "any event source plus a roster ([people]) with departments or roles";

/// Every period_metrics column, in the table's order.
pub const PERIOD_METRICS: [Definition; 28] = [
    Definition {
        name: "headcount",
        meaning: "How many people the network could reach this period: the denominator of every rate.",
        formula: "Roster people hired by the period's end and not gone before its start; without a roster the sources' user lists; without those, everyone seen up to the period's end.",
        sources: "a roster, user lists (Slack, Viva Engage, Discourse, Stack Exchange), or observed activity",
    },
    Definition {
        name: "active",
        meaning: "People who did anything at all on the network.",
        formula: "People in headcount with at least one event of any kind (or usage count) in the period.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "engaged",
        meaning: "People who did more than look: they posted, replied, reacted, shared or curated.",
        formula: "People in headcount with at least one post, reply, reaction, share or curation.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "contributors",
        meaning: "People who wrote something.",
        formula: "People in headcount with posts + replies >= 1.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "creators",
        meaning: "People who started a conversation.",
        formula: "People in headcount with posts >= 1.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "lurkers",
        meaning: "People who were there but only read or visited.",
        formula: "People in headcount who were active and not engaged.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "viewers",
        meaning: "People who saw content.",
        formula: "People in headcount with views >= 1; empty without view data.",
        sources: VIEW_SOURCES,
    },
    Definition {
        name: "posts",
        meaning: "Conversations started, by anyone (also people outside headcount).",
        formula: "Post events in the period, after bot exclusion.",
        sources: EVENT_SOURCES,
    },
    Definition {
        name: "replies",
        meaning: "Answers and comments written, by anyone.",
        formula: "Reply events in the period, after bot exclusion.",
        sources: EVENT_SOURCES,
    },
    Definition {
        name: "participation_rate",
        meaning: "The share of the organisation that used the network at all.",
        formula: "active / headcount.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "engagement_rate_of_reached",
        meaning: "Of the people who saw content, the share who also responded or contributed.",
        formula: "People with >= 1 view who are engaged / people with >= 1 view; empty without view data.",
        sources: VIEW_SOURCES,
    },
    Definition {
        name: "contribution_rate",
        meaning: "The share of the organisation that wrote something.",
        formula: "contributors / headcount.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "creation_rate",
        meaning: "The share of the organisation that started a conversation.",
        formula: "creators / headcount.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "lurker_share",
        meaning: "Of the people who showed up, the share who only read or visited.",
        formula: "lurkers / active.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "reach_rate",
        meaning: "The share of the organisation that content reached.",
        formula: "Distinct people with >= 1 view / headcount; empty without view data.",
        sources: VIEW_SOURCES,
    },
    Definition {
        name: "post_reach_median",
        meaning: "How many colleagues a typical post reaches.",
        formula: "Per post created in the period: distinct viewers other than its author within reach_window_days (default 30) after posting (views of the post or its thread); the median over posts, interpolated linearly.",
        sources: VIEW_SOURCES,
    },
    Definition {
        name: "post_reach_p90",
        meaning: "How far the best-read posts travel.",
        formula: "The 90th percentile of post reach (as post_reach_median), interpolated linearly.",
        sources: VIEW_SOURCES,
    },
    Definition {
        name: "leader_reach",
        meaning: "The share of the organisation that saw something from a leader or manager.",
        formula: "People in headcount with >= 1 view of content whose author has role leader or manager / headcount; empty without view data or roles.",
        sources: "view sources (see reach_rate) plus a roster with roles",
    },
    Definition {
        name: "stickiness",
        meaning: "How often active people come back: 1.0 would mean every active person every day.",
        formula: "Mean over the period's days (up to the as-of day) of people active that day / active in the period.",
        sources: EVENT_SOURCES,
    },
    Definition {
        name: "top1_share",
        meaning: "How much of the writing the most active 1% do.",
        formula: "Among active people ranked by contributions (ties by person id), the first ceil(n/100): their contributions / all contributions.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "top10_share",
        meaning: "How much of the writing the most active 10% do (90-9-1 expects about 0.9 or more).",
        formula: "As top1_share with the first ceil(n/10) people.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "gini",
        meaning: "How unequal contributions are: 0 when everyone writes as much, near 1 when one person writes everything.",
        formula: "Gini of contributions over headcount (zeros included): 2·Σ i·x_i / (n·Σ x) − (n+1)/n over ascending x; empty when nobody contributed.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "reply_rate",
        meaning: "The share of new conversations that someone answered.",
        formula: "Of posts created in the period, the share with a reply by another person (same thread) within reply_window_hours (default 168).",
        sources: EVENT_SOURCES,
    },
    Definition {
        name: "median_first_reply_hours",
        meaning: "How long people typically wait for an answer.",
        formula: "Median hours from post to its first reply by another person, over posts answered within the window.",
        sources: EVENT_SOURCES,
    },
    Definition {
        name: "unanswered_posts",
        meaning: "Conversations nobody picked up (recent posts may still be answered).",
        formula: "Posts created in the period with no reply by another person within reply_window_hours.",
        sources: EVENT_SOURCES,
    },
    Definition {
        name: "cross_department_share",
        meaning: "Whether the network connects departments or mirrors the org chart.",
        formula: "Of replies and reactions in the period where both people's departments are known, the share across departments.",
        sources: ROSTER,
    },
    Definition {
        name: "promotion_rate",
        meaning: "The share of people who moved up the engagement ladder since the last period.",
        formula: "Of people in headcount in this period and the one before, the share on a higher rung now.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "demotion_rate",
        meaning: "The share of people who moved down the ladder since the last period.",
        formula: "Of people in headcount in this period and the one before, the share on a lower rung now.",
        sources: EVERY_SOURCE,
    },
];

/// The definition of a period_metrics column.
pub fn of(name: &str) -> Option<&'static Definition> {
    PERIOD_METRICS.iter().find(|d| d.name == name)
}

/// docs/metrics.md.
pub fn markdown() -> String {
    let mut s = String::from(
        "# Metrics\n\n\
         <!-- Generated from src/definitions.rs; `ENGAGE_UPDATE_DOCS=1 cargo test --test docs` rewrites it. -->\n\n\
         Every figure in `tables/period_metrics.csv`, one row per period, with what it tells a\n\
         communications manager, how it is computed, and which sources can feed it. Rates divide by\n\
         headcount unless they say otherwise; a rate over nobody is empty, and so is a figure the\n\
         sources cannot support (the report then says why). Person figures count people in\n\
         headcount; content figures (posts, replies, reach, reply times, cross-department share)\n\
         count every event after bot exclusion, whoever the actor.\n\n",
    );
    for d in &PERIOD_METRICS {
        s.push_str(&format!(
            "## `{}`\n\n{}\n\n- **Formula:** {}\n- **Sources:** {}\n\n",
            d.name, d.meaning, d.formula, d.sources
        ));
    }
    s.push_str(
        "## Other tables\n\n\
         - `ladder.csv`: people and share of headcount on each rung (the first rung whose condition holds).\n\
         - `transitions.csv`: people in headcount in two consecutive periods, by rung before and after.\n\
         - `lifecycle.csv`: new (first activity ever), returning (active in the period before too),\n\
           resurrecting (active again after a gap) and dormant (active before, not now).\n\
         - `retention.csv`: for each cohort (period of first activity), the share active k periods later.\n\
         - `post_reach.csv`: per post, its pseudonymised author, space, period, viewers and hours to the first reply.\n\
         - `spaces.csv`: per space and period, distinct active people, contributors, posts, replies and viewers.\n\
         - `breakdown_<attribute>.csv`: the main rates and rung shares per roster group; any figure resting on\n\
           fewer than `min_group_size` people is empty, and so is the next smallest cell where a total would give\n\
           a lone empty cell away.\n\
         - `department_interactions.csv`: replies and reactions from one department to another; a cell is empty\n\
           when fewer than `min_group_size` people made it or either department is that small.\n\
         - `targets.csv`: each `[[target]]` with its baseline, current value, the value a straight line from\n\
           baseline to target expects now, and whether the current value is on track.\n\
         - `ambassadors.csv`: people on the ambassador rung or higher in each of the last `ambassador_periods`\n\
           periods whom at least `ambassador_min_partners` people replied or reacted to, ranked by distinct partners.\n\n\
         ## Outcomes (with a roster)\n\n\
         - `turnover.csv`: separations in the period / mean(headcount on its first day, headcount on its last day)\n\
           (SHRM); the voluntary variant counts `exit_kind = voluntary` only. Per group in `turnover_by_<attribute>.csv`.\n\
         - `attrition_by_rung.csv`: of the people on a rung in a period who have `horizon_periods` (default 6) later\n\
           periods in the data, the share with an exit date in those later periods.\n\
         - `retention_curves.csv`: Kaplan–Meier survival of employment by the rung in each person's first period in the\n\
           window; t counts periods (an exit in the first period is t = 1; people still employed are censored at the\n\
           window's end); the band is survival ± 1.96 Greenwood standard errors. `logrank.csv` tests whether the\n\
           curves differ (chi-squared on groups − 1 degrees of freedom).\n\
         - `satisfaction_by_team.csv`, `satisfaction_by_rung.csv`: mean score per team (or rung) and survey period;\n\
           eNPS = % of answers 9–10 minus % of answers 0–6.\n\
         - `outcome_correlations.csv`: for each outcome in its latest period (survey measures, team turnover over the\n\
           last `outcome_window_periods`, team KPIs), Spearman's rho across teams with at least `min_group_size`\n\
           people (and respondents) against the team's participation, contribution and reach rates and the share of\n\
           its person-periods on the top three rungs, pooled over the `outcome_window_periods` (default 3) ending with\n\
           the outcome's period. The interval is tanh(atanh(rho) ± 1.96·sqrt((1 + rho²/2)/(n − 3))) (Bonett–Wright);\n\
           p from t = rho·sqrt((n − 2)/(1 − rho²)) on n − 2 degrees of freedom, adjusted with Benjamini–Hochberg\n\
           within each outcome. These are associations between teams, not individual causation.\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_period_metric_is_defined_in_order() {
        let names: Vec<&str> = PERIOD_METRICS.iter().map(|d| d.name).collect();
        assert_eq!(names, crate::schema::PERIOD_METRICS.to_vec());
    }
}
