"""Casing scripts for the trainable lemmatizer (UDPipe 2's lemma rules: a casing script
plus an edit script; Straka 2018).

With `case_script = true` an edit tree rewrites the LOWERCASED form into the lowercased
lemma, and the lemma's casing is a separate choice relative to the form. "Books" ->
"book" and "books" -> "book" then share one tree instead of needing two, and an
all-caps form is never half-lowercased by a tree learnt on a capitalised word (a
case-sensitive tree "Xyz" -> "xyz" makes "gISB" of "GISB").

Casings, tried in this order when several reproduce a training lemma (so lowercase
lemmas of any form share "lower"):

    lower  the lemma is all lowercase               The -> the, Books -> book
    form   each character takes the case of the     GISB -> GISB, Greater -> Great
           form's character at its position (past
           the form's end: the case of its last one)
    title  first character upper, the rest lower    kerala -> Kerala
    upper  all uppercase                            usa -> USA

A training lemma no casing reproduces (rare: "iPhones" -> "IPhone") is left out of
training, as a tree below min_tree_freq is.
"""
from __future__ import annotations

from typing import Optional

CASINGS = ("lower", "form", "title", "upper")
N_CASINGS = len(CASINGS)


def lower(text: str) -> str:
    """Lowercase without changing the length ("İ".lower() is two characters), so the
    positions of a lowercased lemma still line up with the form's."""
    if text.islower() or not text:
        return text
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def apply_casing(casing: int, lemma_lower: str, form: str) -> str:
    """The lemma with casing `casing` (an index into CASINGS) given the form."""
    if casing == 0:
        return lemma_lower
    if casing == 1:
        if not form:
            return lemma_lower
        last_upper = form[-1].isupper()
        return "".join(
            (c.upper() if (form[i].isupper() if i < len(form) else last_upper) else c)
            if len(c.upper()) == 1 else c
            for i, c in enumerate(lemma_lower))
    if casing == 2:
        head = lemma_lower[:1].upper()
        return (head if len(head) == 1 else lemma_lower[:1]) + lemma_lower[1:]
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in lemma_lower)


def casing_of(form: str, lemma: str) -> Optional[int]:
    """The first casing that makes `lemma` of lower(lemma) and `form`, or None."""
    lemma_lower = lower(lemma)
    for casing in range(N_CASINGS):
        if apply_casing(casing, lemma_lower, form) == lemma:
            return casing
    return None


__all__ = ["CASINGS", "N_CASINGS", "apply_casing", "casing_of", "lower"]
