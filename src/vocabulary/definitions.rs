//! What every figure means, in one place: the report's definitions and docs/metrics.md are
//! both generated from this table (a test keeps the document in step), so the two can never
//! say different things. The contract itself is the metrics specification; this is its
//! reading for the people who use the figures.

/// One figure of period_metrics, explained.
pub struct Definition {
    /// The column name in tables/period_metrics.csv.
    pub name: &'static str,
    /// Its name in the report, in English and in Dutch.
    pub label: &'static str,
    pub label_nl: &'static str,
    /// What it tells a communications manager, in Dutch.
    pub meaning_nl: &'static str,
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
        label: "Headcount",
        label_nl: "Aantal medewerkers",
        meaning_nl: "Hoeveel mensen het netwerk deze periode kon bereiken: de noemer van elk percentage.",
        meaning: "How many people the network could reach this period: the denominator of every rate.",
        formula: "Roster people hired by the period's end and not gone before its start; without a roster the sources' user lists; without those, everyone seen up to the period's end.",
        sources: "a roster, user lists (Slack, Viva Engage, Discourse, Stack Exchange), or observed activity",
    },
    Definition {
        name: "active",
        label: "Active people",
        label_nl: "Actieve mensen",
        meaning_nl: "Mensen die iets deden op het netwerk, wat dan ook.",
        meaning: "People who did anything at all on the network.",
        formula: "People in headcount with at least one event of any kind (or usage count) in the period.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "engaged",
        label: "Engaged people",
        label_nl: "Betrokken mensen",
        meaning_nl: "Mensen die meer deden dan kijken: ze plaatsten, antwoordden, reageerden, deelden of beheerden.",
        meaning: "People who did more than look: they posted, replied, reacted, shared or curated.",
        formula: "People in headcount with at least one post, reply, reaction, share or curation.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "contributors",
        label: "Contributors",
        label_nl: "Bijdragers",
        meaning_nl: "Mensen die iets schreven.",
        meaning: "People who wrote something.",
        formula: "People in headcount with posts + replies >= 1.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "creators",
        label: "Creators",
        label_nl: "Makers",
        meaning_nl: "Mensen die een gesprek begonnen.",
        meaning: "People who started a conversation.",
        formula: "People in headcount with posts >= 1.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "lurkers",
        label: "Lurkers",
        label_nl: "Meelezers",
        meaning_nl: "Mensen die er waren maar alleen lazen of langskwamen.",
        meaning: "People who were there but only read or visited.",
        formula: "People in headcount who were active and not engaged.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "viewers",
        label: "Viewers",
        label_nl: "Kijkers",
        meaning_nl: "Mensen die inhoud zagen.",
        meaning: "People who saw content.",
        formula: "People in headcount with views >= 1; empty without view data.",
        sources: VIEW_SOURCES,
    },
    Definition {
        name: "posts",
        label: "Posts",
        label_nl: "Berichten",
        meaning_nl: "Begonnen gesprekken, door wie dan ook (ook mensen buiten het personeelsbestand).",
        meaning: "Conversations started, by anyone (also people outside headcount).",
        formula: "Post events in the period, after bot exclusion, plus the posts that usage reports count for the period (they carry counts, not events).",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "replies",
        label: "Replies",
        label_nl: "Antwoorden",
        meaning_nl: "Geschreven antwoorden en opmerkingen, door wie dan ook.",
        meaning: "Answers and comments written, by anyone.",
        formula: "Reply events in the period, after bot exclusion, plus the replies that usage reports count for the period.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "participation_rate",
        label: "Participation rate",
        label_nl: "Deelnamegraad",
        meaning_nl: "Het deel van de organisatie dat het netwerk gebruikte.",
        meaning: "The share of the organisation that used the network at all.",
        formula: "active / headcount.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "engagement_rate_of_reached",
        label: "Engagement of those reached",
        label_nl: "Betrokkenheid van wie bereikt is",
        meaning_nl: "Van de mensen die inhoud zagen, het deel dat ook reageerde of bijdroeg.",
        meaning: "Of the people who saw content, the share who also responded or contributed.",
        formula: "People with >= 1 view who are engaged / people with >= 1 view; empty without view data.",
        sources: VIEW_SOURCES,
    },
    Definition {
        name: "contribution_rate",
        label: "Contribution rate",
        label_nl: "Bijdragegraad",
        meaning_nl: "Het deel van de organisatie dat iets schreef.",
        meaning: "The share of the organisation that wrote something.",
        formula: "contributors / headcount.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "creation_rate",
        label: "Creation rate",
        label_nl: "Makersgraad",
        meaning_nl: "Het deel van de organisatie dat een gesprek begon.",
        meaning: "The share of the organisation that started a conversation.",
        formula: "creators / headcount.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "lurker_share",
        label: "Lurker share",
        label_nl: "Aandeel meelezers",
        meaning_nl: "Van de mensen die langskwamen, het deel dat alleen las of keek.",
        meaning: "Of the people who showed up, the share who only read or visited.",
        formula: "lurkers / active.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "reach_rate",
        label: "Reach rate",
        label_nl: "Bereik",
        meaning_nl: "Het deel van de organisatie dat door inhoud bereikt werd.",
        meaning: "The share of the organisation that content reached.",
        formula: "Distinct people with >= 1 view / headcount; empty without view data.",
        sources: VIEW_SOURCES,
    },
    Definition {
        name: "post_reach_median",
        label: "Post reach (median)",
        label_nl: "Bereik per bericht (mediaan)",
        meaning_nl: "Hoeveel collega's een gewoon bericht bereikt.",
        meaning: "How many colleagues a typical post reaches.",
        formula: "Per post created in the period: distinct viewers other than its author within reach_window_days (default 30) after posting (views of the post or its thread); the median over posts, interpolated linearly.",
        sources: VIEW_SOURCES,
    },
    Definition {
        name: "post_reach_p90",
        label: "Post reach (90th percentile)",
        label_nl: "Bereik per bericht (90e percentiel)",
        meaning_nl: "Hoe ver de best gelezen berichten komen.",
        meaning: "How far the best-read posts travel.",
        formula: "The 90th percentile of post reach (as post_reach_median), interpolated linearly.",
        sources: VIEW_SOURCES,
    },
    Definition {
        name: "leader_reach",
        label: "Leader reach",
        label_nl: "Bereik van leidinggevenden",
        meaning_nl: "Het deel van de organisatie dat iets van een leidinggevende of manager zag.",
        meaning: "The share of the organisation that saw something from a leader or manager.",
        formula: "People in headcount with >= 1 view of content whose author has role leader or manager / headcount; empty without view data or roles.",
        sources: "view sources (see reach_rate) plus a roster with roles",
    },
    Definition {
        name: "stickiness",
        label: "Stickiness",
        label_nl: "Terugkeer",
        meaning_nl: "Hoe vaak actieve mensen terugkomen: 100% zou betekenen elke actieve persoon elke dag.",
        meaning: "How often active people come back: 100% would mean every active person every day.",
        formula: "Mean over the period's days (up to the as-of day) of people active that day / active in the period.",
        sources: EVENT_SOURCES,
    },
    Definition {
        name: "top1_share",
        label: "Top 1% share",
        label_nl: "Aandeel top 1%",
        meaning_nl: "Hoeveel van het schrijfwerk de actiefste 1% doet.",
        meaning: "How much of the writing the most active 1% do.",
        formula: "Among active people ranked by contributions (ties by person id), the first ceil(n/100): their contributions / all contributions.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "top10_share",
        label: "Top 10% share",
        label_nl: "Aandeel top 10%",
        meaning_nl: "Hoeveel van het schrijfwerk de actiefste 10% doet (90-9-1 verwacht 0,9 of meer).",
        meaning: "How much of the writing the most active 10% do (90-9-1 expects about 0.9 or more).",
        formula: "As top1_share with the first ceil(n/10) people.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "gini",
        label: "Gini coefficient",
        label_nl: "Gini-coëfficiënt",
        meaning_nl: "Hoe ongelijk de bijdragen zijn: 0 als iedereen evenveel schrijft, bijna 1 als één persoon alles schrijft.",
        meaning: "How unequal contributions are: 0 when everyone writes as much, near 1 when one person writes everything.",
        formula: "Gini of contributions over headcount (zeros included): 2·Σ i·x_i / (n·Σ x) − (n+1)/n over ascending x; empty when nobody contributed.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "reply_rate",
        label: "Reply rate",
        label_nl: "Antwoordgraad",
        meaning_nl: "Het deel van de nieuwe gesprekken dat iemand beantwoordde.",
        meaning: "The share of new conversations that someone answered.",
        formula: "Of posts created in the period, the share with a reply by another person (same thread) within reply_window_hours (default 168).",
        sources: EVENT_SOURCES,
    },
    Definition {
        name: "median_first_reply_hours",
        label: "Hours to first reply",
        label_nl: "Uren tot eerste antwoord",
        meaning_nl: "Hoe lang mensen gewoonlijk op een antwoord wachten.",
        meaning: "How long people typically wait for an answer.",
        formula: "Median hours from post to its first reply by another person, over posts answered within the window.",
        sources: EVENT_SOURCES,
    },
    Definition {
        name: "unanswered_posts",
        label: "Unanswered posts",
        label_nl: "Onbeantwoorde berichten",
        meaning_nl: "Gesprekken die niemand oppakte (recente berichten kunnen nog antwoord krijgen).",
        meaning: "Conversations nobody picked up (recent posts may still be answered).",
        formula: "Posts created in the period with no reply by another person within reply_window_hours.",
        sources: EVENT_SOURCES,
    },
    Definition {
        name: "cross_department_share",
        label: "Cross-department share",
        label_nl: "Aandeel tussen afdelingen",
        meaning_nl: "Of het netwerk afdelingen verbindt of het organigram volgt.",
        meaning: "Whether the network connects departments or mirrors the org chart.",
        formula: "Of replies and reactions in the period where both people's departments are known, the share across departments.",
        sources: ROSTER,
    },
    Definition {
        name: "promotion_rate",
        label: "Promotion rate",
        label_nl: "Stijgers",
        meaning_nl: "Het deel van de mensen dat sinds de vorige periode een trede hoger kwam.",
        meaning: "The share of people who moved up the engagement ladder since the last period.",
        formula: "Of people in headcount in this period and the one before, the share on a higher rung now.",
        sources: EVERY_SOURCE,
    },
    Definition {
        name: "demotion_rate",
        label: "Demotion rate",
        label_nl: "Dalers",
        meaning_nl: "Het deel van de mensen dat sinds de vorige periode een trede lager kwam.",
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
         <!-- Generated from src/vocabulary/definitions.rs; `ENGAGE_UPDATE_DOCS=1 cargo test --test it docs::` rewrites it. -->\n\n\
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
           fewer than `min_group_size` people (none included) is empty, and so is the next smallest cell wherever\n\
           the shown cells, subtracted from a total published anywhere, would give a hidden one away\n\
           (docs/privacy.md).\n\
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
           within each outcome. These are associations between teams, not individual causation.\n\n",
    );
    s.push_str(THEMES);
    s.push_str(PRACTICE);
    s
}

/// Self-report, campaigns and leadership (README "What people say, campaigns and leaders"), for docs/metrics.md.
const PRACTICE: &str = "\n## What people say, campaigns and leaders\n\n\
    - **self-reported rung** (with `[profile_survey]`): the pipeline's ladder applied to a\n\
      respondent's answers: `reads`, `reacts`, `comments`, `posts`, `shares` and `moderates` answered\n\
      `monthly`, `weekly` or `daily` count as one view, reaction, reply, post, share and curation\n\
      (`never` as none); active_days is 1 when any does; distinct_partners, visits and joins are 0.\n\
      Each respondent's latest answer is compared with the rung observed in the period holding its\n\
      `answered_at`. Left out and counted in the manifest (`excluded_by_reason`, earlier answers as\n\
      duplicates): respondents not on the roster, answers outside the report's periods, respondents\n\
      not in headcount in that period.\n\
    - `profile_vs_observed.csv`: people per self-reported × observed rung and their share of\n\
      respondents; a cell of fewer than `min_group_size` people (none included) is empty, and so is\n\
      the next smallest cell wherever the rows, columns and summary would give a hidden one away\n\
      (docs/privacy.md). `profile_summary.csv`: the respondents and the shares reporting a higher\n\
      rung (nearer the top) than observed, the same and a lower one, suppressed with the cells.\n\
    - `profile_by_<attribute>.csv` (the pipeline's `breakdowns`, or the department): per group, each\n\
      question (the self-reported rung first, the wish to contribute, any further column of the\n\
      survey) and answer, people and their share of the group's respondents, suppressed as above\n\
      with the group's respondents as the row's total.\n\
    - `ambassadors.csv` gains `self_reported_rung`, `wants_to_contribute` and `source`: `observed`\n\
      (a candidate), `both` (a candidate who answered yes) or `self-reported` (answered yes and was\n\
      observed below the ambassador rung in the survey's period; no rank).\n\
    - **campaign effect** (with `[[campaign]]`): weekly series (Monday-based weeks, complete weeks\n\
      of the report only) of participation_rate and contribution_rate (over the headcount of the\n\
      period holding the week's Thursday) and reply_rate (posts of the week answered by another\n\
      person within `reply_window_hours`), for the audience (`audience = { attribute = \"group\" }`)\n\
      or everyone. The window: up to 26 weeks before the start's week, and from it to 26 weeks after\n\
      the end's week, inside the data. Segmented regression by ordinary least squares,\n\
      y = b0 + b1·t + b2·after + b3·(t − t0)·after, t the week's number in the window and t0 the\n\
      start's week: `level_change` = b2, `slope_change` = b3 (per week), each with its 95% interval\n\
      from Student's t on n − 4 degrees of freedom and p-value. With an audience, `did` is d in\n\
      y = a + b·audience + c·after + d·audience·after over the audience's and everyone else's weeks.\n\
      At least 4 weeks with values are needed on each side; a group with fewer than `min_group_size`\n\
      people in a week of the window gives no figures. `campaigns.csv`: a row per campaign and\n\
      metric with its `status`; `campaign_weeks.csv`: the weekly series behind them.\n\
    - **leadership presence** (with a roster that gives `role`): per period, of the leaders and\n\
      managers in headcount, the shares active, contributing (a post or reply) and replying to\n\
      someone of another team (both teams known); the threads they started, their median reach\n\
      (distinct viewers, empty without view data) and how many were answered within the reply\n\
      window; the replies others made to their posts and replies. `leadership.csv`; every figure\n\
      of a period is empty when it had fewer than `min_group_size` leaders and managers, and each\n\
      figure is empty when the people it rests on are fewer (docs/privacy.md).\n";

/// The themes figures (README "Themes"), for docs/metrics.md.
const THEMES: &str = "## Themes (with `[themes] enabled = true`)\n\n\
    - **term**: a lower-cased word or two-word phrase of a post or reply. Before words are taken,\n\
      code blocks and inline code, HTML tags, Slack's `<…>` links and mentions, Teams' `<at>`\n\
      mentions (name included), HTML entities, links (`http://`, `https://`, `www.`), e-mail\n\
      addresses and `@`-mentions go; a word is a run of letters (inner hyphens and apostrophes\n\
      kept), and words with digits, emoji codes (`:tada:`), words shorter than 2 or longer than 40\n\
      characters and the stop words of every configured language (NLTK's English and Dutch lists,\n\
      engage's own list of each language's filler (modal and light verbs, hedges, time words)\n\
      and chat's (laughter, greetings, shorthand), plus `stop_words`) go. Each body is stemmed with Snowball in the configured language whose\n\
      stop words it uses most; a term is keyed by its stems and shown in its most used written\n\
      form. Two kept words that stood side by side (no punctuation, stop word or removed part\n\
      between them) make a phrase. A term that holds a word of a person's name (the roster's ids,\n\
      e-mail addresses and name columns; the exports' user lists and display names) is dropped.\n\
    - **mentions(t, p)**: uses of t in the bodies of period p; **people(t, p)**: distinct accounts\n\
      that used it. Per source, space and period these are all that is kept (bodies never are),\n\
      and only for terms at least `min_group_size` accounts used there, with each period's\n\
      mentions of all terms beside them. Across spaces a person counts once; across sources\n\
      `mentions` add up and `people` is the largest count of any one source, a lower bound of the\n\
      distinct people, so a term is never shown on a guess.\n\
    - **shown**: a term appears in period p (and space s, in `themes_by_space.csv`) only when\n\
      people >= `min_group_size`.\n\
    - **share(t, p)** = mentions(t, p) / mentions of all shown terms in p (in `themes_by_space.csv`:\n\
      of all shown terms of the space in p).\n\
    - **z(t, p)**: the rising score, the log-odds ratio with an informative Dirichlet prior (Monroe,\n\
      Colaresi and Quinn 2008) of t in p against the three periods before: with y the mentions of t,\n\
      n the mentions of every term (shown or not), and the prior α = mentions of t in the mean period (over all\n\
      periods, divided by their number; α0 = the mean period's mentions of every term),\n\
      δ = ln((y_p + α)/(n_p + α0 − y_p − α)) − ln((y_b + α)/(n_b + α0 − y_b − α)),\n\
      σ² = 1/(y_p + α) + 1/(y_b + α), z = δ/σ. Empty in a period with no earlier mentions.\n\
    - **distinctive(t, p)**: the same score with every other period as the baseline (y_b and n_b\n\
      the mentions in all other periods), so a word used all year scores low and a subject of\n\
      the month high; per space, the space against the period's other spaces (n the mentions of\n\
      the terms kept there). Empty with a single period (or space).\n\
    - `themes.csv`: per period the `top` most distinctive terms (by people where none is) and the\n\
      `top` terms with the highest positive z (`period, term, people, mentions, share,\n\
      distinctive, z`), most distinctive first; `themes_by_space.csv`: per period and space the\n\
      `top` most distinctive terms (`period, space, term, people, mentions, share,\n\
      distinctive`). The report shows the last period's most distinctive terms and its terms with\n\
      z >= 1.96. A first name many people write (of someone not on the roster or in a user list)\n\
      can still be a term: only the names engage is given are kept out.\n";

#[cfg(test)]
mod tests {

    // The column list is read from this table: docs/metrics.md name 28 figures, headcount
    // first and the demotion rate last, each once.
    #[test]
    fn the_period_metric_names_are_the_definitions_names() {
        let names = crate::vocabulary::PERIOD_METRICS;
        assert_eq!(names.len(), 28);
        assert_eq!(
            (names[0], names[9], names[27]),
            ("headcount", "participation_rate", "demotion_rate")
        );
        let mut unique = names.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 28);
    }
}
