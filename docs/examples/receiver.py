#!/usr/bin/env python3
"""A minimal jitd webhook receiver that verifies Standard Webhooks signatures.

Standard library only. Run:  JITD_SECRET_FILE=/path/to/secret python3 receiver.py 9000
Answers 204 to a verified delivery (after dropping a duplicate webhook-id), 401 otherwise.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE_SECONDS = 5 * 60


def load_key(path):
    secret = open(path).read().strip()
    if not secret.startswith("whsec_"):
        sys.exit("this example verifies whsec_ (HMAC) secrets only")
    return base64.b64decode(secret[len("whsec_"):])


def verify(key, headers, body):
    """Returns the parsed event when the delivery is authentic and fresh; raises ValueError otherwise."""
    msg_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not msg_id or not timestamp.isdigit():
        raise ValueError("missing webhook-id or webhook-timestamp")
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        raise ValueError("timestamp too far from now")
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # During a secret rotation jitd sends one signature per secret, separated by spaces.
    for candidate in signatures.split(" "):
        version, _, sig = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(sig, expected):
            return json.loads(body)
    raise ValueError("no matching signature")


def main():
    key = load_key(os.environ["JITD_SECRET_FILE"])
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    seen = set()  # webhook-ids already handled; use a database with expiry in production

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                event = verify(key, headers, body)
            except ValueError as e:
                print(f"refused: {e}", file=sys.stderr, flush=True)
                self.send_response(401)
                self.end_headers()
                return
            if headers["webhook-id"] not in seen:
                seen.add(headers["webhook-id"])
                print(json.dumps({"webhook_id": headers["webhook-id"], "type": event["type"],
                                  "data": event["data"]}), flush=True)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    HTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
