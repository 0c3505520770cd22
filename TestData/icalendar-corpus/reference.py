#!/usr/bin/env python3
"""The reference reading of the corpus: python's icalendar + recurring-ical-events.

Reads requests from stdin, one a line: `PATH START END FLOATING_ZONE` (UTC seconds, an IANA
zone for floating times), and prints one JSON object a line per request, in the same order:

    {"file": PATH, "instances": [[start, end], ...]}      every VEVENT instance overlapping
                                                           [START, END) with a DATE-TIME start
                                                           in every VCALENDAR of the file,
                                                           as UTC seconds, sorted
    {"file": PATH, "all_day": N, "zero_length": M,         ... plus counts of the instances left
     "cancelled": C}                                       out: all-day ones, ones that take no
                                                           time and cancelled ones (jitd reads
                                                           none of them as a shift)
    {"file": PATH, "error": "TypeName: message"}           the reference could not read the file

One process serves the whole corpus (importing icalendar takes longer than most files), with
a per-file alarm so that one slow rule cannot hang the test. By hand:

    echo "recurring-ical-events/rdate.ics 0 2000000000 America/Chicago" | python3 reference.py
"""
import datetime
import json
import signal
import sys
import warnings
import zoneinfo

import icalendar
import recurring_ical_events

# Warnings (a guessed TZID, say) would mix with the answers; what matters is read from the answers.
warnings.simplefilter("ignore")

# The parent may start us with signals blocked; the alarm must reach us.
signal.pthread_sigmask(signal.SIG_SETMASK, [])


def too_slow(*_):
    raise TimeoutError("the reference took longer than 60 s")


signal.signal(signal.SIGALRM, too_slow)


def seconds(t, floating):
    if t.tzinfo is None:
        t = t.replace(tzinfo=floating)
    return int(t.timestamp())


def read(path, start, end, floating):
    with open(path, "rb") as f:
        components = icalendar.Calendar.from_ical(f.read(), multiple=True)
    a = datetime.datetime.fromtimestamp(start, floating)
    b = datetime.datetime.fromtimestamp(end, floating)
    instances, all_day, zero, cancelled = [], 0, 0, 0
    for calendar in components:
        if calendar.name != "VCALENDAR":
            continue  # events outside a calendar are no calendar
        for occurrence in recurring_ical_events.of(calendar).between(a, b):
            dtstart = occurrence["DTSTART"].dt
            if str(occurrence.get("STATUS", "")).upper() == "CANCELLED":
                cancelled += 1
                continue
            if not isinstance(dtstart, datetime.datetime):
                all_day += 1
                continue
            s = seconds(dtstart, floating)
            e = seconds(occurrence["DTEND"].dt, floating) if "DTEND" in occurrence else s
            if e == s:
                zero += 1
            elif s < end and start < e:
                instances.append([s, e])
    return {"instances": sorted(instances), "all_day": all_day, "zero_length": zero, "cancelled": cancelled}


for line in sys.stdin:
    path, start, end, zone = line.split()
    signal.setitimer(signal.ITIMER_REAL, 60.0)
    try:
        result = read(path, int(start), int(end), zoneinfo.ZoneInfo(zone))
    except Exception as error:  # every failure is a finding, reported per file
        result = {"error": f"{type(error).__name__}: {error}".replace("\n", " ")[:300]}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    print(json.dumps({"file": path, **result}), flush=True)
