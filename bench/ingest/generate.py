#!/usr/bin/env python3
"""Writes a large roster CSV for the ingest benchmark: 2,000 staff on 40 units, one 12-hour shift
each a day (day staff 07:00-19:00, night staff 19:00-07:00, local times), day after day from 30
days ago until ROWS rows are written, crossing daylight-saving changes on the way.

usage: generate.py OUT.csv ROWS
"""
import datetime as dt
import sys

out, rows = sys.argv[1], int(sys.argv[2])
staff = 2000
roles = ["RN"] * 7 + ["MD", "RT", "CNA"]
day0 = dt.date.today() - dt.timedelta(days=30)
with open(out, "w") as f:
    f.write("staff_id,role,unit,start,end\n")
    written, d = 0, 0
    while written < rows:
        date = day0 + dt.timedelta(days=d)
        nxt = (date + dt.timedelta(days=1)).isoformat()
        today = date.isoformat()
        lines = []
        for i in range(min(staff, rows - written)):
            if i % 2 == 0:
                start, end = f"{today}T07:00", f"{today}T19:00"
            else:
                start, end = f"{today}T19:00", f"{nxt}T07:00"
            lines.append(f"S{i:05d},{roles[i % len(roles)]},U{i % 40:02d},{start},{end}\n")
        f.writelines(lines)
        written += len(lines)
        d += 1
print(f"bench: wrote {out}: {rows} rows over {d} days", file=sys.stderr)
