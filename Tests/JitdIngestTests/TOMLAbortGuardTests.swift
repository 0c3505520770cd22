import Testing
@testable import JitdIngest

/// toml++ (inside TOMLKit) aborts the process on a table header with no name; jitd must turn
/// that into an error line (found by the parser fuzzer).
@Suite struct TOMLAbortGuardTests {
    @Test func aHeaderWithNoNameIsAnErrorNotACrash() {
        for (text, line, column) in [(" [ \n \n", 1, 4), ("[site]\ntimezone = \"UTC\"\n[[\n", 3, 3), ("[ #x\n", 1, 3), ("\u{FEFF}[(\n", 1, 3)] {
            do {
                _ = try ConfigLoader.parse(text: text, file: "/x/jitd.toml")
                Issue.record("\(text.debugDescription) was accepted")
            } catch {
                #expect("\(error)".contains("/x/jitd.toml:\(line):\(column): error: TOML syntax: a table header needs a name"), "\(error)")
            }
        }
    }

    @Test func aMissingValueIsAnErrorNotACrash() {
        for (text, line, column) in [("[site]\ntimezone =\n", 2, 11), ("a = [ 1, }\n", 1, 10), ("a = \u{3000}1\n", 1, 5), ("a = [\n  # c\n  \u{2003}1 ]\n", 3, 3)] {
            do {
                _ = try ConfigLoader.parse(text: text, file: "/x/jitd.toml")
                Issue.record("\(text.debugDescription) was accepted")
            } catch {
                #expect("\(error)".contains("/x/jitd.toml:\(line):\(column): error: TOML syntax: a value is missing here"), "\(error)")
            }
        }
    }

    @Test func arraysAndStringsThatOpenOnALineOfTheirOwnAreNotHeaders() throws {
        let quote = "'''"
        let text = """
            [site]
            timezone = "UTC"
            [[coverage]]
            unit = "MICU"
            role = "RN"
            min = 1
            days = [
              "mon",
              "tue" ]
            [[webhook]]
            name = "a"
            url = "https://example.org/h"
            secret_file = \(quote)
            [
            \(quote)
            events = [ # all of them
              "*",
            ]
            """
        let c = try ConfigLoader.parse(text: text, file: "/x/jitd.toml").value
        #expect(c.coverage.count == 1 && c.webhooks.first?.secretFiles == ["/x/[\n"])
        #expect(TOMLAbortGuard.firstProblem("grid = [\n  [\n    1, 2 ],\n  [ 3 ],\n]\n[next]\n") == nil, "nested arrays")
    }
}
