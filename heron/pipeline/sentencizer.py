"""sentencizer: rule-based sentence boundaries (spaCy's algorithm).

A sentence ends after a run of sentence-final punctuation ("." "!" "?" and the
equivalents in other scripts) plus any punctuation that directly follows it, such as
closing quotes and brackets: `He said "Stop!" Then left.` splits after `"`, not
after `!`. The next non-punctuation token starts a new sentence. Abbreviations are
the tokenizer's job: "Dr." is one token, so its "." never counts as a boundary.

    nlp.add_pipe("sentencizer")                       # default punctuation
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "|"]})
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence

from ..registry import registry
from .component import Nlp, Pipe

# Sentence-final punctuation across scripts (same set as spaCy v3's Sentencizer).
DEFAULT_PUNCT_CHARS = [
    "!", ".", "?", "։", "؟", "۔", "܀", "܁", "܂", "߹", "।", "॥", "၊", "။", "።", "፧", "፨",
    "᙮", "᜵", "᜶", "᠃", "᠉", "᥄", "᥅", "᪨", "᪩", "᪪", "᪫", "᭚", "᭛", "᭞", "᭟", "᰻", "᰼",
    "᱾", "᱿", "‼", "‽", "⁇", "⁈", "⁉", "⸮", "⸼", "꓿", "꘎", "꘏", "꛳", "꛷", "꡶", "꡷", "꣎",
    "꣏", "꤯", "꧈", "꧉", "꩝", "꩞", "꩟", "꫰", "꫱", "꯫", "﹒", "﹖", "﹗", "！", "．", "？",
    "𐩖", "𐩗", "𑁇", "𑁈", "𑂾", "𑂿", "𑃀", "𑃁", "𑅁", "𑅂", "𑅃", "𑇅", "𑇆", "𑇍", "𑇞", "𑇟",
    "𑈸", "𑈹", "𑈻", "𑈼", "𑊩", "𑑋", "𑑌", "𑗂", "𑗃", "𑗉", "𑗊", "𑗋", "𑗌", "𑗍", "𑗎", "𑗏",
    "𑗐", "𑗑", "𑗒", "𑗓", "𑗔", "𑗕", "𑗖", "𑗗", "𑙁", "𑙂", "𑜼", "𑜽", "𑜾", "𑩂", "𑩃", "𑪛",
    "𑪜", "𑱁", "𑱂", "𖩮", "𖩯", "𖫵", "𖬷", "𖬸", "𖭄", "𛲟", "𝪈", "｡", "。",
]


@registry.factory(
    "sentencizer",
    default_config={"punct_chars": None, "overwrite": False},
    assigns=["token.is_sent_start", "doc.sents"],
)
def make_sentencizer(nlp: Nlp, name: str, punct_chars: Optional[List[str]] = None,
                     overwrite: bool = False) -> "Sentencizer":
    """Rule-based sentence splitter.

    punct_chars (list[str] | null): tokens that end a sentence; null = the default
        multilingual set (DEFAULT_PUNCT_CHARS).
    overwrite (bool): replace sentence boundaries set earlier (e.g. by a parser);
        false keeps them and only fills tokens whose boundary is still unknown.
    """
    return Sentencizer(name, punct_chars=punct_chars, overwrite=overwrite)


class Sentencizer(Pipe):
    """Set `token.is_sent_start` from punctuation; see the module docstring."""

    def __init__(self, name: str = "sentencizer", *, punct_chars: Optional[Iterable[str]] = None,
                 overwrite: bool = False):
        super().__init__(name)
        self.punct_chars = set(punct_chars) if punct_chars else set(DEFAULT_PUNCT_CHARS)
        self.overwrite = bool(overwrite)

    def predict(self, docs: Sequence[Any]) -> List[List[bool]]:
        """One list per Doc: True where a token starts a sentence."""
        return [self._guess(doc) for doc in docs]

    def _guess(self, doc) -> List[bool]:
        guesses = [False] * len(doc)
        if not guesses:
            return guesses
        guesses[0] = True
        seen_final = False
        after_space = False
        for token in doc:
            if token.is_space:  # whitespace tokens trail the sentence before them
                after_space = True
                continue
            is_final = self._is_final(token.text)
            # After the sentence-final run, attached punctuation (closing quotes and
            # brackets: `"Stop!" He`) still belongs to the old sentence; the first
            # other token opens one. Unlike spaCy, punctuation after a space (an
            # opening quote: `Yes. "No`) opens the new sentence too.
            if seen_final and not is_final and (not token.is_punct or after_space):
                guesses[token.i] = True
                seen_final = False
            elif is_final:
                seen_final = True
            after_space = bool(token.whitespace_) or token.is_space
        return guesses

    def _is_final(self, text: str) -> bool:
        if text in self.punct_chars:
            return True
        # "?!", "!!!" end sentences; an ellipsis "..." is too often mid-sentence.
        return len(text) > 1 and set(text) <= self.punct_chars and set(text) != {"."}

    def set_annotations(self, docs: Sequence[Any], guesses: List[List[bool]]) -> None:
        for doc, doc_guesses in zip(docs, guesses):
            for token, is_start in zip(doc, doc_guesses):
                if self.overwrite or token.is_sent_start is None or token.i == 0:
                    token.is_sent_start = is_start

    # ---- serialisation: settings only ---------------------------------------------
    def _state(self) -> Dict[str, Any]:
        return {"punct_chars": sorted(self.punct_chars), "overwrite": self.overwrite}

    def _load_state(self, state: Dict[str, Any]) -> None:
        self.punct_chars = set(state.get("punct_chars") or DEFAULT_PUNCT_CHARS)
        self.overwrite = bool(state.get("overwrite", self.overwrite))


__all__ = ["Sentencizer", "make_sentencizer", "DEFAULT_PUNCT_CHARS"]
