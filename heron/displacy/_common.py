"""What the three displaCy renderers share: label colours, escaping, the page frame,
knowledge-base links and minification.
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence, Tuple

from ..errors import Errors, HeronValueError
from ._markup import escape
from .templates import TPL_FIGURE, TPL_KB_LINK, TPL_PAGE

DEFAULT_LANG = "en"
DEFAULT_DIR = "ltr"
DEFAULT_ENTITY_COLOR = "#ddd"
# spaCy's colours for the OntoNotes labels; other labels get DEFAULT_ENTITY_COLOR.
DEFAULT_LABEL_COLORS = {
    "ORG": "#7aecec",
    "PRODUCT": "#bfeeb7",
    "GPE": "#feca74",
    "LOC": "#ff9561",
    "PERSON": "#aa9cfc",
    "NORP": "#c887fb",
    "FAC": "#9cc9cc",
    "EVENT": "#ffeb80",
    "LAW": "#ff8197",
    "LANGUAGE": "#ff8197",
    "WORK_OF_ART": "#f0d0ff",
    "DATE": "#bfe1d9",
    "TIME": "#bfe1d9",
    "MONEY": "#e4e7d2",
    "QUANTITY": "#e4e7d2",
    "ORDINAL": "#e4e7d2",
    "CARDINAL": "#e4e7d2",
    "PERCENT": "#e4e7d2",
}


def label_colors(options: Mapping[str, Any]) -> Dict[str, str]:
    """The default colours updated by options["colors"], keyed by upper-cased label
    (labels match case-insensitively, as in spaCy)."""
    colors = dict(DEFAULT_LABEL_COLORS)
    colors.update(options.get("colors") or {})
    return {str(label).upper(): str(color) for label, color in colors.items()}


def color_of(colors: Mapping[str, str], label: str) -> str:
    """The escaped colour of `label` (colours land inside a style attribute)."""
    return escape(colors.get(str(label).upper(), DEFAULT_ENTITY_COLOR))


def kb_link(kb_id: Any, kb_url: Any) -> str:
    """The link after a label to its knowledge-base entry ('' without an id)."""
    if not kb_id:
        return ""
    return TPL_KB_LINK.format(kb_id=escape(kb_id), kb_url=escape(kb_url or "#"))


def settings_of(parsed: Sequence[Mapping[str, Any]]) -> Tuple[str, str]:
    """(lang, direction) of a render: the first document's settings decide, as in spaCy."""
    settings = (parsed[0].get("settings") or {}) if parsed else {}
    return str(settings.get("lang", DEFAULT_LANG)), str(settings.get("direction", DEFAULT_DIR))


def finish(rendered: List[str], *, page: bool, minify: bool, lang: str, direction: str) -> str:
    """The pieces joined, or each in a <figure> on a whole HTML page; minified if asked."""
    if page:
        figures = "".join(TPL_FIGURE.format(content=piece) for piece in rendered)
        markup = TPL_PAGE.format(content=figures, lang=escape(lang), dir=escape(direction))
    else:
        markup = "".join(rendered)
    return minify_html(markup) if minify else markup


def minify_html(html: str) -> str:
    """spaCy's template-specific minification: drops the templates' indentation and
    newlines (not a general HTML minifier: text with four spaces in a row loses them)."""
    return html.strip().replace("    ", "").replace("\n", "")


def fill(template: str, option: str, **values: Any) -> str:
    """A user template (options["template"]) filled, with a coded error for a placeholder
    the renderer doesn't provide."""
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError) as err:
        raise HeronValueError(Errors.E639.format(option=option, err=f"{type(err).__name__}: {err}",
                                                 names=", ".join("{" + k + "}" for k in values))) from None
