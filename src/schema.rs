//! The canonical vocabulary (metrics spec §1 and §3) that every stage shares, so that a column
//! or action name is spelled in exactly one place.

use std::fmt;

/// Columns of the canonical events table, in their canonical order.
pub mod event {
    pub const EVENT_ID: &str = "event_id";
    pub const SOURCE: &str = "source";
    pub const OCCURRED_AT: &str = "occurred_at";
    pub const ACTOR: &str = "actor";
    pub const ACTION: &str = "action";
    pub const CONTENT_ID: &str = "content_id";
    pub const THREAD_ID: &str = "thread_id";
    pub const TARGET_ACTOR: &str = "target_actor";
    pub const SPACE: &str = "space";

    /// Every canonical column, in order.
    pub const ALL: [&str; 9] = [
        EVENT_ID,
        SOURCE,
        OCCURRED_AT,
        ACTOR,
        ACTION,
        CONTENT_ID,
        THREAD_ID,
        TARGET_ACTOR,
        SPACE,
    ];
}

/// Columns of the HR roster.
pub mod person {
    pub const PERSON_ID: &str = "person_id";
    pub const EMAIL: &str = "email";
    pub const DEPARTMENT: &str = "department";
    pub const TEAM: &str = "team";
    pub const LOCATION: &str = "location";
    pub const MANAGER_ID: &str = "manager_id";
    pub const ROLE: &str = "role";
    pub const HIRE_DATE: &str = "hire_date";
    pub const EXIT_DATE: &str = "exit_date";
    pub const EXIT_KIND: &str = "exit_kind";

    pub const ALL: [&str; 10] = [
        PERSON_ID, EMAIL, DEPARTMENT, TEAM, LOCATION, MANAGER_ID, ROLE, HIRE_DATE, EXIT_DATE,
        EXIT_KIND,
    ];
}

/// Columns of person-level survey answers.
pub mod survey {
    pub const PERSON_ID: &str = "person_id";
    pub const ANSWERED_AT: &str = "answered_at";
    pub const MEASURE: &str = "measure";
    pub const SCORE: &str = "score";

    pub const ALL: [&str; 4] = [PERSON_ID, ANSWERED_AT, MEASURE, SCORE];
}

/// Columns of the activity table (one row per person in headcount and period).
pub mod activity {
    pub const PERSON: &str = "person";
    pub const PERIOD: &str = "period";
    pub const POSTS: &str = "posts";
    pub const REPLIES: &str = "replies";
    pub const REACTIONS: &str = "reactions";
    pub const SHARES: &str = "shares";
    pub const VIEWS: &str = "views";
    pub const VISITS: &str = "visits";
    pub const JOINS: &str = "joins";
    pub const CURATIONS: &str = "curations";
    pub const ACTIVE_DAYS: &str = "active_days";
    pub const CONTRIBUTIONS: &str = "contributions";
    pub const INTERACTIONS: &str = "interactions";
    pub const DISTINCT_PARTNERS: &str = "distinct_partners";
    pub const ACTIVE: &str = "active";
    pub const ENGAGED: &str = "engaged";
    pub const CONTRIBUTOR: &str = "contributor";
    pub const CREATOR: &str = "creator";
    pub const LURKER: &str = "lurker";
    pub const RUNG: &str = "rung";

    /// The counts a rung condition may refer to, in the order they appear in the table.
    pub const COUNTS: [&str; 12] = [
        POSTS,
        REPLIES,
        REACTIONS,
        SHARES,
        VIEWS,
        VISITS,
        JOINS,
        CURATIONS,
        ACTIVE_DAYS,
        CONTRIBUTIONS,
        INTERACTIONS,
        DISTINCT_PARTNERS,
    ];
}

/// The eight canonical actions (spec §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Post,
    Reply,
    Reaction,
    Share,
    View,
    Visit,
    Join,
    Curate,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Post,
        Action::Reply,
        Action::Reaction,
        Action::Share,
        Action::View,
        Action::Visit,
        Action::Join,
        Action::Curate,
    ];

    /// The value in the `action` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Post => "post",
            Action::Reply => "reply",
            Action::Reaction => "reaction",
            Action::Share => "share",
            Action::View => "view",
            Action::Visit => "visit",
            Action::Join => "join",
            Action::Curate => "curate",
        }
    }

    /// The activity-table column that counts this action.
    pub fn count_column(self) -> &'static str {
        match self {
            Action::Post => activity::POSTS,
            Action::Reply => activity::REPLIES,
            Action::Reaction => activity::REACTIONS,
            Action::Share => activity::SHARES,
            Action::View => activity::VIEWS,
            Action::Visit => activity::VISITS,
            Action::Join => activity::JOINS,
            Action::Curate => activity::CURATIONS,
        }
    }

    /// Whether the action counts towards "engaged" (spec §3).
    pub fn is_engagement(self) -> bool {
        matches!(
            self,
            Action::Post | Action::Reply | Action::Reaction | Action::Share | Action::Curate
        )
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The allowed values, for error messages.
    pub fn list() -> String {
        Action::ALL.map(Action::as_str).join(", ")
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// HR roles (spec §1 people).
pub const ROLES: [&str; 3] = ["employee", "manager", "leader"];

/// Exit kinds (spec §1 people).
pub const EXIT_KINDS: [&str; 3] = ["voluntary", "involuntary", "other"];

/// The columns of period_metrics after `period` (spec §4 and §5), in order: the counts behind
/// the rates, then the rates.
pub const PERIOD_METRICS: [&str; 28] = [
    "headcount",
    "active",
    "engaged",
    "contributors",
    "creators",
    "lurkers",
    "viewers",
    "posts",
    "replies",
    "participation_rate",
    "engagement_rate_of_reached",
    "contribution_rate",
    "creation_rate",
    "lurker_share",
    "reach_rate",
    "post_reach_median",
    "post_reach_p90",
    "leader_reach",
    "stickiness",
    "top1_share",
    "top10_share",
    "gini",
    "reply_rate",
    "median_first_reply_hours",
    "unanswered_posts",
    "cross_department_share",
    "promotion_rate",
    "demotion_rate",
];
