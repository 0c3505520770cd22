import Testing
@testable import JitdCore

/// Values from input are quoted briefly and on one line, however long or odd they are.
@Suite struct BriefTests {
    @Test func shortValuesAreQuotedWhole() {
        #expect(Brief.quoted("tomorrow") == "'tomorrow'")
        #expect(Brief.quoted("") == "''")
        #expect(Brief.quoted(String(repeating: "é", count: 120)) == "'" + String(repeating: "é", count: 120) + "'")
    }

    @Test func longValuesShowAPrefixAndTheirSize() {
        let value = String(repeating: "x", count: 50_000_000)
        let q = Brief.quoted(value)
        #expect(q == "'" + String(repeating: "x", count: 120) + "…' (50000000 bytes)")
        #expect(Brief.quoted(String(repeating: "é", count: 121)) == "'" + String(repeating: "é", count: 120) + "…' (242 bytes)")
    }

    @Test func controlCharactersAreEscaped() {
        #expect(Brief.quoted("a\nb") == "'a\\nb'")
        #expect(Brief.quoted("\u{1B}[31mred") == "'\\u{1B}[31mred'")
        #expect(Brief.quoted("abc\u{202E}txt.exe") == "'abc\\u{202E}txt.exe'")
        #expect(Brief.escaped("tab\there") == "tab\\there")
        #expect(Brief.quoted("👩‍⚕️ nurse") == "'👩‍⚕️ nurse'", "a zero-width joiner inside an emoji is kept")
    }

    @Test func messagesAreBounded() {
        #expect(Brief.bounded("short") == "short")
        let long = String(repeating: "y", count: 5_000)
        #expect(Brief.bounded(long) == String(repeating: "y", count: 1_000) + "… (5000 bytes)")
        #expect(Brief.bounded(String(repeating: "é", count: 1_000)) == String(repeating: "é", count: 1_000), "1,000 characters, 2,000 bytes: kept")
    }
}
