"""A small local web server for one rendered page (the standard library's wsgiref).

    server = make_server(html, port=0, host="127.0.0.1")   # port 0: the system picks one
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ... http://127.0.0.1:{server.server_port}/ ...
    server.shutdown(); server.server_close()

`heron.displacy.serve` renders, then blocks in `run_until_interrupted` (Ctrl-C stops it).
The page is sent with a Content-Security-Policy that allows no scripts, fonts, images or
requests: the markup needs none, and a page of untrusted text then stays inert even if
some value slipped through escaping.
"""
from __future__ import annotations

import errno
import socket
import socketserver
from typing import Any, Callable, Iterable, List
from wsgiref import simple_server

from ..errors import Errors, HeronValueError, Warnings, warn

HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
]
LAST_PORT = 65535


def make_app(html: str) -> Callable[..., Iterable[bytes]]:
    """A WSGI app answering GET/HEAD of any path with `html` (favicon.ico: 404)."""
    body = html.encode("utf8", "surrogatepass")

    def app(environ: dict, start_response: Callable[..., Any]) -> List[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Length", "0")])
            return [b""]
        if environ.get("PATH_INFO", "/") == "/favicon.ico":  # browsers ask; an HTML page is not an icon
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        start_response("200 OK", HEADERS + [("Content-Length", str(len(body)))])
        return [b"" if method == "HEAD" else body]

    return app


class ThreadingWSGIServer(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    """wsgiref's server with a thread per connection: browsers open spare connections
    ahead of need, and on a one-thread server an idle one blocks every other request (and
    shutdown) until the browser gives up on it, a minute or more later."""

    daemon_threads = True  # an idle connection never holds up Ctrl-C


class _QuietHandler(simple_server.WSGIRequestHandler):
    """wsgiref's handler without its line on stderr per request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def make_server(html: str, *, port: int = 5000, host: str = "0.0.0.0", auto_select_port: bool = False,
                log_requests: bool = True) -> ThreadingWSGIServer:
    """A started (bound) but not yet serving server for the page `html`.

    port: 0 lets the system pick a free port (read it back as server.server_port); a busy
    port is E636, or with auto_select_port=True the next free port above it (W634).
    host: "0.0.0.0" (spaCy's default) answers on every network interface: anyone who can
    reach the machine sees the page; "127.0.0.1" keeps it on this machine.
    """
    port = find_available_port(port, host, auto_select_port)
    handler = simple_server.WSGIRequestHandler if log_requests else _QuietHandler
    try:
        return simple_server.make_server(host, port, make_app(html), server_class=ThreadingWSGIServer,
                                         handler_class=handler)
    except OSError as err:  # taken between the check and the bind, or not an address of this host
        if err.errno != errno.EADDRINUSE:
            raise
        raise HeronValueError(Errors.E636.format(port=port, host=host)) from None


def run_until_interrupted(server: ThreadingWSGIServer, *, style: str, host: str) -> None:
    """Serve until Ctrl-C (KeyboardInterrupt), then close the socket."""
    port = server.server_port
    print(f"\nUsing the '{style}' visualizer")
    print(f"Serving on http://{host}:{port} ...\n")
    if host in ("0.0.0.0", ""):
        print(f"(on this machine: http://localhost:{port})\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print(f"Shutting down server on port {port}.")
    finally:
        server.server_close()


def find_available_port(start: int, host: str, auto_select: bool = False) -> int:
    """`start` if it is free (0 always is: the system picks), else E636, or with
    `auto_select` the next free port above it."""
    if start == 0 or not _is_port_in_use(start, host):
        return start
    if not auto_select:
        raise HeronValueError(Errors.E636.format(port=start, host=host))
    port = next((p for p in range(start + 1, LAST_PORT + 1) if not _is_port_in_use(p, host)), None)
    if port is None:
        raise HeronValueError(Errors.E637.format(host=host, port=start))
    warn(Warnings.W634.format(host=host, port=start, serve_port=port))
    return port


def _is_port_in_use(port: int, host: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False

