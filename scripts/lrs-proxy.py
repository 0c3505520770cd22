#!/usr/bin/env python3
"""A reverse proxy in front of a learning record store that a test can make fail.

It forwards every request to the LRS (--backend) as it is. While the file --fail-file exists,
it answers 503 with Retry-After: 1 instead, as a load balancer does during maintenance; when
the LRS itself is down it answers the same 503 (no backend), as a load balancer does too. One
JSON line per request goes to --log: method, path, status and whether the LRS was reached.
"""
import argparse
import http.client
import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument("--port-file", required=True, help="the bound port is written here once listening")
    p.add_argument("--backend", required=True, help="the LRS, e.g. http://127.0.0.1:8100")
    p.add_argument("--fail-file", required=True)
    p.add_argument("--log", required=True)
    args = p.parse_args()
    # A parent may have blocked these (the test runner does); stopping must still stop.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    backend = urlsplit(args.backend)
    lock = threading.Lock()

    def record(entry):
        with lock, open(args.log, "a") as f:
            f.write(json.dumps(entry) + "\n")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def relay(self):
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            status, headers, answer, reached = 503, [("Retry-After", "1")], b'{"detail": "the LRS is down"}', False
            if os.path.exists(args.fail_file):
                answer = b'{"detail": "maintenance"}'
            else:
                try:
                    c = http.client.HTTPConnection(backend.hostname, backend.port, timeout=30)
                    hop = {"host", "connection", "content-length", "transfer-encoding"}
                    c.request(self.command, self.path, body=body,
                              headers={k: v for k, v in self.headers.items() if k.lower() not in hop})
                    r = c.getresponse()
                    status, answer, reached = r.status, r.read(), True
                    headers = [(k, v) for k, v in r.getheaders() if k.lower() not in hop]
                    c.close()
                except OSError:
                    pass
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            record({"method": self.command, "path": self.path, "status": status, "reached": reached})

        do_GET = do_POST = do_PUT = relay

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
