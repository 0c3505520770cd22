import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import JitdCore
@testable import JitdServer
@testable import JitdStore

@Suite struct JSONWriterTests {
    @Test func pagesEscapeWhatJSONNeedsAndMatchTheSingleAssignmentView() async throws {
        let f = try Fixture()
        let odd = "n\"u\\r\u{1}s\ne \u{E9}\u{1F600}"
        try f.save([Assignment(id: "odd", staffID: odd, moduleID: "m", unit: "MICU", role: "RN",
                               interval: Interval(start: t0.adding(minutes: 60), end: t0.adding(minutes: 70)), group: "g\t1")])
        try await f.live { client in
            var fromPage: [String: Any] = [:]
            try await client.execute(uri: "/v1/assignments", method: .get, headers: ro) { r in
                fromPage = (r.json["assignments"] as! [[String: Any]])[0]
                #expect(fromPage["staff_id"] as? String == odd)
                #expect(fromPage["group"] as? String == "g\t1")
            }
            try await client.execute(uri: "/v1/assignments/odd", method: .get, headers: ro) { r in
                #expect(NSDictionary(dictionary: r.json).isEqual(to: fromPage))
            }
        }
    }

    @Test func writesTimesLikeInstantDoes() {
        for s: Int64 in [0, 1, 59, 86_399, 86_400, 951_782_400, 1_764_550_200, 4_102_444_799, -1, -86_401, 253_402_300_799, 253_402_300_800] {
            var w = JSONWriter()
            w.beginArray(); w.instant(Instant(seconds: s)); w.instant(Instant(seconds: s + 3600)); w.endArray()
            let decoded = try? JSONSerialization.jsonObject(with: Data(buffer: w.buffer)) as? [String]
            #expect(decoded == [Instant(seconds: s).rfc3339, Instant(seconds: s + 3600).rfc3339], "\(s)")
        }
    }

    @Test func strictTimesAreExactlyRFC3339DateTimes() {
        #expect(StrictTime.parse("2026-11-24T12:00:00Z") == t0)
        #expect(StrictTime.parse("2026-11-24t07:00:00.123-05:00") == t0)
        for bad in ["2026-11-24T12:00Z", "2026-11-24 12:00:00Z", "2026-11-24T12:00:00", "2026-11-24T24:00:00Z", "2026-13-01T00:00:00Z",
                    "2026-11-24T12:00:00+5:00", "2026-11-24T12:00:00.Z", "x2026-11-24T12:00:00Z", ""] {
            #expect(StrictTime.parse(bad) == nil, "\(bad)")
        }
    }
}
