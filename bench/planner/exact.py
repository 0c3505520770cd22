#!/usr/bin/env python3
"""Exact optimum of small planning instances with OR-Tools CP-SAT, next to jitd's planner and its baselines.

The model states SPEC's hard rules for all three kinds of module on the grid the planner uses
(slack per unit, role and slot as exported by `jitd-bench-planner export`), with each unit's own
policy (`[[unit]]` overrides):

- each need placed at most once, inside one of the person's eligible shifts clear of that unit's
  handover buffers and of busy blocks, on the grid, at or after publication and after now plus
  that unit's notification lead, ending inside the horizon;
- per-shift minute and session caps of the shift's unit;
- no two sessions of a person closer than the spacing rule, the stricter of the two units' when
  they differ (two no-overlap constraints: intervals stretched after by their own gap, and
  before by their own gap);
- at every slot no more people of a unit and role in training than its slack;
- online modules at any grid start; classes at their session times within capacity (sessions
  at the same time add up); drills as teams of one unit at the same start, any number of teams
  at once, each of group_min..group_max people: with y teams at (unit, start), the members
  number between y*group_min and y*group_max, which is exactly when they split into y teams;
- prerequisites held (a completion valid at the dependent's start) or placed, ending first.

It maximises the priority-weighted number of needs placed. The ratio printed is each
planner's score over CP-SAT's best bound, so it is never flattering: when the status is not
OPTIMAL the true optimum may be lower and the true ratio higher.

usage: exact.py DIR [seconds per instance]        (EXACT_DIFF=1 lists where jitd and the optimum differ)

The solver's result for an instance (best, bound, status) is kept in DIR/../exact-cache.json
(EXACT_CACHE names another file), keyed by a hash of everything but the planners' scores and by
the time allowed, so comparing a new planner on the same instances does not solve them again.
A result is reused for a shorter time limit only when it is proven optimal.
"""
import glob
import hashlib
import json
import os
import sys

from ortools.sat.python import cp_model


def eligible(m, role, unit):
    return ("*" in m["roles"] or role in m["roles"]) and ("*" in m["units"] or unit in m["units"])


def ceil_to(t, step):
    return -(-t // step) * step


def person_bounds(inst, seconds):
    """An upper bound on each person's placed weight: their needs alone, with every coverage
    minimum dropped and drills open to a team of one (a relaxation: any plan's placements of
    one person are feasible here). These small models close fast, and their sum bounds the
    optimum far more tightly than the whole model's relaxation can when the per-shift caps,
    spacing and prerequisites are what bind."""
    out = {}
    relaxed = dict(inst, slack=[dict(r, slack=[10**6] * len(r["slack"])) for r in inst["slack"]],
                   modules=[dict(m, group_min=1) for m in inst["modules"]])
    for staff in sorted({n["staff"] for n in inst["needs"]}):
        one = dict(relaxed, needs=[n for n in inst["needs"] if n["staff"] == staff])
        _, bound, _ = solve(one, seconds, cuts=False, report=False)
        out[staff] = int(bound + 1e-6)
    return out


def solve(inst, seconds, cuts=True, report=True):
    ub = person_bounds(inst, min(10.0, seconds)) if cuts else {}
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
    held = {}
    for h in inst["held"]:
        held.setdefault((h["staff"], h["module"]), []).append((h["from"], h["until"]))

    def holds(staff, module, t):
        return any(a <= t and (b is None or t < b) for a, b in held.get((staff, module), []))

    model = cp_model.CpModel()
    var = {}  # need index -> list of (x, shift index, start, end)
    for n, need in enumerate(inst["needs"]):
        m = mods[need["module"]]
        length = m["minutes"] * 60
        for k, s in enumerate(shifts):
            if s["staff"] != need["staff"] or not eligible(m, s["role"], s["unit"]):
                continue
            p = pol[s["unit"]]
            lo = ceil_to(max(p["earliest"], m["published"], s["start"] + p["buffer"]), slot)
            w1 = min(s["end"] - p["buffer"], inst["horizon_end"])
            if m["kind"] == "classroom":
                starts = sorted({x["start"] for x in m["sessions"]})
                lo = max(p["earliest"], m["published"], s["start"] + p["buffer"])
            else:
                starts = range(lo, w1 - length + 1, slot)
            for t in starts:
                if t < lo or t + length > w1:
                    continue
                if any(a < t + length and t < b for a, b in busy.get(s["staff"], [])):
                    continue
                var.setdefault(n, []).append((model.NewBoolVar(f"x{n}_{k}_{t}"), k, t, t + length))
    for n, xs in var.items():
        model.AddAtMostOne(x for x, *_ in xs)
    # per-shift caps of the shift's unit
    by_shift = {}
    for n, xs in var.items():
        for x, k, t, e in xs:
            by_shift.setdefault(k, []).append((x, (e - t) // 60))
    for k, xs in by_shift.items():
        p = pol[shifts[k]["unit"]]
        model.Add(sum(x * mins for x, mins in xs) <= p["max_minutes"])
        model.Add(sum(x for x, _ in xs) <= p["max_sessions"])
    # spacing per person: e_i + max(g_i, g_j) <= t_j for i before j
    after, before, spans = {}, {}, {}
    for n, xs in var.items():
        staff = inst["needs"][n]["staff"]
        for x, k, t, e in xs:
            g = pol[shifts[k]["unit"]]["gap"]
            after.setdefault(staff, []).append(model.NewOptionalFixedSizeIntervalVar(t, e - t + g, x, ""))
            before.setdefault(staff, []).append(model.NewOptionalFixedSizeIntervalVar(t - g, e - t + g, x, ""))
            spans.setdefault(staff, []).append((x, t, e, g))
    for staff in after:
        model.AddNoOverlap(after[staff])
        model.AddNoOverlap(before[staff])
    # The same rule as linear cuts, which the solver's relaxation holds far more tightly than
    # the no-overlap constraints: sessions whose stretched intervals share an instant pairwise
    # conflict, so at most one of them is placed (the largest such sets start where one starts).
    for staff, placements in spans.items():
        for lo_of, hi_of in ((lambda t, e, g: t, lambda t, e, g: e + g), (lambda t, e, g: t - g, lambda t, e, g: e)):
            points = sorted({lo_of(t, e, g) for _, t, e, g in placements})
            for point in points:
                xs = [x for x, t, e, g in placements if lo_of(t, e, g) <= point < hi_of(t, e, g)]
                if len(xs) > 1:
                    model.AddAtMostOne(xs)
    # coverage: per unit, role and touched slot
    load = {}
    for n, xs in var.items():
        for x, k, t, e in xs:
            s = shifts[k]
            for i in range((t - origin) // slot, -(-(e - origin) // slot)):
                load.setdefault((s["unit"], s["role"], i), []).append(x)
    for (u, r, i), xs in load.items():
        row = slack.get((u, r), [])
        model.Add(sum(xs) <= max(0, row[i] if i < len(row) else 0))
    # class capacity: sessions at the same start add up
    for m in inst["modules"]:
        if m["kind"] != "classroom":
            continue
        caps = {}
        for sess in m["sessions"]:
            caps[sess["start"]] = caps.get(sess["start"], 0) + sess["capacity"]
        for start, cap in caps.items():
            xs = [x for n, lst in var.items() if inst["needs"][n]["module"] == m["id"] for x, k, t, e in lst if t == start]
            if xs:
                model.Add(sum(xs) <= cap)
    # drills: teams of one unit at one start, each of group_min..group_max people
    for m in inst["modules"]:
        if m["kind"] != "drill":
            continue
        teams = {}
        for n, lst in var.items():
            if inst["needs"][n]["module"] != m["id"]:
                continue
            for x, k, t, e in lst:
                teams.setdefault((shifts[k]["unit"], t), []).append(x)
        for (u, t), xs in teams.items():
            if len(xs) < m["group_min"]:
                for x in xs:
                    model.Add(x == 0)
                continue
            y = model.NewIntVar(0, len(xs) // m["group_min"], f"teams_{m['id']}_{u}_{t}")
            model.Add(sum(xs) >= m["group_min"] * y)
            model.Add(sum(xs) <= m["group_max"] * y)
    # prerequisites: held at the start, or placed and ending no later than this start
    index = {(nd["staff"], nd["module"]): n for n, nd in enumerate(inst["needs"])}
    for n, xs in var.items():
        need = inst["needs"][n]
        for p in mods[need["module"]]["prerequisites"]:
            pn = index.get((need["staff"], p))
            for x, k, t, e in xs:
                if holds(need["staff"], p, t):
                    continue
                earlier = [y for y, _, t2, e2 in var.get(pn, []) if e2 <= t] if pn is not None else []
                model.Add(x <= sum(earlier)) if earlier else model.Add(x == 0)
    # Each person's relaxed bound, as a redundant cut that lets the solver prove its optimum.
    for staff, bound in ub.items():
        mine = [inst["needs"][n]["weight"] * x for n, xs in var.items() if inst["needs"][n]["staff"] == staff for x, *_ in xs]
        if mine:
            model.Add(sum(mine) <= bound)
    model.Maximize(sum(inst["needs"][n]["weight"] * x for n, xs in var.items() for x, *_ in xs))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = int(os.environ.get("EXACT_WORKERS", "2"))
    if os.environ.get("EXACT_LIN"):
        solver.parameters.linearization_level = int(os.environ["EXACT_LIN"])
    status = solver.Solve(model)
    if report and os.environ.get("EXACT_DIFF"):
        mine = {(a["staff"], a["module"]) for a in inst["planner_placed"]}
        chosen = set()
        for n, xs in var.items():
            for x, k, t, e in xs:
                if solver.Value(x):
                    nd = inst["needs"][n]
                    chosen.add((nd["staff"], nd["module"]))
                    if (nd["staff"], nd["module"]) not in mine:
                        print("  optimum also places", nd, mods[nd["module"]]["kind"], t)
        for a in sorted(mine - chosen):
            print("  jitd places", a, mods[a[1]]["kind"], "which the optimum does not")
    bound = solver.BestObjectiveBound()
    if ub:
        bound = min(bound, sum(ub.values()))
    best = solver.ObjectiveValue()
    status = solver.StatusName(status)
    if status == "FEASIBLE" and best >= bound - 1e-6:
        status = "OPTIMAL"  # the found plan meets the bound of the relaxation
    return best, bound, status


# Bumped whenever the model changes, so that no cached result of an older model is reused.
MODEL_VERSION = 2


def instance_key(inst):
    core = {k: v for k, v in inst.items() if k not in ("scores", "planner_placed")}
    core["model_version"] = MODEL_VERSION
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()


def cached_solve(inst, seconds, cache):
    key = instance_key(inst)
    hit = cache.get(key)
    if hit and not os.environ.get("EXACT_DIFF") and (hit["seconds"] >= seconds or hit["status"] == "OPTIMAL"):
        return hit["best"], hit["bound"], hit["status"]
    best, bound, status = solve(inst, seconds)
    if not hit or hit["status"] != "OPTIMAL":
        cache[key] = {"best": best, "bound": bound, "status": status, "seconds": seconds}
    return best, bound, status


def main():
    d = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
    cache_path = os.environ.get("EXACT_CACHE") or os.path.join(os.path.dirname(os.path.abspath(d)), "exact-cache.json")
    cache = json.load(open(cache_path)) if os.path.exists(cache_path) else {}
    names = None
    ratios = {}
    rows = []
    for path in sorted(glob.glob(os.path.join(d, "instance-*.json")), key=lambda p: int(p.split("-")[-1].split(".")[0])):
        inst = json.load(open(path))
        best, bound, status = cached_solve(inst, seconds, cache)
        json.dump(cache, open(cache_path, "w"), indent=1, sort_keys=True)
        names = names or list(inst["scores"])
        staff = len({s["staff"] for s in inst["shifts"]})
        kinds = {m["kind"] for m in inst["modules"]}
        row = f"{os.path.basename(path):16} {staff:5} {len(inst['needs']):5} {''.join(sorted(k[0] for k in kinds)):4} {bound:7.0f} {status:9}"
        for name in names:
            score = inst["scores"][name]
            ratio = score / bound if bound > 0 else 1.0
            ratios.setdefault(name, []).append(ratio)
            row += f" {score:6} {ratio:.4f}"
        print(row, flush=True)
        rows.append(row)
    print()
    print("planner      mean    worst   equal to the optimum (of %d)" % len(ratios[names[0]]))
    for name in names:
        r = ratios[name]
        print(f"{name:12} {sum(r) / len(r):.4f}  {min(r):.4f}  {sum(1 for x in r if x >= 0.99999)}")
    print("(ratio = score / CP-SAT's proven bound on the optimum; a lower bound on the true ratio unless every status is OPTIMAL)")


if __name__ == "__main__":
    main()
