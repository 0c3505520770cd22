#!/usr/bin/env python3
"""A small webhook receiver that verifies Standard Webhooks signatures and prints what it gets.

Used by the demo (prints to the terminal) and by the end-to-end tests (--out writes one JSON
object per delivery). The signature is checked with the `standardwebhooks` package, an
implementation independent of jitd's own signer.
"""
import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main():
    # A parent may have blocked or ignored SIGTERM (test runners do); a receiver must stop on it.
    import signal
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument("--secret-file", required=True)
    p.add_argument("--out", help="append one JSON line per delivery here")
    p.add_argument("--status", type=int, default=200, help="HTTP status to answer with")
    p.add_argument("--port-file", help="write the bound port here once listening")
    p.add_argument("--fail-seconds", type=float, default=0,
                   help="for this long after start, answer --fail-status instead (an outage)")
    p.add_argument("--fail-status", type=int, default=503)
    args = p.parse_args()
    import time
    started = time.time()
    secret = open(args.secret_file).read().strip()
    verifier = Webhook(secret)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                verifier.verify(body, headers)
                verified = True
            except WebhookVerificationError as e:
                verified = False
                print(f"!! signature check failed: {e}", file=sys.stderr, flush=True)
            event = json.loads(body or b"{}")
            now = time.time()
            status = args.fail_status if now - started < args.fail_seconds else args.status
            record = {"verified": verified, "status": status, "received_at": now, "webhook_id": headers.get("webhook-id"),
                      "webhook_timestamp": headers.get("webhook-timestamp"),
                      "signature": headers.get("webhook-signature"), "path": self.path, "event": event}
            with lock:
                if args.out:
                    with open(args.out, "a") as f:
                        f.write(json.dumps(record) + "\n")
                data = event.get("data", {})
                what = data.get("module", {}).get("title", "") if isinstance(data.get("module"), dict) else ""
                print(f"{'✔' if verified else '✘'} {event.get('type')} {headers.get('webhook-id')} "
                      f"{data.get('staff_id', '')} {data.get('unit', '')} {data.get('start', '')} {what}".rstrip(), flush=True)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(server.server_address[1]))
        import os
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"receiver listening on http://127.0.0.1:{server.server_address[1]}/", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
