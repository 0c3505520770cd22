import Foundation
import Hummingbird
import JitdCore
import Logging
import NIOCore
import NIOFoundationCompat

/// An RFC 9457 problem document: every error the API answers is one.
///
/// `errors` carries one entry per bad field or item when a request body is rejected whole
/// (`index` is the position in the posted list, `field` a JSON path such as `completions[3].staff_id`).
struct Problem: HTTPResponseError {
    struct FieldError: Sendable, Hashable {
        var index: Int?
        var field: String
        var message: String
    }

    var status: HTTPResponse.Status
    var title: String
    var detail: String?
    var errors: [FieldError] = []
    var headers: HTTPFields = [:]

    init(status: HTTPResponse.Status, title: String? = nil, detail: String?, errors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    static func badRequest(_ detail: String, errors: [FieldError] = []) -> Problem {
        Problem(status: .badRequest, detail: detail, errors: errors)
    }

    static func notFound(_ detail: String) -> Problem { Problem(status: .notFound, detail: detail) }

    var response: Response {
        var body: [String: JSONValue] = ["type": .string("about:blank"), "title": .string(title), "status": .int(status.code)]
        if let detail { body["detail"] = .string(detail) }
        if !errors.isEmpty {
            body["errors"] = .array(errors.map { e in
                var o: [String: JSONValue] = ["field": .string(e.field), "message": .string(e.message)]
                if let i = e.index { o["index"] = .int(i) }
                return .object(o)
            })
        }
        var r = JSONResponse.make(.object(body), status: status, contentType: "application/problem+json")
        for field in headers { r.headers.append(field) }
        return r
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }
}

/// Turns whatever a route or Hummingbird throws into a problem document, so no error leaves the
/// server in another shape. Errors that are not the client's are logged and answered with 500.
///
/// It also refuses, before any route reads a byte, a body whose `Content-Length` is over the limit.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
            return Problem(status: .contentTooLarge, detail: "the request body is \(length) bytes; jitd accepts at most \(maxBodyBytes)").response
        }
        do {
            return try await next(request, context)
        } catch let p as Problem {
            return p.response
        } catch is NIOTooManyBytesError {
            return Problem(status: .contentTooLarge, detail: "the request body is larger than this endpoint accepts").response
        } catch let e as HTTPError {
            let detail = e.status == .notFound ? "no such resource: \(request.method) \(request.uri.path)" : e.body
            var p = Problem(status: e.status, detail: detail)
            for field in e.headers where field.name != .contentType && field.name != .contentLength { p.headers.append(field) }
            return p.response
        } catch let e as any HTTPResponseError {
            return Problem(status: e.status, detail: nil).response
        } catch {
            logger.error("internal error answering \(request.method) \(request.uri.path): \(error)")
            return Problem(status: .internalServerError, detail: "jitd could not answer this request; the daemon's log says why").response
        }
    }
}

enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        bytes(Array(value.encoded()), status: status, contentType: contentType)
    }

    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        buffer(ByteBuffer(bytes: bytes), status: status, contentType: contentType)
    }

    static func buffer(_ buffer: ByteBuffer, status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }
}
