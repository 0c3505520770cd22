import Foundation
import Hummingbird
import JitdCore
import NIOCore
import NIOFoundationCompat

/// Query parameters, checked strictly: a parameter that is present must be valid, or the request
/// is a 400 naming it. Nothing is silently clamped or ignored.
struct QueryInput {
    let parameters: Parameters

    init(_ request: Request) { parameters = request.uri.queryParameters }

    /// A non-empty string, or `nil` when absent.
    func string(_ key: String) throws -> String? {
        let all = parameters[values: key[...]]
        guard let v = all.first else { return nil }
        guard all.count == 1 else { throw Problem.badRequest("\(Brief.quoted(key)) is given \(all.count) times; give it once") }
        guard !v.isEmpty else { throw Problem.badRequest("\(Brief.quoted(key)) must not be empty") }
        return String(v)
    }

    func required(_ key: String) throws -> String {
        guard let v = try string(key) else { throw Problem.badRequest("the query parameter \(Brief.quoted(key)) is required") }
        return v
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let s = try string(key) else { return nil }
        guard let v = Int(s), range.contains(v) else {
            throw Problem.badRequest("\(Brief.quoted(key)) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    func instant(_ key: String) throws -> Instant? {
        guard let s = try string(key) else { return nil }
        guard let t = StrictTime.parse(s) else {
            throw Problem.badRequest("\(Brief.quoted(key)) must be an RFC 3339 date-time with an offset, such as 2026-11-24T12:00:00Z")
        }
        return t
    }

    func oneOf<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let s = try string(key) else { return nil }
        guard let v = T(rawValue: s) else {
            throw Problem.badRequest("\(Brief.quoted(key)) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }
}

/// RFC 3339 `date-time` exactly as OpenAPI's `format: date-time` means it: seconds required,
/// `T` between date and time, `Z` or a `±hh:mm` offset. Looser forms are refused so that the
/// API accepts precisely what its OpenAPI document promises.
enum StrictTime {
    static func parse(_ s: String) -> Instant? {
        let b = Array(s.utf8)
        func digit(_ i: Int) -> Bool { i < b.count && (48...57).contains(b[i]) }
        func number(_ i: Int, _ n: Int) -> Int {
            var v = 0
            for k in i..<i + n { v = v * 10 + Int(b[k] - 48) }
            return v
        }
        guard b.count >= 20, (0..<4).allSatisfy({ digit($0) }), b[4] == 45, digit(5), digit(6), b[7] == 45, digit(8), digit(9),
              b[10] == 84 || b[10] == 116, digit(11), digit(12), b[13] == 58, digit(14), digit(15), b[16] == 58,
              digit(17), digit(18), number(11, 2) < 24, number(14, 2) < 60, number(17, 2) <= 60 else { return nil }
        var i = 19
        if i < b.count, b[i] == 46 {
            i += 1
            guard digit(i) else { return nil }
            while digit(i) { i += 1 }
        }
        guard i < b.count else { return nil }
        if b[i] == 90 || b[i] == 122 {
            guard i + 1 == b.count else { return nil }
        } else if b[i] == 43 || b[i] == 45 {
            guard i + 6 == b.count, digit(i + 1), digit(i + 2), b[i + 3] == 58, digit(i + 4), digit(i + 5),
                  number(i + 1, 2) < 24, number(i + 4, 2) < 60 else { return nil }
        } else {
            return nil
        }
        return Instant(rfc3339: s)
    }
}

/// Reads a JSON request body up to a size limit.
enum JSONBody {
    /// The parsed body: a 413 past `limit` bytes, a 400 saying where the JSON breaks.
    static func read(_ request: Request, limit: Int) async throws -> JSONValue {
        if let type = request.headers[.contentType] {
            let media = String(type.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces).lowercased()
            guard media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json")) else {
                throw Problem(status: .unsupportedMediaType, detail: "the request body must be application/json, not \(Brief.quoted(type))")
            }
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw Problem(status: .contentTooLarge, detail: "the request body is \(length) bytes; this endpoint accepts at most \(limit)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem(status: .contentTooLarge, detail: "the request body is larger than the \(limit) bytes this endpoint accepts")
        }
        let data = Data(buffer: buffer)
        guard !data.isEmpty else { throw Problem.badRequest("the request body is empty; it must be a JSON object") }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let why = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
            throw Problem.badRequest("the request body is not valid JSON: \(why)")
        } catch {
            throw Problem.badRequest("the request body is not valid JSON")
        }
    }

    /// The JSON type name of a value, for messages.
    static func typeName(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
