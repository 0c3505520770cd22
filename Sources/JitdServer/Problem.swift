import Foundation
import Hummingbird
import JitdCore

/// An RFC 9457 problem document.
struct Problem: HTTPResponseError {
    var status: HTTPResponse.Status
    var title: String
    var detail: String?

    var response: Response {
        var body: [String: JSONValue] = ["type": .string("about:blank"), "title": .string(title), "status": .int(status.code)]
        if let detail { body["detail"] = .string(detail) }
        return JSONResponse.make(.object(body), status: status, contentType: "application/problem+json")
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }
}

enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: value.encoded())))
    }
}

import NIOCore
import NIOFoundationCompat
