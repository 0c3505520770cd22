/// Finds the malformed TOML that TOMLKit's embedded toml++ does not report but asserts on,
/// aborting the whole process in debug and release builds alike (found by the parser fuzzer):
/// a table header whose name does not start with a key character (`parse_key()`), and a value
/// that starts with a terminator — nothing after `=`, a `}` or a non-ASCII space where an array
/// element should be (`parse_value()`).
///
/// A light lexer: it follows strings (basic, literal, multi-line), comments, and the brackets
/// of values, so that a `[` opening a multi-line array is not taken for a header.
enum TOMLAbortGuard {
    /// The line and column of the first malformed header or value, or `nil`.
    static func firstProblem(_ text: String) -> (line: Int, column: Int, message: String)? {
        let s = Array(text.unicodeScalars)
        var i = s.first == "\u{FEFF}" ? 1 : 0, line = 1, lineStart = 0 // toml++ skips a BOM
        var brackets: [Unicode.Scalar] = []
        var depth: Int { brackets.count }
        var atLineStart = true
        func problem(_ j: Int, _ message: String) -> (line: Int, column: Int, message: String) {
            var l = line, start = lineStart
            for k in stride(from: i, to: min(j, s.count), by: 1) where s[k] == "\n" { l += 1; start = k + 1 }
            return (l, j - start + 1, message)
        }
        let noHeaderName = "a table header needs a name, e.g. [site] or [[webhook]]"
        let noValue = "a value is missing here, e.g. key = \"text\", key = 5 or key = [\"a\", \"b\"]"
        while i < s.count {
            let c = s[i]
            if c == "\n" { line += 1; lineStart = i + 1; atLineStart = depth == 0; i += 1; continue }
            if c == " " || c == "\t" || c == "\r" { i += 1; continue }
            if c == "#" { while i < s.count && s[i] != "\n" { i += 1 }; continue }
            if atLineStart && c == "[" {
                var j = i + 1
                if j < s.count && s[j] == "[" { j += 1 }
                while j < s.count && (s[j] == " " || s[j] == "\t") { j += 1 }
                if j >= s.count || !(isKeyStart(s[j]) || s[j] == "]") { return problem(j, noHeaderName) }
                while i < s.count && s[i] != "\n" { i = skipString(s, i) ?? i + 1 } // the rest of the header line
                continue
            }
            atLineStart = false
            if c == "\"" || c == "'" { i = skipString(s, i) ?? s.count; continue }
            if c == "=" {
                var j = i + 1
                while j < s.count && (s[j] == " " || s[j] == "\t") { j += 1 }
                if j >= s.count || isValueTerminator(s[j]) { return problem(j, noValue) }
            }
            if (c == "[" || (c == "," && brackets.last == "[")) {
                let j = skipBlank(s, i + 1)
                if j < s.count && (s[j] == "}" || (isValueTerminator(s[j]) && s[j] != "]" && s[j] != ",")) { return problem(j, noValue) }
            }
            if c == "[" || c == "{" { brackets.append(c) } else if (c == "]" || c == "}") && !brackets.isEmpty { brackets.removeLast() }
            i += 1
        }
        return nil
    }

    /// What toml++ takes for the end of a value: whitespace of any kind, `]`, `}`, `,` and `#`.
    static func isValueTerminator(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || c == "]" || c == "}" || c == "," || c == "#"
    }

    /// The index of the next scalar that is not an ASCII blank, a line break or part of a comment.
    static func skipBlank(_ s: [Unicode.Scalar], _ from: Int) -> Int {
        var j = from
        while j < s.count {
            if s[j] == " " || s[j] == "\t" || s[j] == "\n" || s[j] == "\r" { j += 1; continue }
            if s[j] == "#" { while j < s.count && s[j] != "\n" { j += 1 }; continue }
            break
        }
        return j
    }

    static func isKeyStart(_ c: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(c) || ("a"..."z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-" || c == "\"" || c == "'"
    }

    /// The index after the string starting at `i`, or `nil` when `s[i]` opens none.
    static func skipString(_ s: [Unicode.Scalar], _ i: Int) -> Int? {
        let q = s[i]
        guard q == "\"" || q == "'" else { return nil }
        let multi = i + 2 < s.count && s[i + 1] == q && s[i + 2] == q
        var j = i + (multi ? 3 : 1)
        while j < s.count {
            if q == "\"" && s[j] == "\\" { j += 2; continue }
            if !multi && s[j] == "\n" { return j }
            if s[j] == q && (!multi || (j + 2 < s.count && s[j + 1] == q && s[j + 2] == q)) {
                return j + (multi ? 3 : 1)
            }
            j += 1
        }
        return s.count
    }
}
