#!/usr/bin/env python3
"""Server time of every console page for a 5,000-staff hospital, beside /healthz and the JSON
API in the same run.

    swift build -c release --product jitd
    python3 Tests/Browser/console_speed.py --jitd .build/release/jitd [--staff 5000] [--runs 30]

Generates the hospital (Tests/Browser/hospital.py), starts `jitd serve` on it, waits for the
first plan, signs in as an admin, then asks for each page `--runs` times one after another over
loopback. For each it prints the median and 95th percentile of the page's own time (the
`Server-Timing: page;dur=` the console sets: store reads, charts, templates) and of the whole
request as the client saw it (sign-in check, rendering, loopback).
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_test import Hospital, PASSWORDS  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jitd", default=".build/release/jitd")
    ap.add_argument("--staff", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=30)
    a = ap.parse_args()
    t = time.time()
    h = Hospital(os.path.abspath(a.jitd), staff=a.staff)
    print(f"hospital: {h.info['staff']} staff, {h.info['shifts']} shifts, {h.info['completions']} completions, "
          f"{len(h.info['units'])} units; ready and planned in {time.time() - t:.0f} s", file=sys.stderr)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", h.port)

        def request(method, path, body=None, headers=None):
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return r, data

        r, page = request("GET", "/signin")
        pre = re.search(r"jitd_signin=([^;]+)", r.getheader("Set-Cookie")).group(1)
        body = f"user=ada&password={PASSWORDS['ada'][1]}&csrf={pre}&next=/"
        r, _ = request("POST", "/signin", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"jitd_signin={pre}"})
        session = re.search(r"jitd_session=([^;]+)", r.getheader("Set-Cookie")).group(1)
        cookie = {"Cookie": f"jitd_session={session}"}
        token = {"Authorization": "Bearer console-test-token-0123456789"}
        unit, person = h.info["first_unit"], h.info["first_staff"]
        r, home = request("GET", "/", headers=cookie)
        day = re.search(r'name="day" type="date" value="([0-9-]+)"', home.decode()).group(1)
        targets = [
            ("baseline: /healthz", "/healthz", {}),
            ("baseline: JSON API, a unit's assignments", f"/v1/assignments?unit={unit}&limit=100", token),
            ("baseline: JSON API, module progress", "/v1/modules/sepsis-bundle-2026/progress", token),
            ("units (home)", "/", cookie),
            ("unit and day", f"/units/{unit}/{day}", cookie),
            ("modules", "/modules", cookie),
            ("module (burn-up, overdue)", "/modules/hand-hygiene-2026", cookie),
            ("module CSV export", "/modules/hand-hygiene-2026/export.csv", cookie),
            ("person", f"/people/{person}", cookie),
            ("publishing", "/publish", cookie),
            ("module form", "/publish/new", cookie),
            ("operations", "/ops", cookie),
        ]
        print(f"{'page':45} {'page ms p50':>11} {'p95':>7} {'request ms p50':>15} {'p95':>7} {'bytes':>8}")
        for name, path, headers in targets:
            pages, totals = [], []
            size = 0
            for _ in range(a.runs):
                t0 = time.perf_counter()
                r, data = request("GET", path, headers=headers)
                totals.append((time.perf_counter() - t0) * 1000)
                assert r.status == 200, f"{path}: {r.status}"
                size = len(data)
                m = re.search(r"dur=([0-9.]+)", r.getheader("Server-Timing") or "")
                if m:
                    pages.append(float(m.group(1)))

            def q(xs, p):
                return sorted(xs)[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")
            page_p50 = f"{statistics.median(pages):.1f}" if pages else "–"
            page_p95 = f"{q(pages, 0.95):.1f}" if pages else "–"
            print(f"{name:45} {page_p50:>11} {page_p95:>7} {statistics.median(totals):>15.1f} {q(totals, 0.95):>7.1f} {size:>8}")
    finally:
        h.stop()
        shutil.rmtree(h.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
