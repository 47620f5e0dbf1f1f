#!/usr/bin/env python3
"""A real RFC 3161 time-stamping authority for the tests: a minimal HTTP
endpoint on loopback whose every answer is made by `openssl ts -reply`.

    tsa_server.py DIR PORT

DIR holds what tests/lib/tsa.sh made (tsa.cnf, the keys and certificates).
DIR/mode, read at each request, picks the answer:
    ok        a token over the request, by the authority under the test CA
    stranger  a token over the request, by an authority of another CA
    otherdata a token over other bytes (a different imprint and nonce)
    garbage   200 with bytes that are no reply
    error     HTTP 500
Each request is counted in DIR/requests."""
import http.server
import os
import subprocess
import sys
import tempfile

DIR, PORT = sys.argv[1], int(sys.argv[2])
MAX_QUERY = 64 * 1024


def mode():
    try:
        with open(os.path.join(DIR, "mode")) as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


def reply(query, signer):
    with tempfile.TemporaryDirectory(dir=DIR) as tmp:
        q, r = os.path.join(tmp, "q.tsq"), os.path.join(tmp, "r.tsr")
        with open(q, "wb") as f:
            f.write(query)
        cmd = ["openssl", "ts", "-reply", "-config", os.path.join(DIR, "tsa.cnf"),
               "-queryfile", q, "-out", r]
        if signer == "stranger":
            cmd += ["-signer", os.path.join(DIR, "stranger.crt"),
                    "-inkey", os.path.join(DIR, "stranger.key"),
                    "-chain", os.path.join(DIR, "stranger-ca.crt")]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=20)
        with open(r, "rb") as f:
            return f.read()


def other_query():
    with tempfile.TemporaryDirectory(dir=DIR) as tmp:
        data, q = os.path.join(tmp, "data"), os.path.join(tmp, "q.tsq")
        with open(data, "wb") as f:
            f.write(os.urandom(64))
        subprocess.run(["openssl", "ts", "-query", "-data", data, "-sha256", "-cert", "-out", q],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
        with open(q, "rb") as f:
            return f.read()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        with open(os.path.join(DIR, "requests"), "a") as f:
            f.write("1\n")
        n = int(self.headers.get("Content-Length", "0"))
        if n <= 0 or n > MAX_QUERY or self.headers.get("Content-Type") != "application/timestamp-query":
            self.send_error(400)
            return
        query = self.rfile.read(n)
        m = mode()
        try:
            if m == "error":
                self.send_error(500)
                return
            if m == "garbage":
                body = b"this is not a time-stamp reply"
            elif m == "otherdata":
                body = reply(other_query(), "ok")
            else:
                body = reply(query, m)
        except (subprocess.SubprocessError, OSError):
            self.send_error(500)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
