"""Docs to the dicts the renderers draw (spaCy's parse_deps, parse_ents, parse_spans);
the same dicts are what `render(..., manual=True)` takes.

    parse_deps(doc)  -> {"words": [{"text", "tag", "lemma"}], "arcs": [{"start", "end", "label", "dir"}], "settings"}
    parse_ents(doc)  -> {"text", "ents": [{"start", "end", "label", "kb_id", "kb_url"}], "title", "settings"}
    parse_spans(doc) -> {"text", "tokens", "spans": [{"start", "end", "start_token", "end_token", "label",
                         "kb_id", "kb_url"}], "title", "settings"}

A Span is drawn as its own Doc (span.as_doc()); the title is doc.user_data["title"].
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from ..errors import Errors, HeronValueError, Warnings, warn
from ..tokens import Doc, Span


def parse_deps(orig_doc: Any, options: Mapping[str, Any] = {}) -> Dict[str, Any]:
    """Words (with tags) and arcs of a parsed Doc or Span.

    options: collapse_punct (default True: punctuation joins the word before it),
    collapse_phrases (False: each noun chunk becomes one word; needs the language's
    noun-chunk rules), fine_grained (False: tag_ instead of pos_ under the words),
    add_lemma (False: the lemma under each word too). The Doc itself is not changed.
    """
    orig_doc = _as_doc(orig_doc)
    doc = orig_doc.copy()  # collapsing retokenizes: work on a copy
    parsed = doc.has_annotation("DEP")
    if not parsed:
        warn(Warnings.W630)
    if options.get("collapse_phrases", False) and parsed:  # no parse, no noun chunks: draw the words
        with doc.retokenize() as retokenizer:
            for chunk in list(doc.noun_chunks):
                root = chunk.root
                retokenizer.merge(chunk, attrs={"tag": root.tag_, "lemma": root.lemma_, "ent_type": root.ent_type_})
    if options.get("collapse_punct", True):
        _collapse_punct(doc)
    fine_grained, add_lemma = options.get("fine_grained"), options.get("add_lemma")
    words = [{"text": w.text, "tag": w.tag_ if fine_grained else w.pos_, "lemma": w.lemma_ if add_lemma else None}
             for w in doc]
    arcs = []
    for word in doc:
        head = word.head.i
        if word.i < head:
            arcs.append({"start": word.i, "end": head, "label": word.dep_, "dir": "left"})
        elif word.i > head:
            arcs.append({"start": head, "end": word.i, "label": word.dep_, "dir": "right"})
    return {"words": words, "arcs": arcs, "settings": get_doc_settings(orig_doc)}


def _collapse_punct(doc: Doc) -> None:
    """Merge each run of punctuation into the word before it (that word's tag, lemma and
    entity type win), so "Hello !!!" draws as one word."""
    runs: List[Tuple[Span, str, str, str]] = []
    for word in doc[:-1]:
        if word.is_punct or not word.nbor(1).is_punct:
            continue
        end = word.i + 1
        while end < len(doc) and doc[end].is_punct:
            end += 1
        runs.append((doc[word.i:end], word.tag_, word.lemma_, word.ent_type_))
    with doc.retokenize() as retokenizer:
        for span, tag, lemma, ent_type in runs:
            retokenizer.merge(span, attrs={"tag": tag, "lemma": lemma, "ent_type": ent_type})


def parse_ents(doc: Any, options: Mapping[str, Any] = {}) -> Dict[str, Any]:
    """The text and its entities (character offsets) of a Doc or Span.

    options: kb_url_template (e.g. "https://www.wikidata.org/wiki/{}"; each entity's
    kb_id_ fills the {}, and the label links there).
    """
    doc = _as_doc(doc)
    template = options.get("kb_url_template")
    ents = [{"start": ent.start_char, "end": ent.end_char, "label": ent.label_, "kb_id": ent.kb_id_ or "",
             "kb_url": _kb_url(template, ent.kb_id_)} for ent in doc.ents]
    if not ents:
        warn(Warnings.W631)
    return {"text": doc.text, "ents": ents, "title": _title(doc), "settings": get_doc_settings(doc)}


def parse_spans(doc: Any, options: Mapping[str, Any] = {}) -> Dict[str, Any]:
    """The tokens and the spans of doc.spans[spans_key] (default "sc") of a Doc or Span.

    options: spans_key ("sc", the key spancat writes to), kb_url_template (as in parse_ents).
    """
    doc = _as_doc(doc)
    template = options.get("kb_url_template")
    spans_key = options.get("spans_key", "sc")
    group = doc.spans[spans_key] if spans_key in doc.spans else []
    spans = [{"start": span.start_char, "end": span.end_char, "start_token": span.start, "end_token": span.end,
              "label": span.label_, "kb_id": span.kb_id_ or "", "kb_url": _kb_url(template, span.kb_id_)}
             for span in group]
    if not spans:
        warn(Warnings.W632.format(spans_key=spans_key, keys=sorted(doc.spans.keys())))
    return {"text": doc.text, "spans": spans, "title": _title(doc), "settings": get_doc_settings(doc),
            "tokens": [token.text for token in doc]}


def get_doc_settings(doc: Any) -> Dict[str, Any]:
    """{"lang", "direction"} of the Doc: the page's lang attribute and text direction."""
    writing_system = getattr(doc.vocab, "writing_system", None) or {}
    return {"lang": doc.lang_, "direction": writing_system.get("direction", "ltr")}


def _as_doc(doc: Any) -> Doc:
    return doc.as_doc() if isinstance(doc, Span) else doc


def _title(doc: Doc) -> Optional[str]:
    user_data = getattr(doc, "user_data", None) or {}
    return user_data.get("title")


def _kb_url(template: Optional[str], kb_id: str) -> str:
    if not template:
        return "#"
    try:
        return template.format(kb_id)
    except (KeyError, IndexError, ValueError) as err:
        raise HeronValueError(Errors.E634.format(template=template, err=f"{type(err).__name__}: {err}")) from None
