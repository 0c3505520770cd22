import Testing
import JitdCore
@testable import JitdIngest

/// RRULE parts one by one, mostly with the examples of RFC 5545 §3.8.5.3, expanded on a floating clock.
@Suite("iCalendar RRULE")
struct ICalendarRecurrenceTests {
    /// The first `limit` starts of `rule` from `start`, as `YYYYMMDDTHHMMSS`.
    private func expand(_ rule: String, _ start: String, limit: Int = 20, upTo: String = "20301231T235959") throws -> [String] {
        let parsed = try RecurrenceRule.parse(rule)
        let (local, _) = try ICalTimeParser.dateTime(start, property: "DTSTART")
        let (end, _) = try ICalTimeParser.dateTime(upTo, property: "test")
        var budget = RecurrenceExpander.defaultBudget
        let beyond = RecurrenceUntil.test(parsed.until) { Instant(seconds: $0) }
        let starts = try RecurrenceExpander(rule: parsed, start: local)
            .occurrences(upTo: end.naiveSeconds, from: nil, beyondUntil: beyond, budget: &budget)
        return starts.prefix(limit).map { s in
            let l = LocalDateTime(naiveSeconds: s)
            return String(format: "%04d%02d%02dT%02d%02d%02d", l.year, l.month, l.day, l.hour, l.minute, l.second)
        }
    }

    /// Dates `YYYYMMDD` with the time `T090000`.
    private func at9(_ days: String...) -> [String] { days.map { $0 + "T090000" } }

    @Test func dailyCountAndInterval() throws {
        #expect(try expand("FREQ=DAILY;COUNT=3", "19970902T090000") == at9("19970902", "19970903", "19970904"))
        #expect(try expand("FREQ=DAILY;INTERVAL=10;COUNT=5", "19970902T090000")
            == at9("19970902", "19970912", "19970922", "19971002", "19971012"))
    }

    @Test func untilIsInclusiveAndDateUntilCoversTheDay() throws {
        #expect(try expand("FREQ=DAILY;UNTIL=19970905T090000", "19970902T090000") == at9("19970902", "19970903", "19970904", "19970905"))
        #expect(try expand("FREQ=DAILY;UNTIL=19970904", "19970902T090000") == at9("19970902", "19970903", "19970904"))
        #expect(try expand("FREQ=DAILY;UNTIL=19970904T085959Z", "19970902T090000") == at9("19970902", "19970903"))
    }

    @Test func weeklyWithByDayAndWeekStart() throws {
        #expect(try expand("FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH", "19970902T090000")
            == at9("19970902", "19970904", "19970909", "19970911", "19970916", "19970918", "19970923", "19970925", "19970930", "19971002"))
        #expect(try expand("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", "19970805T090000")
            == at9("19970805", "19970810", "19970819", "19970824"))
        #expect(try expand("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", "19970805T090000")
            == at9("19970805", "19970817", "19970819", "19970831"))
        #expect(try expand("FREQ=WEEKLY;INTERVAL=2;UNTIL=19971007T000000Z;WKST=SU;BYDAY=MO,WE,FR", "19970901T090000")
            == at9("19970901", "19970903", "19970905", "19970915", "19970917", "19970919", "19970929", "19971001", "19971003"))
    }

    @Test func monthlyByDayWithOrdinals() throws {
        #expect(try expand("FREQ=MONTHLY;COUNT=4;BYDAY=1FR", "19970905T090000") == at9("19970905", "19971003", "19971107", "19971205"))
        #expect(try expand("FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", "19970922T090000")
            == at9("19970922", "19971020", "19971117", "19971222", "19980119", "19980216"))
        #expect(try expand("FREQ=MONTHLY;COUNT=3;BYDAY=-1SA", "20260131T090000") == at9("20260131", "20260228", "20260328"))
    }

    @Test func monthlyByMonthDayIncludingNegativeAndInvalidDates() throws {
        #expect(try expand("FREQ=MONTHLY;COUNT=5;BYMONTHDAY=1,-1", "19970930T090000")
            == at9("19970930", "19971001", "19971031", "19971101", "19971130"))
        #expect(try expand("FREQ=MONTHLY;COUNT=4;BYMONTHDAY=-3", "19970928T090000") == at9("19970928", "19971029", "19971128", "19971229"))
        #expect(try expand("FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", "20070115T090000")
            == at9("20070115", "20070130", "20070215", "20070315", "20070330"))
        #expect(try expand("FREQ=MONTHLY;COUNT=3", "20260131T090000") == at9("20260131", "20260331", "20260531"))
    }

    @Test func monthlyByDayLimitedByMonthDay() throws {
        #expect(try expand("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", "19970902T090000", limit: 5)
            == at9("19980213", "19980313", "19981113", "19990813", "20001013"))
        #expect(try expand("FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13", "19970913T090000", limit: 4)
            == at9("19970913", "19971011", "19971108", "19971213"))
    }

    @Test func yearlyByMonthByYearDayAndByDay() throws {
        #expect(try expand("FREQ=YEARLY;COUNT=4;BYMONTH=6,7", "19970610T090000") == at9("19970610", "19970710", "19980610", "19980710"))
        #expect(try expand("FREQ=YEARLY;INTERVAL=3;COUNT=7;BYYEARDAY=1,100,200", "19970101T090000")
            == at9("19970101", "19970410", "19970719", "20000101", "20000409", "20000718", "20030101"))
        #expect(try expand("FREQ=YEARLY;BYYEARDAY=-1;COUNT=2", "19970101T090000") == at9("19971231", "19981231"))
        #expect(try expand("FREQ=YEARLY;BYDAY=20MO", "19970519T090000", limit: 3) == at9("19970519", "19980518", "19990517"))
        #expect(try expand("FREQ=YEARLY;BYMONTH=3;BYDAY=TH", "19970313T090000", limit: 5)
            == at9("19970313", "19970320", "19970327", "19980305", "19980312"))
        #expect(try expand("FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8", "19961105T090000", limit: 3)
            == at9("19961105", "20001107", "20041102"))
    }

    @Test func yearlyByWeekNumber() throws {
        #expect(try expand("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "19970512T090000", limit: 3) == at9("19970512", "19980511", "19990517"))
        #expect(try expand("FREQ=YEARLY;BYWEEKNO=-1;BYDAY=MO", "19970101T090000", limit: 3) == at9("19971222", "19981228", "19991227"))
        // Week 1 of 1998 starts on Monday 1997-12-29, inside 1997.
        #expect(try expand("FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO", "19970101T090000", limit: 2) == at9("19971229", "19990104"))
    }

    @Test func bySetPos() throws {
        #expect(try expand("FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", "19970904T090000") == at9("19970904", "19971007", "19971106"))
        #expect(try expand("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2", "19970929T090000", limit: 4)
            == at9("19970929", "19971030", "19971127", "19971230"))
        #expect(try expand("FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3", "19970101T090000")
            == at9("19971231", "19981231", "19991231"))
        #expect(try expand("FREQ=DAILY;BYHOUR=9,12,17;BYSETPOS=1,-1;COUNT=4", "19970902T090000")
            == ["19970902T090000", "19970902T170000", "19970903T090000", "19970903T170000"])
    }

    @Test func timeParts() throws {
        #expect(try expand("FREQ=DAILY;BYHOUR=9,17;COUNT=4", "19970902T090000")
            == ["19970902T090000", "19970902T170000", "19970903T090000", "19970903T170000"])
        #expect(try expand("FREQ=HOURLY;BYMINUTE=0,30;COUNT=4", "19970902T090000")
            == ["19970902T090000", "19970902T093000", "19970902T100000", "19970902T103000"])
        #expect(try expand("FREQ=MINUTELY;BYSECOND=0,30;COUNT=4", "19970902T090000")
            == ["19970902T090000", "19970902T090030", "19970902T090100", "19970902T090130"])
        #expect(try expand("FREQ=DAILY;BYMINUTE=5;BYSECOND=7;COUNT=2", "19970902T090000") == ["19970902T090507", "19970903T090507"])
    }

    @Test func subDailyFrequencies() throws {
        #expect(try expand("FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000", "19970902T090000")
            == ["19970902T090000", "19970902T120000", "19970902T150000"])
        #expect(try expand("FREQ=MINUTELY;INTERVAL=15;COUNT=6", "19970902T090000")
            == ["19970902T090000", "19970902T091500", "19970902T093000", "19970902T094500", "19970902T100000", "19970902T101500"])
        #expect(try expand("FREQ=MINUTELY;INTERVAL=90;COUNT=4", "19970902T090000")
            == ["19970902T090000", "19970902T103000", "19970902T120000", "19970902T133000"])
        let every20 = try expand("FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16", "19970902T090000", limit: 50)
        #expect(every20.count == 50 && every20[23] == "19970902T164000" && every20[24] == "19970903T090000")
        #expect(try expand("FREQ=SECONDLY;INTERVAL=45;COUNT=3", "19970902T090000") == ["19970902T090000", "19970902T090045", "19970902T090130"])
        #expect(try expand("FREQ=SECONDLY;BYHOUR=10;BYMINUTE=0;BYSECOND=0,59;COUNT=3", "19970902T090000")
            == ["19970902T100000", "19970902T100059", "19970903T100000"])
        #expect(try expand("FREQ=HOURLY;INTERVAL=12;BYYEARDAY=1;COUNT=4", "19970101T000000")
            == ["19970101T000000", "19970101T120000", "19980101T000000", "19980101T120000"])
        #expect(try expand("FREQ=HOURLY;INTERVAL=5;BYMONTHDAY=3;BYDAY=WE;COUNT=2", "19970902T000000")
            == ["19970903T010000", "19970903T060000"])
    }

    @Test func everyRuleStopsAtTheUpperBound() throws {
        let few = try expand("FREQ=SECONDLY", "20260101T000000", limit: 10_000, upTo: "20260101T001000")
        #expect(few.count == 601)
        #expect(try expand("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "20260101T000000", upTo: "21001231T000000").isEmpty)
    }

    @Test func skippingToTheWindowGivesTheSameInstances() throws {
        for rule in ["FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,FR", "FREQ=MONTHLY;INTERVAL=5;BYDAY=-1FR", "FREQ=YEARLY;INTERVAL=2;BYWEEKNO=10",
                     "FREQ=DAILY;INTERVAL=9", "FREQ=HOURLY;INTERVAL=7", "FREQ=MINUTELY;INTERVAL=131;BYHOUR=8"] {
            let parsed = try RecurrenceRule.parse(rule)
            let start = LocalDateTime(year: 2001, month: 3, day: 7, hour: 8, minute: 15)
            let lower = LocalDateTime(year: 2026, month: 5, day: 1).naiveSeconds, upper = LocalDateTime(year: 2028, month: 9, day: 1).naiveSeconds
            var budget = RecurrenceExpander.defaultBudget
            let expander = RecurrenceExpander(rule: parsed, start: start)
            let all = try expander.occurrences(upTo: upper, from: nil, beyondUntil: { _ in false }, budget: &budget)
            budget = RecurrenceExpander.defaultBudget
            let skipped = try expander.occurrences(upTo: upper, from: lower, beyondUntil: { _ in false }, budget: &budget)
            #expect(all.filter { $0 >= lower } == skipped.filter { $0 >= lower }, "\(rule)")
            #expect(!skipped.filter { $0 >= lower }.isEmpty, "\(rule)")
        }
    }

    @Test func tooManyInstancesIsAnErrorNotAHang() throws {
        let parsed = try RecurrenceRule.parse("FREQ=SECONDLY;COUNT=100000000")
        var budget = 100_000
        #expect(throws: ICalValueError.self) {
            try RecurrenceExpander(rule: parsed, start: LocalDateTime(year: 2000, month: 1, day: 1))
                .occurrences(upTo: LocalDateTime(year: 2030, month: 1, day: 1).naiveSeconds, from: nil, beyondUntil: { _ in false }, budget: &budget)
        }
    }

    @Test func invalidRulesSayWhatToDo() {
        let cases: [(String, String)] = [
            ("BYDAY=MO", "FREQ"), ("FREQ=FORTNIGHTLY", "FREQ"), ("FREQ=DAILY;COUNT=2;UNTIL=20260101T000000Z", "COUNT and UNTIL"),
            ("FREQ=WEEKLY;BYDAY=1MO", "MONTHLY or YEARLY"), ("FREQ=YEARLY;BYWEEKNO=3;BYDAY=1MO", "BYWEEKNO"),
            ("FREQ=WEEKLY;BYMONTHDAY=3", "BYMONTHDAY"), ("FREQ=MONTHLY;BYYEARDAY=3", "BYYEARDAY"), ("FREQ=MONTHLY;BYWEEKNO=3", "BYWEEKNO"),
            ("FREQ=DAILY;BYSETPOS=1", "BYSETPOS"), ("FREQ=DAILY;BYHOUR=24", "BYHOUR"), ("FREQ=DAILY;BYMONTHDAY=0", "BYMONTHDAY"),
            ("FREQ=DAILY;INTERVAL=0", "INTERVAL"), ("FREQ=DAILY;BYDAY=XX", "BYDAY"), ("FREQ=DAILY;FOO=1", "FOO"),
            ("FREQ=DAILY;FREQ=DAILY", "twice"), ("FREQ=MONTHLY;BYDAY=0MO", "position"), ("FREQ=DAILY;WKST=XY", "WKST"),
        ]
        for (rule, hint) in cases {
            do {
                _ = try RecurrenceRule.parse(rule)
                Issue.record("\(rule) should be rejected")
            } catch {
                #expect(error.message.contains(hint), "\(rule): \(error.message)")
            }
        }
    }

    @Test func parsesEveryPart() throws {
        let rule = try RecurrenceRule.parse("freq=yearly;interval=2;count=5;wkst=su;bysecond=0,30;byminute=15;byhour=7,19;"
            + "byday=+2MO,-1SA;bymonthday=1,-1;byyearday=100;bymonth=3,1;bysetpos=-1")
        #expect(rule.frequency == .yearly && rule.interval == 2 && rule.count == 5 && rule.weekStart == 7)
        #expect(rule.bySecond == [0, 30] && rule.byMinute == [15] && rule.byHour == [7, 19])
        #expect(rule.byDay == [.init(ordinal: 2, weekday: 1), .init(ordinal: -1, weekday: 6)])
        #expect(rule.byMonthDay == [-1, 1] && rule.byYearDay == [100] && rule.byMonth == [1, 3] && rule.bySetPos == [-1])
    }
}
