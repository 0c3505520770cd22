import Foundation

/// Sends one HTTP/1.1 request with its request target exactly as given (as `curl --path-as-is`
/// does) and returns the status code; `nil` when the server closed without answering. Test
/// clients built on HTTP types check a path's characters and would refuse some spellings an
/// attacker's client sends.
enum RawHTTP {
    /// Tried up to `tries` times while no answer comes (a loaded machine may miss the 30 s).
    static func status(port: Int, method: String, target: String, headers: [(String, String)] = [], body: String? = nil,
                       tries: Int) -> Int? {
        for attempt in 0..<max(1, tries) {
            if let s = status(port: port, method: method, target: target, headers: headers, body: body) { return s }
            // Two suites fuzzing their servers at once on two busy cores: a connection may be
            // refused for a moment; try again a little later rather than at once.
            if attempt + 1 < tries { usleep(UInt32(250_000 * (attempt + 1))) }
        }
        return nil
    }

    static func status(port: Int, method: String, target: String, headers: [(String, String)] = [], body: String? = nil) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if let body { request += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)" } else { request += "\r\n" }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            sent += n
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !reply.contains(0x0A) {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            reply += buffer[0..<n]
        }
        // "HTTP/1.1 401 Unauthorized"
        let line = String(decoding: reply.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
        return Int(parts[1])
    }
}

/// One loopback fuzz at a time: two suites sending thousands of raw requests to two servers in
/// one process at once left some of the first requests unanswered on a loaded two-core machine.
actor LoopbackFuzz {
    static let shared = LoopbackFuzz()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    static func exclusive<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await shared.acquire()
        do {
            let v = try await body()
            await shared.release()
            return v
        } catch {
            await shared.release()
            throw error
        }
    }

    private func acquire() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
