"""displaCy for heron: dependency parses, entities and spans drawn as SVG/HTML, with
spaCy's API, options, dict formats and markup.

    from heron import displacy
    svg = displacy.render(doc, style="dep")                        # markup (str)
    html = displacy.render(docs, style="ent", page=True)           # a whole HTML page
    displacy.render(doc, style="span", options={"spans_key": "sc"})
    displacy.render({"words": [...], "arcs": [...]}, manual=True)  # no Doc needed
    displacy.serve(doc, style="dep", port=5000)                    # http://localhost:5000

In a Jupyter notebook `render` displays the picture (and returns None) instead of
returning the markup; jupyter=False/True overrides the detection. Every text, label,
tag, title and option value is escaped, so text from anywhere is safe to show; pages
need nothing from the network.

Files: parse.py (Docs -> dicts), render_dep.py / render_ent.py / render_span.py (dicts ->
markup), templates.py (spaCy's markup), _checks.py (options, manual dicts), server.py
(the web server). dep.py and ent.py draw the self-contained pages of
`heron evaluate --displacy-path` (one SVG per sentence).
"""
from __future__ import annotations

import sys
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple, Type, Union

from ..errors import Errors, HeronTypeError, HeronValueError, Warnings, warn
from ..tokens import Doc, Span
from ._checks import check_manual, check_options
from .dep import render_dep_svg, render_parses
from .ent import render_ent_markup, render_entities
from .parse import get_doc_settings, parse_deps, parse_ents, parse_spans
from .render_dep import DependencyRenderer
from .render_ent import EntityRenderer
from .render_span import SpanRenderer
from .server import find_available_port, make_app, make_server, run_until_interrupted

Renderer = Union[DependencyRenderer, EntityRenderer, SpanRenderer]
FACTORIES: Dict[str, Tuple[Type[Any], Callable[..., Dict[str, Any]]]] = {
    "dep": (DependencyRenderer, parse_deps),
    "ent": (EntityRenderer, parse_ents),
    "span": (SpanRenderer, parse_spans),
}
STYLES = tuple(FACTORIES)
RENDER_WRAPPER: Optional[Callable[[str], str]] = None
_html: Dict[str, str] = {}  # the last render, which `app` serves (as spaCy's displacy.app)

DocsLike = Union[Doc, Span, Mapping[str, Any], Iterable[Union[Doc, Span, Mapping[str, Any]]]]


def render(docs: DocsLike, style: str = "dep", page: bool = False, minify: bool = False,
           jupyter: Optional[bool] = None, options: Mapping[str, Any] = {}, manual: bool = False) -> Optional[str]:
    """Markup of a Doc, a Span (drawn as its own Doc), a dict (manual=True) or a list of them.

    style: "dep" (an SVG parse per document), "ent" (text with highlighted entities) or
        "span" (tokens over coloured bars of doc.spans[spans_key], overlaps stacked).
    page: a whole HTML page, each document in a <figure>; False: just the markup to embed.
    minify: drop the templates' indentation and newlines.
    jupyter: display in the notebook and return None (True), return the markup (False);
        None: display when running in a Jupyter/Colab kernel.
    options: per style, as in spaCy (see docs/usage/visualizers.md): dep: compact,
        collapse_punct, collapse_phrases, fine_grained, add_lemma, color, bg, font,
        offset_x, arrow_stroke, arrow_width, arrow_spacing, word_spacing, distance; ent:
        ents, colors, template, kb_url_template; span: spans_key, template, colors,
        kb_url_template, top_offset, span_label_offset, top_offset_step.
    manual: `docs` are dicts in the format of parse_deps/parse_ents/parse_spans.
    RETURNS: the markup (after set_render_wrapper's function), or None when displayed.
    """
    markup = _render_markup(docs, style, page=page, minify=minify, options=options, manual=manual)
    if RENDER_WRAPPER is not None:
        markup = RENDER_WRAPPER(markup)
    if jupyter or (jupyter is None and is_in_jupyter()):
        _display(markup)
        return None
    return markup


def serve(docs: DocsLike, style: str = "dep", page: bool = True, minify: bool = False,
          options: Mapping[str, Any] = {}, manual: bool = False, port: int = 5000, host: str = "0.0.0.0",
          auto_select_port: bool = False) -> None:
    """Render, then serve the page at http://host:port until Ctrl-C.

    port: a busy port is E636, or with auto_select_port=True the next free one (W634);
        0 lets the system pick (printed). host: "0.0.0.0" (spaCy's default) answers on
        every network interface; "127.0.0.1" keeps the page on this machine.
    The other arguments are render's. For a server you can stop from code (tests, apps):
    make_server(render(..., jupyter=False), port=0), then serve_forever in a thread.
    """
    if is_in_jupyter():
        warn(Warnings.W633)
    html = _render_markup(docs, style, page=page, minify=minify, options=options, manual=manual)
    server = make_server(html, port=port, host=host, auto_select_port=auto_select_port)
    run_until_interrupted(server, style=style, host=host)


def app(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
    """WSGI app serving the last render (spaCy's displacy.app)."""
    return make_app(_html.get("parsed", ""))(environ, start_response)


def set_render_wrapper(func: Optional[Callable[[str], str]]) -> None:
    """Call `func(markup)` on every render's markup and return its result instead (to
    embed pictures in another platform's page); None removes the wrapper."""
    global RENDER_WRAPPER
    if func is not None and not callable(func):
        raise HeronTypeError(Errors.E638.format(type=type(func).__name__))
    RENDER_WRAPPER = func


def is_in_jupyter() -> bool:
    """True inside a Jupyter (ZMQ) or Colab kernel. Looks only at modules already
    imported: a kernel has imported IPython, so plain Python never pays for the import."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    if shell is None:
        return "google.colab" in sys.modules
    return type(shell).__name__ == "ZMQInteractiveShell" or type(shell).__module__.startswith("google.colab")


def _render_markup(docs: DocsLike, style: str, *, page: bool, minify: bool, options: Mapping[str, Any],
                   manual: bool) -> str:
    if style not in FACTORIES:
        raise HeronValueError(Errors.E425.format(style=style, styles=", ".join(map(repr, STYLES))))
    options = check_options(options, style)
    items = _as_list(docs)
    renderer_class, converter = FACTORIES[style]
    if manual:
        parsed = check_manual(items, style)
    else:
        docs_to_draw = [_check_doc(obj, i) for i, obj in enumerate(items)]  # every mistake before any work
        parsed = [converter(doc, options) for doc in docs_to_draw]
    renderer: Renderer = renderer_class(options=options)
    _html["parsed"] = renderer.render(parsed, page=page, minify=minify).strip()
    return _html["parsed"]


def _as_list(docs: Any) -> List[Any]:
    if isinstance(docs, (Doc, Span, Mapping)):
        return [docs]
    if isinstance(docs, (str, bytes)):
        raise HeronTypeError(Errors.E630.format(i=0, type=type(docs).__name__))
    try:
        return list(docs)
    except TypeError:
        raise HeronTypeError(Errors.E630.format(i=0, type=type(docs).__name__)) from None


def _check_doc(obj: Any, i: int) -> Doc:
    if isinstance(obj, Mapping):
        raise HeronTypeError(Errors.E631.format(i=i, type=type(obj).__name__, manual=True,
                                                fix="pass manual=True to draw dicts as they are"))
    if not isinstance(obj, (Doc, Span)):
        raise HeronTypeError(Errors.E630.format(i=i, type=type(obj).__name__))
    return obj.as_doc() if isinstance(obj, Span) else obj


def _display(markup: str) -> None:
    try:
        from IPython.display import HTML, display
    except ImportError as err:
        raise HeronValueError(Errors.E635.format(err=err)) from None
    # the span stops MathJax from reading "$" in the text as formulas (spaCy #4840)
    display(HTML(f'<span class="tex2jax_ignore">{markup}</span>'))


__all__ = [
    "render", "serve", "app", "set_render_wrapper", "is_in_jupyter", "parse_deps", "parse_ents", "parse_spans",
    "get_doc_settings", "DependencyRenderer", "EntityRenderer", "SpanRenderer", "find_available_port", "make_app",
    "make_server", "STYLES", "render_dep_svg", "render_parses", "render_entities", "render_ent_markup",
]
