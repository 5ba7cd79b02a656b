//! The facts about the inputs a report tells its reader (a source without views, timestamps
//! read in a time zone, rows outside the periods). The stages that find them say which fact
//! and with which values; the words, in every language, are the report's word table
//! (`render/words/notes.rs`), so a Dutch report shows no English note.

/// Which fact a note states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Say {
    /// Slack: no views.
    SlackNoViews,
    /// Slack: reactions are dated at their message, or at the reactor's first own message or
    /// join when that came later.
    SlackReactionsUndated,
    /// Slack: the export has no `users.json`.
    SlackNoUsers,
    /// Slack: `channels.json` could not be read and was ignored.
    SlackChannelsUnread,
    /// Slack: files with no messages, not read. Values: the files.
    SlackUnread,
    /// Slack: no account creation dates. Values: accounts without any sign of life.
    SlackNoCreation,
    /// Teams: no views.
    TeamsNoViews,
    /// Teams: messages that reply to themselves. Count: messages.
    TeamsOwnReply,
    /// Any export: replies whose post is not in the export. Count: replies.
    ReplyOutside,
    /// Teams: messages from chats. Count: messages.
    TeamsChats,
    /// Microsoft 365 usage reports: counts per window, not events.
    UsageCounts,
    /// Microsoft 365 usage reports: a window counts in the period of its last day.
    UsageWindows,
    /// Viva Engage: no views or likes.
    /// Viva Engage: files the export holds that are not read. Values: the files.
    YammerUnread,
    YammerNoViews,
    /// Discourse: no per-post views.
    DiscourseNoViews,
    /// Discourse: visits are days, dated at noon.
    DiscourseVisitDays,
    /// Discourse: no user_visits download, so no visits.
    DiscourseNoVisits,
    /// Stack Exchange: votes name no voter.
    StackNoVoter,
    /// Stack Exchange: view totals only.
    StackViewTotals,
    /// Stack Exchange: timestamps read as UTC.
    StackUtc,
    /// Stack Exchange: the dump lacks Comments.xml.
    StackNoComments,
    /// Stack Exchange: the dump lacks Votes.xml.
    StackNoVotes,
    /// Stack Exchange: the dump lacks Users.xml.
    StackNoUsers,
    /// Stack Exchange: the dump lacks PostHistory.xml.
    StackNoHistory,
    /// Timestamps without a zone read in the source's. Count: timestamps; values: file, zone.
    ZoneAssumed,
    /// How a zone that changes its clocks reads a doubled or skipped local time.
    ZoneClocks,
    /// Team results outside the periods. Count: rows; values: all, file, first, last.
    TeamResultsOutside,
    /// Survey answers outside the periods. Count: rows; values: all, file, first, last.
    SurveyAnswersOutside,
    /// KPI values outside the periods. Count: rows; values: all, file, first, last.
    KpiValuesOutside,
    /// Team results naming teams not on the roster. Count: rows; values: file.
    TeamResultsUnknownTeams,
    /// KPI values naming teams not on the roster. Count: rows; values: file.
    KpiValuesUnknownTeams,
    /// Survey answers from people without a team. Count: answers; values: file.
    SurveyAnswersWithoutTeam,
    /// A few events far from the rest stretch the report. Count: events; values: where they
    /// lie, the others' first and last period, the report's periods, first and last.
    SpanStretched,
}

impl Say {
    /// Every fact, for the word table's checks.
    pub const ALL: [Say; 33] = [
        Say::UsageCounts,
        Say::UsageWindows,
        Say::SlackNoViews,
        Say::SlackReactionsUndated,
        Say::SlackNoUsers,
        Say::SlackChannelsUnread,
        Say::SlackUnread,
        Say::SlackNoCreation,
        Say::TeamsNoViews,
        Say::TeamsOwnReply,
        Say::ReplyOutside,
        Say::TeamsChats,
        Say::YammerNoViews,
        Say::YammerUnread,
        Say::DiscourseNoViews,
        Say::DiscourseVisitDays,
        Say::DiscourseNoVisits,
        Say::StackNoVoter,
        Say::StackViewTotals,
        Say::StackUtc,
        Say::StackNoComments,
        Say::StackNoVotes,
        Say::StackNoUsers,
        Say::StackNoHistory,
        Say::ZoneAssumed,
        Say::ZoneClocks,
        Say::TeamResultsOutside,
        Say::SurveyAnswersOutside,
        Say::KpiValuesOutside,
        Say::TeamResultsUnknownTeams,
        Say::KpiValuesUnknownTeams,
        Say::SurveyAnswersWithoutTeam,
        Say::SpanStretched,
    ];
}

/// One fact and its values: `count` chooses between the singular and plural wording and is
/// the first value shown when the fact counts something.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Note {
    pub say: Say,
    pub count: Option<u64>,
    pub values: Vec<String>,
}

impl Note {
    /// A fact without values.
    pub fn plain(say: Say) -> Note {
        Note {
            say,
            count: None,
            values: Vec::new(),
        }
    }

    /// A fact with values.
    pub fn with(say: Say, values: &[&str]) -> Note {
        Note {
            say,
            count: None,
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    /// A fact about `count` things, with further values.
    pub fn counting(say: Say, count: u64, values: &[&str]) -> Note {
        Note {
            count: Some(count),
            ..Note::with(say, values)
        }
    }
}
