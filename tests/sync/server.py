"""server.py -- the loopback HTTP server the sync tests download from.

A ThreadingHTTPServer on 127.0.0.1 (port chosen by the kernel) that serves
byte strings the test registers per path, and records every request:

    srv = Server(); srv.start()
    srv.route("/aws/api-models-aws/tar.gz/<commit>", body, etag='"a"')
    ... run airlock-compile sync ...
    srv.log  -> [{"path", "range", "if_range", "if_none_match",
                  "if_modified_since", "status", "sent"}, ...]

Per route: `etag` / `last_modified` (None: not sent), `status` (answer
with that status and a short error body instead), `cut_after` (send the
headers of the whole answer, then only that many body bytes, then close
the connection; `cut_times` answers in a row), `delay` (seconds between
16 KiB chunks, to keep a transfer running while a test interferes),
`ranges` (honour Range / If-Range).  Conditional requests follow RFC 9110:
If-None-Match against the ETag, else If-Modified-Since against
Last-Modified (equality is enough here), answered 304 with no body.
"""
import email.utils
import http.server
import socket
import threading
import time


class Route:
    def __init__(self, body, etag=None, last_modified=None, status=None,
                 cut_after=None, cut_times=1, delay=0.0, ranges=True,
                 content_type="application/x-gzip"):
        self.body = body
        self.etag = etag
        self.last_modified = last_modified
        self.status = status
        self.cut_after = cut_after
        self.cut_times = cut_times
        self.delay = delay
        self.ranges = ranges
        self.content_type = content_type


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the tests print what matters
        pass

    def _record(self, status, sent):
        h = self.headers
        self.server.owner._append({
            "path": self.path, "range": h.get("Range"),
            "if_range": h.get("If-Range"),
            "if_none_match": h.get("If-None-Match"),
            "if_modified_since": h.get("If-Modified-Since"),
            "authorization": h.get("Authorization") is not None,
            "status": status, "sent": sent})

    def _simple(self, status, body=b"", extra=None):
        self.send_response(status)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self._record(status, len(body) if self.command != "HEAD" else 0)

    def do_GET(self):
        owner = self.server.owner
        with owner.lock:
            owner.active += 1
        try:
            self._get()
        finally:
            with owner.lock:
                owner.active -= 1

    def _get(self):
        r = self.server.owner.routes.get(self.path.split("?")[0])
        if r is None:
            return self._simple(404, b"no such archive\n")
        if r.status is not None:
            return self._simple(r.status, b"injected failure %d\n" % r.status)
        validators = {}
        if r.etag is not None:
            validators["ETag"] = r.etag
        if r.last_modified is not None:
            validators["Last-Modified"] = r.last_modified
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            if r.etag is not None and inm.strip() == r.etag:
                return self._simple(304, b"", validators)
        elif ims is not None and r.last_modified is not None and ims.strip() == r.last_modified:
            return self._simple(304, b"", validators)

        body, start, status = r.body, 0, 200
        rng = self.headers.get("Range")
        if rng and r.ranges and rng.startswith("bytes=") and rng.endswith("-"):
            if_range = self.headers.get("If-Range")
            fresh = if_range is None or if_range in (r.etag, r.last_modified)
            n = int(rng[6:-1])
            if fresh and n >= len(body):
                return self._simple(416, b"", {"Content-Range": "bytes */%d" % len(body)})
            if fresh:
                start, status = n, 206
        self.send_response(status)
        for k, v in validators.items():
            self.send_header(k, v)
        self.send_header("Content-Type", r.content_type)
        self.send_header("Content-Length", str(len(body) - start))
        if status == 206:
            self.send_header("Content-Range",
                             "bytes %d-%d/%d" % (start, len(body) - 1, len(body)))
        self.end_headers()
        payload = body[start:]
        limit = len(payload)
        cut = False
        with self.server.owner.lock:
            if r.cut_after is not None and r.cut_times > 0:
                r.cut_times -= 1
                limit, cut = min(r.cut_after, limit), True
        sent = 0
        try:
            while sent < limit:
                chunk = payload[sent:min(limit, sent + 16384)]
                self.wfile.write(chunk)
                sent += len(chunk)
                if r.delay:
                    self.wfile.flush()
                    time.sleep(r.delay)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        if cut:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._record(status, sent)


class Server:
    def __init__(self):
        self.routes = {}
        self.log = []
        self.active = 0
        self.lock = threading.Lock()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.base = "http://127.0.0.1:%d" % self.port
        self.thread = None

    def _append(self, rec):
        with self.lock:
            self.log.append(rec)

    def route(self, path, body, **kw):
        r = Route(body, **kw)
        self.routes[path] = r
        return r

    def take_log(self):
        # a handler records after its last byte: let running ones finish
        deadline = time.time() + 5
        while time.time() < deadline:
            with self.lock:
                if not self.active:
                    break
            time.sleep(0.01)
        with self.lock:
            out, self.log = self.log, []
        return out

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def http_date(t):
    return email.utils.formatdate(t, usegmt=True)
