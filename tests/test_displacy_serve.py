"""heron.displacy.serve: the page over HTTP (the real server, in a thread), ports, Ctrl-C."""
import socket
import sys
import types
import urllib.error
import urllib.request
from wsgiref import simple_server

import pytest
from displacy_serving import serving

from heron import displacy
from heron.errors import HeronError, HeronWarning
from heron.tokens import Doc, Span


@pytest.fixture
def doc(en_vocab):
    doc = Doc(en_vocab, words=["Ada", "codes", "in", "<London>"], heads=[1, 1, 1, 2],
              deps=["nsubj", "ROOT", "prep", "pobj"])
    doc.ents = [Span(doc, 0, 1, label="PERSON"), Span(doc, 3, 4, label="GPE")]
    return doc


def fetch(url, method="GET"):
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode("utf8")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), ""


@pytest.fixture
def busy_port():
    """A port on 127.0.0.1 held by a listening socket."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_serve_sends_the_rendered_page_until_shut_down(monkeypatch, doc, capsys):
    with serving(monkeypatch, doc, style="dep") as url:
        status, headers, page = fetch(url)
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert page.startswith("<!DOCTYPE html>") and page.count('class="displacy-arc"') == 3
        assert "&lt;London&gt;" in page and "<London>" not in page
        assert "default-src 'none'" in headers["Content-Security-Policy"]  # no scripts, even injected ones
        assert fetch(url + "any/path")[2] == page
        assert fetch(url + "favicon.ico")[0] == 404
        assert fetch(url, method="POST")[0] == 405
        status, headers, body = fetch(url, method="HEAD")
        assert status == 200 and body == "" and int(headers["Content-Length"]) == len(page.encode("utf8"))
    out = capsys.readouterr().out
    assert "Using the 'dep' visualizer" in out and f"Serving on {url[:-1]} ..." in out
    with pytest.raises(urllib.error.URLError):  # closed after shutdown
        fetch(url)


def test_serve_entities_as_a_fragment(monkeypatch, doc):
    with serving(monkeypatch, [doc, doc], style="ent", page=False, minify=True) as url:
        page = fetch(url)[2]
    assert page.startswith('<div class="entities"') and page.count("<mark") == 4 and "\n" not in page


def test_an_idle_connection_does_not_hold_up_other_requests(monkeypatch, doc):
    with serving(monkeypatch, doc, style="ent") as url:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        # what a browser's spare connection looks like: opened, never sent a request
        with socket.create_connection(("127.0.0.1", port), timeout=30):
            assert fetch(url)[0] == 200


def test_busy_port_is_an_error_unless_auto_selected(monkeypatch, doc, busy_port):
    with pytest.raises(HeronError, match=rf"\[E636\] displacy.serve: port {busy_port} on host '127.0.0.1'"):
        displacy.serve(doc, port=busy_port, host="127.0.0.1")
    with pytest.warns(HeronWarning, match=rf"\[W634\] displacy.serve: 127.0.0.1:{busy_port} is in use"):
        port = displacy.find_available_port(busy_port, "127.0.0.1", auto_select=True)
    assert port > busy_port
    # the real serve() (its W634 comes from the server's thread)
    with pytest.warns(HeronWarning, match=r"\[W634\]"):
        with serving(monkeypatch, doc, style="ent", port=busy_port, auto_select_port=True) as url:
            assert not url.endswith(f":{busy_port}/") and fetch(url)[0] == 200


def test_ctrl_c_stops_serve(monkeypatch, doc, capsys):
    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(simple_server.WSGIServer, "serve_forever", interrupted)
    assert displacy.serve(doc, style="ent", port=0, host="0.0.0.0") is None
    out = capsys.readouterr().out
    assert "Serving on http://0.0.0.0:" in out and "(on this machine: http://localhost:" in out
    assert "Shutting down server on port" in out


def test_serve_in_a_notebook_warns(monkeypatch, doc):
    class ZMQInteractiveShell:
        pass

    ipython = types.ModuleType("IPython")
    ipython.get_ipython = ZMQInteractiveShell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setattr(simple_server.WSGIServer, "serve_forever", lambda self: None)
    with pytest.warns(HeronWarning, match=r"\[W633\]"):
        displacy.serve(doc, style="ent", port=0, host="127.0.0.1")


def test_app_serves_the_last_render(doc):
    markup = displacy.render(doc, style="ent", jupyter=False)
    started = []
    body = displacy.app({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, lambda status, headers: started.append(status))
    assert started == ["200 OK"] and b"".join(body).decode("utf8") == markup
