//! Conversations and content (docs/metrics.md): per post its reach (distinct viewers other than the
//! author within the reach window) and its first reply by someone else within the reply
//! window; per period the post and reply totals, reply rate, time to first reply, unanswered
//! posts and the reach percentiles; per space and period its activity. Content metrics count
//! every event after bot exclusion, whoever the actor, so these read the events.
//!
//! The per-post table is the second query whose cost grows with events. Its SQL equivalent:
//!
//! ```sql
//! WITH posts AS (SELECT source, content_id AS post, actor AS author, space, occurred_at AS posted_at, period_key
//!                FROM events WHERE action = 'post'),
//! first_reply AS (
//!   SELECT p.source, p.post, MIN(r.occurred_at) AS first_reply_at
//!   FROM posts p JOIN events r ON r.action = 'reply' AND r.source = p.source AND r.thread_id = p.post
//!   WHERE (r.actor IS DISTINCT FROM p.author OR p.author IS NULL)
//!     AND r.occurred_at BETWEEN p.posted_at AND p.posted_at + INTERVAL '168' HOUR
//!   GROUP BY 1, 2),
//! reach AS (
//!   SELECT p.source, p.post, COUNT(DISTINCT v.actor) AS viewers
//!   FROM posts p JOIN events v ON v.action = 'view' AND v.source = p.source
//!                              AND COALESCE(v.thread_id, v.content_id) = p.post
//!   WHERE v.actor IS NOT NULL AND (p.author IS NULL OR v.actor <> p.author)
//!     AND v.occurred_at BETWEEN p.posted_at AND p.posted_at + INTERVAL '30' DAY
//!   GROUP BY 1, 2)
//! SELECT posts.*, first_reply_at, viewers FROM posts LEFT JOIN first_reply USING (source, post)
//!   LEFT JOIN reach USING (source, post)
//! ```

use polars::prelude::*;

use super::{count_stacked, ratio};
use crate::normalize::{in_periods, stack, Events, PERIOD_KEY};
use crate::plan::Windows;
use crate::vocabulary::{event, handoff, Action};

const MICROS_PER_HOUR: i64 = 3_600_000_000;

fn is(action: Action) -> Expr {
    col(event::ACTION).eq(lit(action.as_str()))
}

fn micros(e: Expr) -> Expr {
    e.cast(DataType::Int64)
}

/// Someone other than the post's author (an unknown author or actor counts as someone else).
fn other_than_author(actor: &str) -> Expr {
    col("author")
        .is_null()
        .or(col(actor).is_null())
        .or(col(actor).neq(col("author")))
}

/// One row per post event: `source, post, author, space, posted_at, period_key,
/// first_reply_hours` (null when no one else replied within the window) and `viewers` (null
/// when the sources hold no view data).
#[cfg(test)] // The whole-data form the unit tests work figures on; runs gather a part at a time.
pub fn posts(events: LazyFrame, windows: Windows, views_known: bool) -> LazyFrame {
    let all = post_rows(events.clone());
    posts_from(
        all.clone(),
        post_partials(events, all, windows),
        views_known,
    )
}

/// The per-post table from every part of the events, in memory (a row per post): every post
/// first, then each part's replies and views matched to them (the reach window crosses parts).
pub fn gather_posts(
    events: &Events,
    windows: Windows,
    views_known: bool,
) -> PolarsResult<DataFrame> {
    let all = events
        .gather(handoff::POSTS, |part, _| post_rows(part))?
        .collect()?
        .lazy();
    // A part's replies and views answer posts of that part or earlier ones (never later: they
    // come after the post), so its partial results follow from those parts alone.
    let first_reply = events.gather_following(
        &format!("{} {windows:?}", handoff::FIRST_REPLIES),
        |part, _| post_partials(part, all.clone(), windows).first_reply,
    )?;
    let viewers = events
        .gather_following(&format!("{} {windows:?}", handoff::VIEWERS), |part, _| {
            post_partials(part, all.clone(), windows).viewers
        })?;
    let partials = PostPartials {
        first_reply,
        viewers,
    };
    posts_from(all, partials, views_known).collect()
}

/// One part's replies and views matched to the posts (see [`post_partials`]).
pub struct PostPartials {
    /// Per post the earliest reply by someone else (`__first_reply_us`).
    pub first_reply: LazyFrame,
    /// Distinct `source, post, __viewer` rows (`__viewers` null), or, where one query saw
    /// every view of a post (the Spark job), a row per post with `__viewers` counted and
    /// `__viewer` null.
    pub viewers: LazyFrame,
}

/// The post events of one part of the events (stacked over the parts: every post).
pub fn post_rows(events: LazyFrame) -> LazyFrame {
    events.filter(is(Action::Post)).select([
        col(event::SOURCE),
        col(event::CONTENT_ID).alias("post"),
        col(event::ACTOR).alias("author"),
        col(event::SPACE),
        col(event::OCCURRED_AT).alias("posted_at"),
        col(PERIOD_KEY),
        col(event::EVENT_ID).alias("__event"),
    ])
}

fn key() -> [Expr; 2] {
    [col(event::SOURCE), col("post")]
}

/// The replies and views of one part of the events matched to `posts` (every post, in
/// memory) within the windows, as partial results: per post the earliest reply by someone
/// else (`__first_reply_us`, a minimum over the parts), and the distinct `source, post,
/// __viewer` rows (counted over the stacked parts by [`posts_from`]).
pub fn post_partials(events: LazyFrame, posts: LazyFrame, windows: Windows) -> PostPartials {
    let keyed = || posts.clone().filter(col("post").is_not_null());
    let reply_window = lit(windows.reply_hours as i64 * MICROS_PER_HOUR);
    let replies = events
        .clone()
        .filter(is(Action::Reply).and(col(event::THREAD_ID).is_not_null()))
        .select([
            col(event::SOURCE),
            col(event::THREAD_ID).alias("post"),
            col(event::ACTOR).alias("__replier"),
            col(event::OCCURRED_AT).alias("__replied_at"),
        ]);
    let first_reply = keyed()
        .join(replies, key(), key(), JoinArgs::new(JoinType::Inner))
        .filter(
            other_than_author("__replier")
                .and(micros(col("__replied_at")).gt_eq(micros(col("posted_at"))))
                .and(micros(col("__replied_at")).lt_eq(micros(col("posted_at")) + reply_window)),
        )
        .group_by(key())
        .agg([micros(col("__replied_at") - col("posted_at"))
            .min()
            .alias("__first_reply_us")]);
    let reach_window = lit(windows.reach_days as i64 * 24 * MICROS_PER_HOUR);
    let views = events
        .filter(is(Action::View).and(col(event::ACTOR).is_not_null()))
        .select([
            col(event::SOURCE),
            coalesce(&[col(event::THREAD_ID), col(event::CONTENT_ID)]).alias("post"),
            col(event::ACTOR).alias("__viewer"),
            col(event::OCCURRED_AT).alias("__viewed_at"),
        ]);
    let viewers = keyed()
        .join(views, key(), key(), JoinArgs::new(JoinType::Inner))
        .filter(
            other_than_author("__viewer")
                .and(micros(col("__viewed_at")).gt_eq(micros(col("posted_at"))))
                .and(micros(col("__viewed_at")).lt_eq(micros(col("posted_at")) + reach_window)),
        )
        .group_by([col(event::SOURCE), col("post"), col("__viewer")])
        .agg([len().alias("__views")])
        .select([
            col(event::SOURCE),
            col("post"),
            col("__viewer"),
            lit(NULL).cast(DataType::UInt32).alias("__viewers"),
        ]);
    PostPartials {
        first_reply,
        viewers,
    }
}

/// The per-post table from every post and the stacked [`post_partials`] of every part.
pub fn posts_from(posts: LazyFrame, partials: PostPartials, views_known: bool) -> LazyFrame {
    let PostPartials {
        first_reply,
        viewers,
    } = partials;
    let first_reply = first_reply
        .group_by(key())
        .agg([col("__first_reply_us").min()]);
    let listed = count_stacked(
        viewers.clone(),
        &[event::SOURCE, "post"],
        "__viewer",
        "__viewers",
    );
    let counted = viewers.filter(col("__viewers").is_not_null()).select([
        col(event::SOURCE),
        col("post"),
        col("__viewers"),
    ]);
    let reach = stack(listed, counted).group_by(key()).agg([col("__viewers")
        .sum()
        .cast(DataType::UInt32)
        .alias("viewers")]);
    let viewers = if views_known {
        col("viewers").fill_null(lit(0u32))
    } else {
        lit(NULL).cast(DataType::UInt32).alias("viewers")
    };
    posts
        .join(first_reply, key(), key(), JoinArgs::new(JoinType::Left))
        .join(reach, key(), key(), JoinArgs::new(JoinType::Left))
        .with_columns([
            (col("__first_reply_us").cast(DataType::Float64) / lit(MICROS_PER_HOUR as f64))
                .alias("first_reply_hours"),
            viewers,
        ])
        .sort(
            [PERIOD_KEY, event::SOURCE, "posted_at", "__event"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .select([
            col(event::SOURCE),
            col("post"),
            col("author"),
            col(event::SPACE),
            col("posted_at"),
            col(PERIOD_KEY),
            col("first_reply_hours"),
            col("viewers"),
        ])
}

/// The posts and replies that usage reports count (they carry no events) added to the
/// totals; the reply figures stay over post events, the only posts whose replies are known.
fn with_usage_totals(per_period: LazyFrame, usage: Option<LazyFrame>) -> LazyFrame {
    let Some(usage) = usage else {
        return per_period;
    };
    let counted = |c: &str| col(c).fill_null(lit(0u32)).sum().cast(DataType::UInt32);
    let totals = usage.group_by([col(PERIOD_KEY)]).agg([
        counted("posts").alias("__usage_posts"),
        counted("replies").alias("__usage_replies"),
    ]);
    per_period
        .join(
            totals,
            [col(PERIOD_KEY)],
            [col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .with_columns([
            (col("posts").fill_null(lit(0u32)) + col("__usage_posts").fill_null(lit(0u32)))
                .alias("posts"),
            (col("replies").fill_null(lit(0u32)) + col("__usage_replies").fill_null(lit(0u32)))
                .alias("replies"),
            col("unanswered_posts").fill_null(lit(0u32)),
        ])
}

/// `period_key, posts, replies, post_reach_median, post_reach_p90, reply_rate,
/// median_first_reply_hours, unanswered_posts` for periods with any post or reply, from the
/// per-post table and the events; the posts and replies that usage reports count (`person,
/// period_key, posts, replies, ...`) add to the two totals.
#[cfg(test)] // The whole-data form the unit tests work figures on; runs gather a part at a time.
pub fn period_conversations(
    posts: LazyFrame,
    events: LazyFrame,
    usage: Option<LazyFrame>,
) -> LazyFrame {
    period_conversations_from(posts, replies_per_period(events), usage)
}

/// `period_key, replies`: one part's replies per period, a partial result that
/// [`period_conversations_from`] adds up over the parts.
pub fn replies_per_period(events: LazyFrame) -> LazyFrame {
    events
        .filter(is(Action::Reply))
        .group_by([col(PERIOD_KEY)])
        .agg([len().cast(DataType::UInt32).alias("replies")])
}

/// [`period_conversations`] from the stacked [`replies_per_period`] of every part.
pub fn period_conversations_from(
    posts: LazyFrame,
    replies: LazyFrame,
    usage: Option<LazyFrame>,
) -> LazyFrame {
    let replied = col("first_reply_hours").is_not_null();
    let per_post = posts.group_by([col(PERIOD_KEY)]).agg([
        len().cast(DataType::UInt32).alias("posts"),
        replied
            .clone()
            .sum()
            .cast(DataType::UInt32)
            .alias("__replied"),
        col("viewers")
            .cast(DataType::Float64)
            .quantile(lit(0.5), QuantileMethod::Linear)
            .alias("post_reach_median"),
        col("viewers")
            .cast(DataType::Float64)
            .quantile(lit(0.9), QuantileMethod::Linear)
            .alias("post_reach_p90"),
        col("first_reply_hours")
            .quantile(lit(0.5), QuantileMethod::Linear)
            .alias("median_first_reply_hours"),
    ]);
    let replies = replies
        .group_by([col(PERIOD_KEY)])
        .agg([col("replies").sum().cast(DataType::UInt32)]);
    let from_events = per_post
        .join(
            replies,
            [col(PERIOD_KEY)],
            [col(PERIOD_KEY)],
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .with_columns([
            col("posts").fill_null(lit(0u32)),
            col("__replied").fill_null(lit(0u32)),
            col("replies").fill_null(lit(0u32)),
        ])
        .with_columns([
            ratio(col("__replied"), col("posts")).alias("reply_rate"),
            (col("posts") - col("__replied")).alias("unanswered_posts"),
        ]);
    with_usage_totals(from_events, usage).select([
        col(PERIOD_KEY),
        col("posts"),
        col("replies"),
        col("post_reach_median"),
        col("post_reach_p90"),
        col("reply_rate"),
        col("median_first_reply_hours"),
        col("unanswered_posts"),
    ])
}

/// `source, space, period_key, active, contributors, posts, replies, reach` per space and
/// period with events: distinct actors, distinct posters or repliers, the two totals, and
/// distinct viewers (null without view data). Events without a space are left out.
#[cfg(test)] // The whole-data form the unit tests work figures on; runs gather a part at a time.
pub fn spaces(events: LazyFrame, views_known: bool) -> LazyFrame {
    spaces_from(space_aggregates(events, &[]), views_known)
}

const SPACE_KEY: [&str; 3] = [event::SOURCE, event::SPACE, PERIOD_KEY];
const SPACE_ACTOR: [&str; 4] = [event::SOURCE, event::SPACE, PERIOD_KEY, event::ACTOR];
/// The columns of [`spaces`], in order.
pub const SPACE_COLUMNS: [&str; 8] = [
    event::SOURCE,
    event::SPACE,
    PERIOD_KEY,
    "active",
    "contributors",
    "posts",
    "replies",
    "reach",
];
const PEOPLE: [&str; 3] = ["active", "contributors", "reach"];

/// Per space and period: the totals, and how many of the rows' actors are known, contributed
/// or viewed. Rows are one per actor (who may be null), so these are distinct counts.
fn per_space(per_actor: LazyFrame) -> LazyFrame {
    let known = || col(event::ACTOR).is_not_null();
    per_actor.group_by(SPACE_KEY.map(col)).agg([
        col("posts").sum().cast(DataType::UInt32),
        col("replies").sum().cast(DataType::UInt32),
        known().sum().cast(DataType::UInt32).alias(PEOPLE[0]),
        (col("__contributed").and(known()))
            .sum()
            .cast(DataType::UInt32)
            .alias(PEOPLE[1]),
        (col("__viewed").and(known()))
            .sum()
            .cast(DataType::UInt32)
            .alias(PEOPLE[2]),
    ])
}

/// The GROUP BYs behind [`spaces`] as a partial result over one part of the events: a row per
/// space, period and actor with the actor's posts and replies and whether they contributed or
/// viewed (`active`, `contributors`, `reach` null); in the `owned` periods, which no other
/// part has events of, already one row per space and period with those counts (actor null).
/// [`spaces_from`] finishes the stacked parts.
pub fn space_aggregates(events: LazyFrame, owned: &[i32]) -> LazyFrame {
    let per_actor = events
        .filter(col(event::SPACE).is_not_null())
        .group_by(SPACE_ACTOR.map(col))
        .agg([
            is(Action::Post).sum().cast(DataType::UInt32).alias("posts"),
            is(Action::Reply)
                .sum()
                .cast(DataType::UInt32)
                .alias("replies"),
            is(Action::Post)
                .or(is(Action::Reply))
                .max()
                .alias("__contributed"),
            is(Action::View).max().alias("__viewed"),
        ]);
    let columns = || {
        SPACE_KEY
            .iter()
            .chain(&[
                event::ACTOR,
                "posts",
                "replies",
                "__contributed",
                "__viewed",
            ])
            .chain(&PEOPLE)
            .map(|c| col(*c))
            .collect::<Vec<_>>()
    };
    let is_owned = in_periods(owned);
    let open = per_actor
        .clone()
        .filter(is_owned.clone().not())
        .with_columns(PEOPLE.map(|c| lit(NULL).cast(DataType::UInt32).alias(c)))
        .select(columns());
    if owned.is_empty() {
        return open;
    }
    let done = per_space(per_actor.filter(is_owned))
        .with_columns([
            lit(NULL).cast(DataType::String).alias(event::ACTOR),
            lit(NULL).cast(DataType::Boolean).alias("__contributed"),
            lit(NULL).cast(DataType::Boolean).alias("__viewed"),
        ])
        .select(columns());
    stack(done, open)
}

/// The per-space table from every part of the events: each part's [`space_aggregates`],
/// stacked in memory and finished by [`spaces_from`].
pub fn gather_spaces(events: &Events, views_known: bool) -> PolarsResult<LazyFrame> {
    let stacked = events.gather(handoff::SPACES, space_aggregates)?;
    Ok(spaces_from(stacked, views_known))
}

/// The per-space table from the stacked [`space_aggregates`] of every part.
pub fn spaces_from(stacked: LazyFrame, views_known: bool) -> LazyFrame {
    let counts = || {
        ["posts", "replies"]
            .iter()
            .chain(&PEOPLE)
            .map(|c| col(*c))
            .collect::<Vec<_>>()
    };
    let done = stacked.clone().filter(col(PEOPLE[0]).is_not_null()).select(
        SPACE_KEY
            .map(col)
            .into_iter()
            .chain(counts())
            .collect::<Vec<_>>(),
    );
    let open = per_space(
        stacked
            .filter(col(PEOPLE[0]).is_null())
            .group_by(SPACE_ACTOR.map(col))
            .agg([
                col("posts").sum(),
                col("replies").sum(),
                col("__contributed").max(),
                col("__viewed").max(),
            ]),
    );
    let reach = if views_known {
        col("reach")
    } else {
        lit(NULL).cast(DataType::UInt32).alias("reach")
    };
    stack(done, open)
        .group_by(SPACE_KEY.map(col))
        .agg(
            counts()
                .into_iter()
                .map(|c| c.sum().cast(DataType::UInt32))
                .collect::<Vec<_>>(),
        )
        .with_column(reach)
        .select(SPACE_COLUMNS.map(col))
        .sort(
            [PERIOD_KEY, event::SOURCE, event::SPACE],
            SortMultipleOptions::default(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testing::{events, f};

    const W: Windows = Windows {
        reach_days: 30,
        reply_hours: 168,
    };

    /// The events of the by-hand case below, one per line.
    #[rustfmt::skip]
    fn by_hand() -> LazyFrame {
        let s = Some("general");
        events(&[
            (Some("alice"), "post", 0.0, Some("P1"), Some("P1"), None, s, 1),
            (Some("alice"), "reply", 1.0, Some("r1"), Some("P1"), Some("alice"), s, 1),
            (Some("bob"), "reply", 2.0, Some("r2"), Some("P1"), Some("alice"), s, 1),
            (Some("carol"), "reply", 3.0, Some("r3"), Some("P1"), Some("alice"), s, 1),
            (Some("bob"), "view", 4.0, Some("P1"), Some("P1"), Some("alice"), s, 1),
            (Some("carol"), "view", 5.0, Some("P1"), Some("P1"), Some("alice"), s, 1),
            (Some("carol"), "view", 6.0, Some("P1"), Some("P1"), Some("alice"), s, 1),
            (Some("alice"), "view", 7.0, Some("P1"), Some("P1"), Some("alice"), s, 1),
            (Some("dave"), "view", 31.0 * 24.0, Some("P1"), Some("P1"), Some("alice"), s, 2),
            (Some("erin"), "view", -1.0, Some("P1"), None, Some("alice"), s, 1),
            (Some("bob"), "post", 10.0, Some("P2"), Some("P2"), None, None, 1),
            (Some("carol"), "reply", 179.0, Some("r9"), Some("P2"), Some("bob"), None, 1),
            (Some("alice"), "view", 180.0, Some("r9"), Some("P2"), Some("carol"), None, 1),
            (Some("carol"), "post", 20.0, Some("P3"), Some("P3"), None, s, 1),
            (Some("dave"), "reply", 188.0, Some("r4"), Some("P3"), Some("carol"), s, 1),
        ])
    }

    // Hours after 2025-01-01T00:00Z, all in period 1 unless said.
    //   P1 by alice at 0: alice answers herself at 1 (not another person), bob at 2 (first),
    //      carol at 3. Views: bob, carol twice, alice (the author), dave after 31 days (out of
    //      the window), erin one hour before the post (not after it) -> reach {bob, carol} = 2,
    //      first reply 2 h.
    //   P2 by bob at 10: carol replies 169 h later (outside 168 h) -> unanswered. alice views a
    //      reply of its thread (content r9, thread P2) -> reach 1.
    //   P3 by carol at 20: dave replies exactly 168 h later (the window includes its end) ->
    //      first reply 168 h; nobody views it -> reach 0.
    // Period 1: posts 3, replies 5 (every reply event), reply_rate 2/3, median first reply
    //   (2 + 168)/2 = 85, unanswered 1, reach [0, 1, 2]: median 1, p90 at rank 0.9·2 = 1.8 ->
    //   1 + 0.8·(2 − 1) = 1.8.
    #[test]
    fn reach_and_replies_by_hand() {
        let ev = by_hand();
        let posts = posts(ev.clone(), W, true).collect().unwrap();
        let viewers: Vec<Option<u32>> = posts
            .column("viewers")
            .unwrap()
            .u32()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(viewers, vec![Some(2), Some(1), Some(0)]);
        let first: Vec<Option<f64>> = posts
            .column("first_reply_hours")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(first, vec![Some(2.0), None, Some(168.0)]);

        let out = period_conversations(posts.lazy(), ev.clone(), None)
            .collect()
            .unwrap();
        assert_eq!(f(&out, 1, "posts"), Some(3.0));
        assert_eq!(f(&out, 1, "replies"), Some(5.0));
        assert_eq!(f(&out, 1, "reply_rate"), Some(2.0 / 3.0));
        assert_eq!(f(&out, 1, "median_first_reply_hours"), Some(85.0));
        assert_eq!(f(&out, 1, "unanswered_posts"), Some(1.0));
        assert_eq!(f(&out, 1, "post_reach_median"), Some(1.0));
        assert!((f(&out, 1, "post_reach_p90").unwrap() - 1.8).abs() < 1e-12);

        // Spaces: `general` in period 1 saw alice, bob, carol, dave (reply to P3), erin (view);
        // contributors alice, bob, carol, dave; posts P1, P3; replies r1-r3, r4; viewers bob,
        // carol, alice, erin. In period 2 only dave's late view.
        let spaces = spaces(ev, true).collect().unwrap();
        let row = |i: usize, c: &str| spaces.column(c).unwrap().get(i).unwrap().into_static();
        assert_eq!(spaces.height(), 2);
        assert_eq!(row(0, "active"), AnyValue::UInt32(5));
        assert_eq!(row(0, "contributors"), AnyValue::UInt32(4));
        assert_eq!(row(0, "posts"), AnyValue::UInt32(2));
        assert_eq!(row(0, "replies"), AnyValue::UInt32(4));
        assert_eq!(row(0, "reach"), AnyValue::UInt32(4));
        assert_eq!(row(1, "reach"), AnyValue::UInt32(1));
    }

    // Usage reports count 4 posts and 1 reply in period 1 (two rows, one without replies) and 2
    // posts in period 2, where there are no events: period 1 totals 3 + 4 = 7 posts and 5 + 1 =
    // 6 replies, period 2 2 posts and 0 replies; the reply figures stay over the 3 post events.
    #[test]
    fn usage_counts_add_to_the_posts_and_replies_totals() {
        let ev = by_hand();
        let posts = posts(ev.clone(), W, true).collect().unwrap();
        let usage = df!(
            "person" => ["u1", "u2", "u1"],
            PERIOD_KEY => [1i32, 1, 2],
            "posts" => [Some(3u32), Some(1), Some(2)],
            "replies" => [Some(1u32), None, None],
        )
        .unwrap()
        .lazy();
        let out = period_conversations(posts.lazy(), ev, Some(usage))
            .sort([PERIOD_KEY], SortMultipleOptions::default())
            .collect()
            .unwrap();
        assert_eq!(f(&out, 1, "posts"), Some(7.0));
        assert_eq!(f(&out, 1, "replies"), Some(6.0));
        assert_eq!(f(&out, 1, "reply_rate"), Some(2.0 / 3.0));
        assert_eq!(f(&out, 1, "unanswered_posts"), Some(1.0));
        assert_eq!(f(&out, 2, "posts"), Some(2.0));
        assert_eq!(f(&out, 2, "replies"), Some(0.0));
    }

    // A Slack-like export without views: reach is unknown, replies still count.
    #[test]
    fn without_views_reach_is_empty() {
        let ev = events(&[
            (Some("a"), "post", 0.0, Some("P"), Some("P"), None, None, 1),
            (
                Some("b"),
                "reply",
                0.5,
                Some("r"),
                Some("P"),
                Some("a"),
                None,
                1,
            ),
        ]);
        let posts = posts(ev.clone(), W, false).collect().unwrap();
        assert_eq!(posts.column("viewers").unwrap().null_count(), 1);
        let out = period_conversations(posts.lazy(), ev, None)
            .collect()
            .unwrap();
        assert_eq!(f(&out, 1, "post_reach_median"), None);
        assert_eq!(f(&out, 1, "reply_rate"), Some(1.0));
        assert_eq!(f(&out, 1, "median_first_reply_hours"), Some(0.5));
    }
}
