#!/usr/bin/env python3
"""Generates a hospital for the console's browser tests and speed figures: a jitd config with
a [console] section, a file catalog, a roster around now and a completions history.

usage: hospital.py DIR [--staff N] [--seed S] [--port P] [--webhook-port P]

Writes DIR/jitd.toml, DIR/catalog.d/modules.toml, DIR/secrets/{feeds,paging,api-token},
DIR/roster.csv and DIR/completions.csv (to drop into DIR/state/inbox), and prints a JSON
summary on standard output. Units hold about 250 staff each (5,000 staff: 20 units); each
person works a 12-hour day or night shift on most days from yesterday to three days ahead.
"""
import argparse
import base64
import datetime as dt
import json
import os
import random

ROLES = [("RN", 0.6), ("CNA", 0.25), ("MD", 0.15)]
UNIT_NAMES = ["MICU", "SICU", "5-West", "5-East", "6-West", "6-East", "ED", "PACU", "L&D", "NICU", "PICU", "Oncology",
              "Cardiology", "Neuro", "Ortho", "Telemetry", "Rehab", "Psych", "Burn", "Transplant"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--staff", type=int, default=240)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--port", type=int, default=8787)
    p.add_argument("--webhook-port", type=int, default=0, help="a receiver's port (0: no webhook endpoint)")
    a = p.parse_args()
    rng = random.Random(a.seed)
    d = a.dir
    os.makedirs(d + "/catalog.d", exist_ok=True)
    os.makedirs(d + "/secrets", exist_ok=True)
    os.makedirs(d + "/state/inbox", exist_ok=True)
    units = UNIT_NAMES[:max(2, min(len(UNIT_NAMES), round(a.staff / 250)))]
    zones = {u: ("America/Chicago" if i % 4 == 3 else "America/New_York") for i, u in enumerate(units)}

    def secret(name, text):
        path = f"{d}/secrets/{name}"
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
        return path

    secret("feeds", base64.b64encode(os.urandom(32)).decode())
    secret("api-token", "console-test-token-0123456789")
    secret("paging", "whsec_" + base64.b64encode(os.urandom(32)).decode())

    cfg = [
        "[site]", 'timezone = "America/New_York"',
        "[paths]", 'state = "state"', 'inbox = "state/inbox"', 'catalog = "catalog.d"',
        "[policy]", "horizon_hours = 48", "notify_lead_minutes = 10", "replan_interval_minutes = 5",
        "[api]", f'listen = "127.0.0.1:{a.port}"', 'token_file = "secrets/api-token"',
        "[console]", 'feed_secret_file = "secrets/feeds"', 'trusted_proxies = ["127.0.0.2/32"]', 'user_header = "X-Remote-User"',
    ]
    for u in units:
        if zones[u] != "America/New_York":
            cfg += ["[[unit]]", f'name = "{u}"', f'timezone = "{zones[u]}"']
    per_unit = max(1, a.staff // len(units))
    for u in units:
        rn = max(1, int(per_unit * 0.6 * 0.7 * 0.75 * 0.6))
        cfg += ["[[coverage]]", f'unit = "{u}"', 'role = "RN"', f"min = {rn}", 'from = "07:00"', 'to = "19:00"']
        cfg += ["[[coverage]]", f'unit = "{u}"', 'role = "RN"', f"min = {max(1, int(rn * 0.35))}", 'from = "19:00"', 'to = "07:00"']
        cfg += ["[[coverage]]", f'unit = "{u}"', 'role = "CNA"', f"min = {max(1, int(per_unit * 0.25 * 0.7 * 0.75 * 0.5))}"]
    cfg += ["[[coverage]]", 'unit = "*"', 'role = "MD"', "min = 2"]
    if a.webhook_port:
        cfg += ["[[webhook]]", 'name = "paging"', f'url = "http://127.0.0.1:{a.webhook_port}/hook"', 'secret_file = "secrets/paging"',
                'events = ["*"]', 'allow_networks = ["127.0.0.0/8"]']
    with open(d + "/jitd.toml", "w") as f:
        f.write("\n".join(cfg) + "\n")

    now = dt.datetime.now(dt.timezone.utc)
    year_ago = now - dt.timedelta(days=365)
    catalog = [
        ("hand-hygiene-2026", "Hand hygiene refresher", 5, "online", '["*"]', '["*"]', "normal", 365, 30),
        ("sepsis-bundle-2026", "Sepsis hour-1 bundle update", 10, "online", '["RN", "MD"]', '["*"]', "high", None, 14),
        ("fall-prevention", "Fall prevention: bed alarms", 10, "online", '["RN", "CNA"]', '["*"]', "normal", 730, 60),
        ("insulin-safety", "High-alert insulin safety", 15, "online", '["RN"]', '["*"]', "critical", None, 7),
        ("code-blue-drill", "Code blue mock drill", 15, "drill", '["RN", "MD"]', f'["{units[0]}", "{units[1]}"]', "high", 180, 30),
    ]
    lines = []
    for (mid, title, minutes, kind, roles, mu, prio, recur, due) in catalog:
        published = (now - dt.timedelta(days=20)).strftime("%Y-%m-%d")
        lines += ["[[module]]", f'id = "{mid}"', f'title = "{title}"', f"minutes = {minutes}", f'kind = "{kind}"', f"roles = {roles}",
                  f"units = {mu}", f'priority = "{prio}"', f'published = "{published}"', f"due_days = {due}"]
        if recur:
            lines.append(f"recur_days = {recur}")
        if kind == "drill":
            lines += ["group_min = 2", "group_max = 4"]
        lines.append('url = "https://lms.example.org/launch/' + mid + '"')
    with open(d + "/catalog.d/modules.toml", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(d + "/catalog.d/modules.toml", 0o644)

    # Staff, their unit and role; each works day or night shifts on most days.
    staff = []
    for i in range(a.staff):
        u = units[i % len(units)]
        r = rng.random()
        role = "RN" if r < 0.6 else "CNA" if r < 0.85 else "MD"
        staff.append((f"E{10000 + i}", role, u, rng.random() < 0.7))
    rows = ["staff_id,name,role,unit,date,start_time,end_time"]
    local0 = (now - dt.timedelta(days=1)).date()
    for sid, role, u, day in staff:
        for k in range(0, 5):
            if rng.random() < 0.25:
                continue
            date = local0 + dt.timedelta(days=k)
            s, e = ("07:00", "19:00") if day else ("19:00", "07:00")
            rows.append(f"{sid},Staff {sid[1:]},{role},{u},{date.isoformat()},{s},{e}")
    with open(d + "/roster.csv", "w") as f:
        f.write("\n".join(rows) + "\n")
    comp = ["staff_id,module_id,completed_at"]
    for sid, role, u, day in staff:
        for (mid, *_rest) in catalog:
            if rng.random() < 0.55:
                when = year_ago + dt.timedelta(seconds=rng.randrange(0, 364 * 86400))
                comp.append(f"{sid},{mid},{when.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    with open(d + "/completions.csv", "w") as f:
        f.write("\n".join(comp) + "\n")
    print(json.dumps({"units": units, "staff": len(staff), "shifts": len(rows) - 1, "completions": len(comp) - 1,
                      "first_staff": staff[0][0], "first_unit": units[0], "zones": zones}))


if __name__ == "__main__":
    main()
