"""The JSON-lines protocol every peer script speaks (see bench/_common/processes.py `Peer`):
one request object per stdin line, one response object per stdout line."""
import json
import resource
import sys
from typing import Any, Callable, Dict


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(handle: Callable[[Dict[str, Any]], Dict[str, Any]]) -> int:
    """Answer requests until stdin closes; the "rss" command is answered here."""
    for line in sys.stdin:
        if line.strip():
            req = json.loads(line)
            out = {"peak_rss_mb": peak_rss_mb()} if req.get("cmd") == "rss" else handle(req)
            sys.stdout.write(json.dumps(out) + "\n")
            sys.stdout.flush()
    return 0
