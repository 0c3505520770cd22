#!/usr/bin/env python3
"""Exact optimum of small planning instances with OR-Tools CP-SAT, next to jitd's planner score.

The model states SPEC's hard rules on the same grid the planner uses (slack per unit, role and
slot as exported by `jitd-bench-planner export`): each need placed at most once, inside one of
the person's eligible shifts clear of the handover buffers and busy blocks, at or after
publication and the notification lead; per-shift minute and session caps; no two sessions of a
person closer than the spacing rule (no-overlap of intervals stretched by the gap); at every
slot no more people of a unit and role in training than its slack; classes at their session
times within capacity; prerequisites completed or placed earlier. It maximises the
priority-weighted number of needs placed.

usage: exact.py DIR [seconds per instance]
"""
import glob
import json
import os
import sys

from ortools.sat.python import cp_model


def eligible(m, role, unit):
    return ("*" in m["roles"] or role in m["roles"]) and ("*" in m["units"] or unit in m["units"])


def solve(inst, seconds):
    slot = inst["slot_seconds"]
    origin = inst["origin"]
    pol = inst["policy"]
    mods = {m["id"]: m for m in inst["modules"]}
    slack = {(r["unit"], r["role"]): r["slack"] for r in inst["slack"]}
    shifts = [s for s in inst["shifts"] if s["kind"] == "shift"]
    busy = {}
    for s in inst["shifts"]:
        if s["kind"] == "busy":
            busy.setdefault(s["staff"], []).append((s["start"], s["end"]))
    held = {(h["staff"], h["module"]) for h in inst["held"]}
    model = cp_model.CpModel()
    var = {}  # (need index) -> list of (x, shift index, start, end)
    for n, need in enumerate(inst["needs"]):
        m = mods[need["module"]]
        length = m["minutes"] * 60
        lo = max(inst["earliest"], m["published"])
        lo = -(-lo // slot) * slot
        for k, s in enumerate(shifts):
            if s["staff"] != need["staff"] or not eligible(m, s["role"], s["unit"]):
                continue
            w0, w1 = s["start"] + pol["buffer"], min(s["end"] - pol["buffer"], inst["horizon_end"])
            starts = [x["start"] for x in m["sessions"]] if m["kind"] == "classroom" else range(-(-max(w0, lo) // slot) * slot, w1 - length + 1, slot)
            for t in starts:
                if t < max(w0, lo) or t + length > w1:
                    continue
                if any(a < t + length and t < b for a, b in busy.get(s["staff"], [])):
                    continue
                var.setdefault(n, []).append((model.NewBoolVar(f"x{n}_{k}_{t}"), k, t, t + length))
    # each need at most once
    for n, xs in var.items():
        model.AddAtMostOne(x for x, *_ in xs)
    # per-shift caps
    by_shift = {}
    for n, xs in var.items():
        for x, k, t, e in xs:
            by_shift.setdefault(k, []).append((x, (e - t) // 60))
    for k, xs in by_shift.items():
        model.Add(sum(x * mins for x, mins in xs) <= pol["max_minutes"])
        model.Add(sum(x for x, _ in xs) <= pol["max_sessions"])
    # spacing: intervals stretched by the gap never overlap, per person
    by_person = {}
    for n, xs in var.items():
        for x, k, t, e in xs:
            by_person.setdefault(inst["needs"][n]["staff"], []).append(model.NewOptionalFixedSizeIntervalVar(t, e - t + pol["gap"], x, ""))
    for ivs in by_person.values():
        model.AddNoOverlap(ivs)
    # coverage: per unit, role and touched slot
    load = {}
    for n, xs in var.items():
        for x, k, t, e in xs:
            s = shifts[k]
            for i in range((t - origin) // slot, -(-(e - origin) // slot)):
                load.setdefault((s["unit"], s["role"], i), []).append(x)
    for (u, r, i), xs in load.items():
        cap = slack.get((u, r), [0] * (i + 1))[i] if i < len(slack.get((u, r), [])) else 0
        model.Add(sum(xs) <= max(0, cap))
    # class capacity
    for m in inst["modules"]:
        for sess in m["sessions"]:
            xs = [x for n, lst in var.items() if inst["needs"][n]["module"] == m["id"] for x, k, t, e in lst if t == sess["start"]]
            if xs:
                model.Add(sum(xs) <= sess["capacity"])
    # prerequisites: held, or placed ending no later than this start
    index = {(nd["staff"], nd["module"]): n for n, nd in enumerate(inst["needs"])}
    for n, xs in var.items():
        need = inst["needs"][n]
        for p in mods[need["module"]]["prerequisites"]:
            if (need["staff"], p) in held:
                continue
            pn = index.get((need["staff"], p))
            for x, k, t, e in xs:
                before = [y for y, _, t2, e2 in var.get(pn, []) if e2 <= t] if pn is not None else []
                model.Add(x <= sum(before)) if before else model.Add(x == 0)
    model.Maximize(sum(inst["needs"][n]["weight"] * x for n, xs in var.items() for x, *_ in xs))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    status = solver.Solve(model)
    if os.environ.get("EXACT_DIFF"):
        mine = {(a["staff"], a["module"]) for a in inst["planner_placed"]}
        for n, xs in var.items():
            for x, k, t, e in xs:
                if solver.Value(x):
                    nd = inst["needs"][n]
                    if (nd["staff"], nd["module"]) not in mine:
                        print("  optimum also places", nd, mods[nd["module"]]["kind"], t)
        chosen = {(inst["needs"][n]["staff"], inst["needs"][n]["module"]) for n, xs in var.items() for x, *_ in xs if solver.Value(x)}
        for a in mine - chosen:
            print("  planner places", a, "which the optimum does not")
    return solver.ObjectiveValue(), solver.BestObjectiveBound(), solver.StatusName(status)


def main():
    d = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
    ratios = []
    print("instance        staff needs planner optimum status    ratio")
    for path in sorted(glob.glob(os.path.join(d, "instance-*.json")), key=lambda p: int(p.split("-")[-1].split(".")[0])):
        inst = json.load(open(path))
        best, bound, status = solve(inst, seconds)
        opt = bound if status == "OPTIMAL" else bound
        ratio = inst["planner_score"] / opt if opt > 0 else 1.0
        ratios.append(ratio)
        staff = len({s["staff"] for s in inst["shifts"]})
        print(f"{os.path.basename(path):15} {staff:5} {len(inst['needs']):5} {inst['planner_score']:7} {opt:7.0f} {status:9} {ratio:.4f}")
    print(f"mean ratio {sum(ratios) / len(ratios):.4f}, worst {min(ratios):.4f} (goal: >= 0.98 of the optimum; "
          f"the optimum is CP-SAT's proven bound, so a ratio is a lower bound when the status is not OPTIMAL)")


if __name__ == "__main__":
    main()
