#!/usr/bin/env python3
"""Writes a roster CSV whose shifts started two hours ago, so that jitd can place training now.

usage: make-roster.py OUT.csv [UNIT...]
"""
import datetime as dt
import sys

out = sys.argv[1]
units = sys.argv[2:] or ["MICU", "5-West"]
now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
start = now - dt.timedelta(hours=2)
end = now + dt.timedelta(hours=10)
fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:00Z")
rows = ["staff_id,role,unit,start,end"]
for unit in units:
    tag = unit.lower().replace("-", "")
    for i in range(8):
        rows.append(f"{tag}-rn{i},RN,{unit},{fmt(start)},{fmt(end)}")
    for i in range(2):
        rows.append(f"{tag}-md{i},MD,{unit},{fmt(start)},{fmt(end)}")
with open(out + ".part", "w") as f:
    f.write("\n".join(rows) + "\n")
import os
os.replace(out + ".part", out)
print(f"wrote {out}: {len(rows) - 1} shifts {fmt(start)} – {fmt(end)}", file=sys.stderr)
