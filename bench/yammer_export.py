#!/usr/bin/env python3
"""A generated Viva Engage network data export for measuring the Messages.csv reader
(BENCHMARKS.md, "Viva Engage"): Users.csv and Messages.csv as the export writes them (every
field quoted, a BOM, '... UTC' times, one body in ten spanning two lines), replies to recent
threads. Usage: yammer_export.py <folder> [messages] [users]; zip the folder's files for the
zip case. Deterministic (a fixed seed)."""

import csv
import os
import random
import sys

USER_HEADER = ["id", "name", "email", "job_title", "location", "department", "api_url",
               "joined_at", "deleted_at", "state"]
MESSAGE_HEADER = ["id", "replied_to_id", "parent_id", "thread_id", "conversation_id",
                  "group_id", "group_name", "participants", "in_private_group",
                  "in_private_conversation", "sender_id", "sender_type", "sender_name",
                  "sender_email", "body", "api_url", "attachments", "deleted_by_id",
                  "deleted_by_type", "created_at", "deleted_at", "message_type"]
WORDS = ("the quarterly plan looks good let us meet about the new targets and celebrate our "
         "launch team sales results customer feedback").split()


def main(out, messages, users):
    random.seed(7)
    os.makedirs(out, exist_ok=True)
    with open(f"{out}/Users.csv", "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(USER_HEADER)
        for u in range(users):
            w.writerow([1000 + u, f"User {u}", f"u{u}@example.com", "", "", "", "",
                        "2023-01-02 08:00:00 UTC", "", "active"])
    with open(f"{out}/Messages.csv", "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(MESSAGE_HEADER)
        threads = []
        for i in range(messages):
            mid = 10_000_000 + i
            sender = 1000 + random.randrange(users)
            if threads and random.random() < 0.7:
                thread, replied = random.choice(threads[-2000:])
            else:
                thread, replied = mid, ""
                threads.append((mid, mid))
            day = 1 + i * 365 // messages
            month, mday = 1 + (day - 1) // 31, 1 + (day - 1) % 28
            body = " ".join(random.choice(WORDS) for _ in range(random.randint(20, 60)))
            if random.random() < 0.1:
                body = body[:40] + "\n" + body[40:]
            group = sender % 40
            w.writerow([mid, replied, replied, thread, "", str(7 + group), f"Group {group}", "",
                        "false", "false", sender, "user", f"User {sender - 1000}",
                        f"u{sender}@example.com", body,
                        f"https://www.yammer.com/api/v1/messages/{mid}", "", "", "",
                        f"2024-{month:02d}-{mday:02d} {i % 24:02d}:{i % 60:02d}:00 UTC", "",
                        "update"])


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    main(args[0], int(args[1]) if len(args) > 1 else 1_520_000,
         int(args[2]) if len(args) > 2 else 20_000)
