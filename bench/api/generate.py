#!/usr/bin/env python3
"""Fills a migrated jitd database with N assignments (default 1,000,000) for the API benchmark.

usage: generate.py DATABASE [N]

A year of history of a large hospital: 24 units, 6,000 staff, 40 modules, assignments of 5 to 30
minutes spread over the 365 days before now, all already over (so the planner of a daemon started
on the database leaves them alone). States: 60 % completed, 10 % notified, 5 % acknowledged,
10 % cancelled, 8 % expired, 7 % declined. Deterministic (seeded).
"""
import random
import sqlite3
import sys
import time

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
rng = random.Random(20261124)
now = int(time.time()) // 3600 * 3600
start = now - 365 * 86_400
units = [f"U{i:02d}" for i in range(24)]
states = ["completed"] * 60 + ["notified"] * 10 + ["acknowledged"] * 5 + ["cancelled"] * 10 + ["expired"] * 8 + ["declined"] * 7
reasons = {"cancelled": "roster_changed", "expired": "notification_late"}

def rows():
    for i in range(n):
        s = start + rng.randrange(0, 365 * 86_400 - 3600) // 300 * 300
        unit = units[rng.randrange(len(units))]
        staff = f"{unit}-{rng.randrange(250):03d}"
        state = states[rng.randrange(100)]
        yield (f"a_{i:016x}", staff, f"m{rng.randrange(40):02d}", unit, "RN" if rng.random() < 0.8 else "MD",
               s, s + 300 * rng.randrange(1, 7), None, state, reasons.get(state), s - 600, s + 600)

db = sqlite3.connect(path)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = OFF")
t = time.time()
with db:
    db.executemany('INSERT INTO assignment (id, staff_id, module_id, unit, role, start, "end", group_id, state, reason, created_at, updated_at) '
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())

db.close()
print(f"generate: {n} assignments in {time.time() - t:.1f} s over {len(units)} units, "
      f"{time.strftime('%Y-%m-%d', time.gmtime(start))} to {time.strftime('%Y-%m-%d', time.gmtime(now))}", file=sys.stderr)
