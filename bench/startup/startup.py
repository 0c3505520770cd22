#!/usr/bin/env python3
"""Start-up and idle figures for jitd serve (a benchmark, not a test).

Builds a state folder whose database holds N shifts (default 1,000,000: 2,000 staff on 40 units
over a year of history and the next two days), then starts the real daemon several times with
NOTIFY_SOCKET pointing at a datagram socket this script owns, and reports:

  * time from exec to READY=1 (database open and migrated, catalog loaded, inbox scanned, first plan)
  * resident memory (VmRSS) once idle, and its peak (VmHWM)
  * CPU used while idle, over --idle seconds (no busy polling: it should be ~0)
  * time from SIGTERM to exit

Usage: bench/startup/startup.py [--binary .build/release/jitd] [--shifts 1000000] [--runs 5] [--idle 30]
"""
import argparse, os, random, signal, socket, sqlite3, statistics, subprocess, sys, tempfile, time

p = argparse.ArgumentParser()
p.add_argument("--binary", default=".build/release/jitd")
p.add_argument("--shifts", type=int, default=1_000_000)
p.add_argument("--runs", type=int, default=5)
p.add_argument("--idle", type=float, default=30.0)
p.add_argument("--watchdog-usec", type=int, default=60_000_000, help="WATCHDOG_USEC, as WatchdogSec=60s sets it")
p.add_argument("--staff", type=int, default=2000, help="people in the roster")
p.add_argument("--units", type=int, default=40)
p.add_argument("--modules", type=int, default=8, help="modules in the catalog (what the first plan places)")
p.add_argument("--keep", action="store_true")
args = p.parse_args()

binary = os.path.abspath(args.binary)
if not os.access(binary, os.X_OK):
    sys.exit(f"{binary} is not built; run: swift build -c release --product jitd")
work = tempfile.mkdtemp(prefix="jitd-bench-")
os.makedirs(f"{work}/inbox")
open(f"{work}/token", "w").write("bench-token-0123456789abcdef\n")
open(f"{work}/catalog.toml", "w").write("".join(f"""
[[module]]
id = "module-{i}"
title = "Module {i}"
minutes = {5 + 5 * (i % 3)}
roles = ["RN"]
priority = "{['critical', 'high', 'normal', 'low'][i % 4]}"
published = "2026-01-01"
recur_days = 365
""" for i in range(args.modules)))
port = random.randint(20000, 40000)
units = [f"U{u:02d}" for u in range(args.units)]
open(f"{work}/jitd.toml", "w").write(f"""
[paths]
state = "state"
inbox = "inbox"
catalog = "catalog.toml"
[api]
listen = "127.0.0.1:{port}"
token_file = "token"
""" + "".join(f"""
[[coverage]]
unit = "{u}"
role = "RN"
min = {max(1, args.staff // args.units // 3 - 2)}
""" for u in units))

def env(notify):
    e = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_", "WATCHDOG_", "LISTEN_", "JOURNAL_"))}
    e.update(NOTIFY_SOCKET=notify, WATCHDOG_USEC=str(args.watchdog_usec), JITD_LOG_FORMAT="text", JITD_LOG_LEVEL="info")
    return e

def first_plan_ms(offset):
    """The first "planned in N ms" line the daemon logged after `offset` in jitd.log."""
    with open(f"{work}/jitd.log", "rb") as f:
        f.seek(offset)
        for line in f.read().decode(errors="replace").splitlines():
            if "planned in " in line:
                return float(line.split("planned in ")[1].split(" ms")[0])
    return float("nan")

def start(log):
    path = f"{work}/notify-{time.monotonic_ns()}.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    t0 = time.monotonic()
    proc = subprocess.Popen([binary, "serve", "--config", f"{work}/jitd.toml"], env=env(path), stdout=log, stderr=log)
    s.settimeout(120)
    while True:
        msg = s.recv(4096).decode()
        if "READY=1" in msg.split("\n"):
            return proc, time.monotonic() - t0, s, msg

def stop(proc):
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(60)
    return code, time.monotonic() - t0

def proc_status(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])  # kB

def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

log = open(f"{work}/jitd.log", "ab")
# 1. Let jitd create and migrate the database.
proc, _, s, _ = start(log); stop(proc); s.close()

# 2. Fill it: N shifts over the past year and the next two days.
print(f"filling {work}/state/jitd.sqlite with {args.shifts:,} shifts …", file=sys.stderr)
db = sqlite3.connect(f"{work}/state/jitd.sqlite")
now = int(time.time())
staff = [f"s{i:05d}" for i in range(args.staff)]
with db:
    db.execute("INSERT INTO inbox_file (name, sha256, kind, outcome, received_at, summary) VALUES ('bench.csv', 'x', 'roster', 'accepted', ?, '{}')", (now,))
    file_id = db.execute("SELECT max(id) FROM inbox_file").fetchone()[0]
    db.executemany("INSERT OR IGNORE INTO staff (staff_id, first_seen) VALUES (?, ?)", [(st, now - 400 * 86400) for st in staff])
    per_staff = args.shifts // len(staff)
    first_day = now // 86400 - per_staff + 2  # the last shifts reach into the next two days
    days = {}  # (unit, local day) -> [roster_day id, first start, last end], as jitd's roster writer keeps them
    def rows():
        for i, st in enumerate(staff):
            unit = units[i % len(units)]
            night = i % 3 == 0
            for k in range(per_staff):
                start = (first_day + k) * 86400 + (19 if night else 7) * 3600
                key = (unit, time.strftime("%Y-%m-%d", time.gmtime(start)))
                day = days.setdefault(key, [len(days) + 1, start, start + 12 * 3600])
                day[1], day[2] = min(day[1], start), max(day[2], start + 12 * 3600)
                yield (day[0], i * per_staff + k, st, "RN", unit, "shift", start, start + 12 * 3600, None)
    db.executemany('INSERT INTO shift (day_id, seq, staff_id, role, unit, kind, start, "end", name) VALUES (?,?,?,?,?,?,?,?,?)', rows())
    db.executemany("INSERT INTO roster_day (id, unit, local_day, file_id, first_start, last_end) VALUES (?,?,?,?,?,?)",
                   [(d[0], u, day, file_id, d[1], d[2]) for (u, day), d in days.items()])
count = db.execute("SELECT count(*) FROM shift").fetchone()[0]
db.close()
size = os.path.getsize(f"{work}/state/jitd.sqlite") / 2**20
print(f"database: {count:,} shifts, {size:.0f} MiB", file=sys.stderr)

# 3. Measure.
ready, plans, rss, hwm, cpu, stops = [], [], [], [], [], []
for run in range(args.runs):
    log.flush()
    offset = os.path.getsize(f"{work}/jitd.log")
    proc, t, s, msg = start(log)
    ready.append(t * 1000)
    plans.append(first_plan_ms(offset))
    time.sleep(2)  # let the first STATUS=, the API and the loops settle
    c0 = cpu_seconds(proc.pid)
    time.sleep(args.idle)
    cpu.append((cpu_seconds(proc.pid) - c0) / args.idle * 100)
    rss.append(proc_status(proc.pid, "VmRSS") / 1024)
    hwm.append(proc_status(proc.pid, "VmHWM") / 1024)
    code, st = stop(proc)
    stops.append(st * 1000)
    s.close()
    if code != 0:
        sys.exit(f"run {run}: exit {code}; see {work}/jitd.log")
    status = [l for l in msg.split("\n") if l.startswith("STATUS=")]
    print(f"run {run + 1}: READY=1 after {t * 1000:.0f} ms, of which the first plan {plans[-1]:.0f} ms ({status[0] if status else ''})", file=sys.stderr)

def fmt(xs, unit, digits=0):
    return f"median {statistics.median(xs):.{digits}f} {unit} (min {min(xs):.{digits}f}, max {max(xs):.{digits}f})"
print(f"shifts in the database     {count:,} ({size:.0f} MiB)")
print(f"start to READY=1           {fmt(ready, 'ms')}")
print(f"  of which the first plan  {fmt(plans, 'ms')}")
print(f"  the rest (open, migrate, snapshot, inbox, bind) {fmt([r - p for r, p in zip(ready, plans)], 'ms')}")
print(f"idle RSS                   {fmt(rss, 'MiB', 1)}; peak (VmHWM) {fmt(hwm, 'MiB', 1)}")
print(f"idle CPU over {args.idle:.0f} s          {fmt(cpu, '%', 3)}")
print(f"SIGTERM to exit            {fmt(stops, 'ms')}")
if not args.keep:
    subprocess.run(["rm", "-rf", work])
else:
    print(f"kept {work}")
