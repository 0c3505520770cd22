#!/usr/bin/env python3
"""Writes the shifts of a roster CSV (staff_id,role,unit,start,end) as a JSON roster, one entry a
line: {"shifts": [{"staff_id": …, "role": …, "unit": …, "start": …, "end": …}, …]}.

usage: to_json.py IN.csv OUT.json
"""
import csv
import json
import sys

src, out = sys.argv[1], sys.argv[2]
with open(src, newline="") as f, open(out, "w") as o:
    rows = csv.reader(f)
    header = next(rows)
    o.write('{"shifts": [\n')
    first = True
    for row in rows:
        o.write(("" if first else ",\n") + json.dumps(dict(zip(header, row)), separators=(", ", ": ")))
        first = False
    o.write("\n]}\n")
