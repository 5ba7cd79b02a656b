#!/usr/bin/env python3
"""The activity table, the Forrester ladder and the participation part of period_metrics in
DuckDB SQL over the same events and roster that `engage run` reads, timed the same way.
Usage: duckdb_equivalent.py <bench folder> [store|file]: the store's partitions (default) or
the single export file `export.parquet`. Prints the wall seconds and a check line."""

import sys
import time

import duckdb

SQL = """
WITH ev AS (
  SELECT actor, action, target_actor,
         CAST(occurred_at AS DATE) AS day,
         year(occurred_at) * 12 + month(occurred_at) - 1 AS period_key
  FROM read_parquet('{events}', hive_partitioning = false)),
months AS (SELECT DISTINCT period_key FROM ev),
pop AS (SELECT person_id AS person, m.period_key FROM read_csv_auto('{people}') CROSS JOIN months m),
counts AS (
  SELECT actor, period_key,
         SUM(CASE WHEN action = 'post' THEN 1 ELSE 0 END) AS posts,
         SUM(CASE WHEN action = 'reply' THEN 1 ELSE 0 END) AS replies,
         SUM(CASE WHEN action = 'reaction' THEN 1 ELSE 0 END) AS reactions,
         SUM(CASE WHEN action = 'share' THEN 1 ELSE 0 END) AS shares,
         SUM(CASE WHEN action = 'view' THEN 1 ELSE 0 END) AS views,
         SUM(CASE WHEN action = 'visit' THEN 1 ELSE 0 END) AS visits,
         SUM(CASE WHEN action = 'join' THEN 1 ELSE 0 END) AS joins,
         SUM(CASE WHEN action = 'curate' THEN 1 ELSE 0 END) AS curations,
         COUNT(DISTINCT day) AS active_days
  FROM ev WHERE actor IS NOT NULL GROUP BY actor, period_key),
ties AS (
  SELECT actor AS person, period_key, target_actor AS partner FROM ev
   WHERE action IN ('reply', 'reaction') AND actor <> target_actor
  UNION ALL
  SELECT target_actor, period_key, actor FROM ev
   WHERE action IN ('reply', 'reaction') AND actor <> target_actor),
partners AS (SELECT person, period_key, COUNT(DISTINCT partner) AS distinct_partners
             FROM ties GROUP BY person, period_key),
activity AS (
  SELECT p.person, p.period_key,
         COALESCE(c.posts, 0) AS posts, COALESCE(c.replies, 0) AS replies,
         COALESCE(c.reactions, 0) AS reactions, COALESCE(c.shares, 0) AS shares,
         COALESCE(c.views, 0) AS views, COALESCE(c.visits, 0) AS visits,
         COALESCE(c.joins, 0) AS joins, COALESCE(c.curations, 0) AS curations,
         COALESCE(c.active_days, 0) AS active_days,
         COALESCE(t.distinct_partners, 0) AS distinct_partners
  FROM pop p
  LEFT JOIN counts c ON c.actor = p.person AND c.period_key = p.period_key
  LEFT JOIN partners t ON t.person = p.person AND t.period_key = p.period_key),
laddered AS (
  SELECT *,
    CASE WHEN posts >= 1 THEN 'Creators' WHEN replies >= 1 THEN 'Conversationalists'
         WHEN reactions >= 1 THEN 'Critics' WHEN shares + curations >= 1 THEN 'Collectors'
         WHEN joins >= 1 THEN 'Joiners' WHEN views + visits >= 1 THEN 'Spectators'
         ELSE 'Inactives' END AS rung,
    active_days > 0 AS active,
    posts + replies + reactions + shares + curations > 0 AS engaged,
    posts + replies >= 1 AS contributor
  FROM activity)
SELECT period_key, rung, COUNT(*) AS people,
       SUM(CASE WHEN active THEN 1 ELSE 0 END) AS active,
       SUM(CASE WHEN contributor THEN 1 ELSE 0 END) AS contributors
FROM laddered GROUP BY period_key, rung ORDER BY period_key, rung
"""


def events(folder, kind):
    """The Parquet files engage reads for `kind` (store or file)."""
    return f"{folder}/export.parquet" if kind == "file" else f"{folder}/store/events/*/part-0.parquet"


def main():
    folder = sys.argv[1]
    kind = sys.argv[2] if len(sys.argv) > 2 else "store"
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    started = time.perf_counter()
    rows = con.execute(SQL.format(events=events(folder, kind), people=f"{folder}/people.csv")).fetchall()
    elapsed = time.perf_counter() - started
    people = sum(r[2] for r in rows)
    active = sum(r[3] for r in rows)
    print(f"{elapsed:.3f}")
    print(f"check: {len(rows)} period-rung rows, {people} person-periods, {active} active", file=sys.stderr)


if __name__ == "__main__":
    main()
