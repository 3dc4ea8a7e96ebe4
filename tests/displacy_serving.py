"""Runs the real heron.displacy.serve in a thread for tests, and stops it from the test."""
from __future__ import annotations

import contextlib
import threading
import time
from typing import Any, Iterator, List

from heron import displacy


@contextlib.contextmanager
def serving(monkeypatch: Any, docs: Any, **kwargs: Any) -> Iterator[str]:
    """The URL of `displacy.serve(docs, **kwargs)` (host 127.0.0.1, a free port unless
    given) while the block runs; then the server is shut down and serve() must return."""
    servers: List[Any] = []
    errors: List[BaseException] = []
    make_server = displacy.make_server

    def recording_make_server(*args: Any, **kw: Any) -> Any:
        servers.append(make_server(*args, **kw))
        return servers[-1]

    def run() -> None:
        try:
            displacy.serve(docs, **{"port": 0, "host": "127.0.0.1", **kwargs})
        except BaseException as err:  # handed to the test below
            errors.append(err)

    monkeypatch.setattr(displacy, "make_server", recording_make_server)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not servers and not errors and time.monotonic() < deadline:
        time.sleep(0.01)
    if errors:
        raise errors[0]
    assert servers, "displacy.serve did not start a server"
    try:
        yield f"http://127.0.0.1:{servers[0].server_port}/"
    finally:
        servers[0].shutdown()
        thread.join(30)
    assert not thread.is_alive(), "displacy.serve did not return after shutdown"
    if errors:
        raise errors[0]
