import Testing
@testable import JitdCore

@Suite struct TimeTests {
    @Test func civilDateRoundTrips() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let (y, m, d) = CivilDate.fromDays(days)
            #expect(CivilDate.days(year: y, month: m, day: d) == days)
        }
        #expect(CivilDate.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilDate.isoWeekday(days: CivilDate.days(year: 2026, month: 11, day: 24)) == 2) // a Tuesday
        #expect(!CivilDate.isValid(year: 2026, month: 2, day: 29))
        #expect(CivilDate.isValid(year: 2028, month: 2, day: 29))
    }

    /// `TimeText` writes what `String(format:)` wrote before it, for any instant and local time.
    @Test func isoTextIsWhatStringFormatWrites() {
        var rng = SplitMix64(seed: 21)
        for _ in 0..<20_000 {
            let t = Instant(seconds: Int64.random(in: -80_000_000_000...260_000_000_000, using: &rng))
            let days = floorDiv(t.seconds, 86_400), sod = Int(t.seconds - days * 86_400)
            let (y, m, d) = CivilDate.fromDays(days)
            #expect(t.rfc3339 == String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, sod / 3600, sod / 60 % 60, sod % 60))
            #expect(Instant(rfc3339: t.rfc3339) == t || !(0...9999).contains(y))
            let l = LocalDateTime(naiveSeconds: t.seconds)
            #expect(l.description == String(format: "%04d-%02d-%02dT%02d:%02d:%02d", l.year, l.month, l.day, l.hour, l.minute, l.second))
            #expect(TimeText.iso(year: y, month: m, day: d) == String(format: "%04d-%02d-%02d", y, m, d))
        }
        #expect(TimeText.iso(year: 7, month: 1, day: 2, time: (3, 4, 5), utc: true) == "0007-01-02T03:04:05Z")
        #expect(TimeText.iso(year: -1, month: 12, day: 31) == "-001-12-31")
    }

    @Test func rfc3339RoundTripsAndParsesOffsets() {
        let t = Instant(rfc3339: "2026-11-24T12:00:00Z")!
        #expect(t.rfc3339 == "2026-11-24T12:00:00Z")
        #expect(Instant(rfc3339: "2026-11-24T07:00:00-05:00") == t)
        #expect(Instant(rfc3339: "2026-11-24T13:00+01:00") == t)
        #expect(Instant(rfc3339: "2026-11-24T12:00:00.250Z") == t)
        #expect(Instant(rfc3339: "2026-11-24T12:00:00") == nil)
        #expect(Instant(rfc3339: "2026-02-30T12:00:00Z") == nil)
    }

    @Test func nightShiftAcrossAutumnChangeLasts13Hours() throws {
        let ny = Zone("America/New_York")!
        let start = try ny.instant(LocalDateTime(year: 2026, month: 10, day: 31, hour: 19))
        let end = try ny.instant(LocalDateTime(year: 2026, month: 11, day: 1, hour: 7))
        #expect(end.seconds - start.seconds == 13 * 3600)
    }

    @Test func nightShiftAcrossSpringChangeLasts11Hours() throws {
        let ny = Zone("America/New_York")!
        let start = try ny.instant(LocalDateTime(year: 2026, month: 3, day: 7, hour: 19))
        let end = try ny.instant(LocalDateTime(year: 2026, month: 3, day: 8, hour: 7))
        #expect(end.seconds - start.seconds == 11 * 3600)
    }

    @Test func nonexistentLocalTimeIsAnErrorAndAmbiguousTakesTheEarlier() throws {
        let ny = Zone("America/New_York")!
        #expect(throws: LocalTimeError.self) { try ny.instant(LocalDateTime(year: 2026, month: 3, day: 8, hour: 2, minute: 30)) }
        let ambiguous = try ny.instant(LocalDateTime(year: 2026, month: 11, day: 1, hour: 1, minute: 30))
        #expect(ambiguous.rfc3339 == "2026-11-01T05:30:00Z") // EDT (-4), the earlier of the two
    }

    @Test func coverageWindowWrapsPastMidnightAndKeepsItsStartDay() {
        let rule = CoverageRule(unit: "MICU", role: "RN", min: 4, window: (19 * 60, 7 * 60), days: [5]) // Friday nights
        #expect(rule.isActive(at: LocalDateTime(year: 2026, month: 11, day: 27, hour: 22))) // Fri 22:00
        #expect(rule.isActive(at: LocalDateTime(year: 2026, month: 11, day: 28, hour: 3)))  // Sat 03:00, Friday's night
        #expect(!rule.isActive(at: LocalDateTime(year: 2026, month: 11, day: 28, hour: 22))) // Sat 22:00
        #expect(!rule.isActive(at: LocalDateTime(year: 2026, month: 11, day: 27, hour: 12)))
    }

    @Test func cidrMatching() {
        #expect(CIDR("127.0.0.0/8")!.contains(IPAddress.parse("127.0.0.1")!))
        #expect(!CIDR("10.0.0.0/8")!.contains(IPAddress.parse("11.0.0.1")!))
        #expect(CIDR("fd00::/8")!.contains(IPAddress.parse("fd12::1")!))
        #expect(IPAddress.isInternal(IPAddress.parse("192.168.1.4")!))
        #expect(!IPAddress.isInternal(IPAddress.parse("8.8.8.8")!))
        #expect(IPAddress.isInternal(IPAddress.parse("::1")!))
        #expect(CIDR("300.0.0.0/8") == nil)
    }
}

/// The memo the roster readers convert local times through gives the zone's own answer for every
/// time, across every change of offset of a year (half-hour changes, midnight changes, a zone
/// that dropped daylight saving), whatever order the times come in.
@Suite struct LocalTimeMemoTests {
    @Test func memoAgreesWithTheZoneEveryHalfHourOfTheYear() throws {
        for id in ["America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Kathmandu", "America/Sao_Paulo"] {
            let zone = Zone(id)!
            var memo = LocalTimeMemo()
            var valid = 0
            let first = LocalDateTime(year: 2026, month: 1, day: 1).naiveSeconds
            for step in Int64(0)..<(366 * 48) {
                // In order, then now and then a jump back a week, as rows of a roster may come.
                let naive = first + step * 1800 - (step % 97 == 0 ? 7 * 86_400 : 0)
                let local = LocalDateTime(naiveSeconds: naive)
                let expected = Result { () throws(LocalTimeError) in try zone.instant(local) }
                let got: Result<Instant, LocalTimeError>
                do { got = .success(try memo.instant(local, in: zone)) } catch { got = .failure(error) }
                #expect(got == expected, "\(local.description) in \(id)")
                if case .success = got { valid += 1 }
            }
            #expect(valid > 17_000, "nearly every time exists")
        }
    }

    /// Dates in random order over a year (completions from an LMS, a roster sorted by person):
    /// the same answers as the zone, and the memo keeps what it learnt instead of learning a
    /// stretch again for nearly every row (it kept two at first: a million completions took 26 s).
    @Test func memoKeepsAYearOfStretchesForDatesInAnyOrder() throws {
        let zone = Zone("Europe/London")!
        var memo = LocalTimeMemo()
        var rng = SplitMix64(seed: 41)
        let first = LocalDateTime(year: 2026, month: 1, day: 1).naiveSeconds
        for _ in 0..<20_000 {
            let local = LocalDateTime(naiveSeconds: first + Int64.random(in: 0..<(365 * 86_400), using: &rng))
            let expected = Result { () throws(LocalTimeError) in try zone.instant(local) }
            let got: Result<Instant, LocalTimeError>
            do { got = .success(try memo.instant(local, in: zone)) } catch { got = .failure(error) }
            #expect(got == expected, "\(local.description)")
        }
        #expect(memo.learnt <= LocalTimeMemo.capacity + 8, "stretches learnt: \(memo.learnt)")
    }

    @Test func memoFollowsAChangeOfZone() throws {
        var memo = LocalTimeMemo()
        let local = LocalDateTime(year: 2026, month: 6, day: 1, hour: 12)
        #expect(try memo.instant(local, in: Zone("America/New_York")!).rfc3339 == "2026-06-01T16:00:00Z")
        #expect(try memo.instant(local, in: Zone("Europe/London")!).rfc3339 == "2026-06-01T11:00:00Z")
        #expect(try memo.instant(local, in: .utc).rfc3339 == "2026-06-01T12:00:00Z")
    }
}
