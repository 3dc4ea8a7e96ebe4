"""Token <-> wordpiece alignment, wordpiece tokenization and windows, on the tiny fixture
tokenizers (WordPiece, byte-level BPE, SentencePiece/Unigram)."""
from __future__ import annotations

import unicodedata
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import heron
from heron.errors import HeronValueError, HeronWarning
from heron.featurize.alignment import (
    align_doc,
    align_tokens,
    doc_piece_offsets,
    doc_token_spans,
    piece_coverage,
    trim_whitespace,
)
from heron.featurize.span_pieces import tokenize_spans
from heron.featurize.windows import average_windows, plan_span_windows, plan_windows
from heron.tokens import Doc
from heron.transformer.data import Ragged, TransformerData

KINDS = ["bert", "roberta", "sentencepiece"]


@pytest.fixture(scope="module")
def nlp():
    return heron.blank("en")


@pytest.fixture(scope="module", params=KINDS)
def hf_tok(request, load_hf_tokenizer):
    return load_hf_tokenizer(request.getfixturevalue(f"tiny_{request.param}_dir"))


def _align(doc, tok):
    pieces = tokenize_spans(tok, [doc.text])
    return pieces[0], align_doc(doc, [0], pieces)


def _reference(doc, offsets):
    """Brute force: token t owns piece p iff they share a non-whitespace character."""
    text = doc.text
    out = []
    for s, e in doc_token_spans(doc):
        chars = {i for i in range(s, e) if not text[i].isspace()}
        out.append([p for p, (a, b) in enumerate(offsets)
                    if chars & {i for i in range(a, b) if not text[i].isspace()}])
    return out


def _check_exact(doc, tok):
    pieces, ragged = _align(doc, tok)
    offsets = doc_piece_offsets([0], [pieces])
    assert len(ragged) == len(doc)
    assert ragged.tolist() == _reference(doc, offsets)
    # Every non-space character any piece covers is covered by a piece of ITS token.
    owner = np.full(len(doc.text), -1)
    for t, (s, e) in enumerate(doc_token_spans(doc)):
        owner[s:e] = t
    for t, idx in enumerate(ragged.tolist()):
        assert idx == sorted(set(idx))
        for p in idx:
            a, b = offsets[p]
            assert any(owner[c] == t for c in range(a, b) if not doc.text[c].isspace())
    return pieces, ragged


def _pieces_of(doc, tok, i):
    pieces, ragged = _align(doc, tok)
    return [pieces.wordpieces[p] for p in ragged[i]]


# ---- unit behaviour of align_tokens ---------------------------------------------------

def test_align_tokens_overlap_rule_without_text():
    tokens = [(0, 3), (4, 6), (6, 7)]
    pieces = [(0, 0), (0, 2), (2, 5), (5, 7), (7, 7)]   # specials are empty
    r = align_tokens(tokens, pieces)
    assert r.tolist() == [[1, 2], [2, 3], [3]]


def test_trim_whitespace_makes_space_only_ranges_empty():
    text = "ab  c\n"
    out = trim_whitespace(np.array([[0, 3], [2, 4], [1, 5], [5, 6]]), text)
    assert out.tolist() == [[0, 2], [2, 2], [1, 5], [5, 5]]


def test_align_tokens_rejects_bad_shapes_and_order():
    with pytest.raises(HeronValueError, match="E705"):
        align_tokens([[0, 1, 2]], [[0, 1]])
    with pytest.raises(HeronValueError, match="E705"):
        align_tokens([[4, 5], [0, 1]], [[0, 1]])


def test_align_empty_inputs():
    assert len(align_tokens(np.zeros((0, 2)), np.zeros((0, 2)))) == 0
    r = align_tokens([(0, 2)], np.zeros((0, 2)))
    assert r.lengths.tolist() == [0]


# ---- every tokenizer family ------------------------------------------------------------

CASES = [
    "A café in Zürich serves crème brûlée.",
    "Emoji 😀 and 👍🏽 and ☃ here!",
    "Whitespace   tokens\n\n and\ttabs  .",
    "Supercalifragilisticexpialidociousinternationalization is long.",
    "Москва и 東京 and naïve Señor Muñoz.",
    "She paid $12.50 on 2024-05-17 (e-mail: smith@example.com).",
    "",
    "   ",
]


@pytest.mark.parametrize("text", CASES)
def test_alignment_is_exact(nlp, hf_tok, text):
    _check_exact(nlp(text), hf_tok)


def test_whitespace_tokens_align_to_nothing(nlp, hf_tok):
    doc = nlp("one  two\n\nthree \t four")
    _, ragged = _check_exact(doc, hf_tok)
    space_tokens = [t.i for t in doc if t.text.isspace()]
    assert space_tokens
    for i in space_tokens:
        assert ragged.lengths[i] == 0
    for t in doc:
        if not t.text.isspace():
            assert ragged.lengths[t.i] > 0


def test_very_long_token_gets_all_its_pieces_in_order(nlp, hf_tok):
    word = "internationalizationunbelievablylongwordstokenization"
    doc = nlp(f"A {word} here")
    pieces, ragged = _check_exact(doc, hf_tok)
    idx = ragged[1]
    assert len(idx) > 5
    assert idx.tolist() == list(range(idx[0], idx[-1] + 1))   # contiguous, ascending
    start, end = piece_coverage(ragged, doc_piece_offsets([0], [pieces]))
    assert (start[1], end[1]) == (doc[1].idx, doc[1].idx + len(word))


def test_pieces_decode_to_the_token(nlp, hf_tok):
    doc = nlp("A café in Zürich said hello world")
    pieces, ragged = _check_exact(doc, hf_tok)
    norm = hf_tok.backend_tokenizer.normalizer
    for t in doc:
        got = hf_tok.convert_tokens_to_string([pieces.wordpieces[p] for p in ragged[t.i]]).strip()
        lowercasing = type(hf_tok).__name__.startswith("Bert")   # the uncased WordPiece fixture
        want = norm.normalize_str(t.text) if lowercasing else t.text
        if "[UNK]" not in got and "<unk>" not in got:
            assert got == want


def test_accents_map_back_to_original_text(nlp, load_hf_tokenizer, tiny_bert_dir):
    tok = load_hf_tokenizer(tiny_bert_dir)
    doc = nlp("Crème brûlée in Zürich")
    pieces, ragged = _check_exact(doc, tok)
    joined = "".join(pieces.wordpieces[p].replace("##", "") for p in ragged[0])
    assert joined == "creme"     # lowercased, accents stripped ...
    start, end = piece_coverage(ragged, doc_piece_offsets([0], [pieces]))
    assert doc.text[start[0]:end[0]] == "Crème"    # ... but offsets cover the original


def test_bert_drops_control_characters(load_hf_tokenizer, tiny_bert_dir, en_vocab):
    tok = load_hf_tokenizer(tiny_bert_dir)
    doc = Doc(en_vocab, words=["a", "\x07", "b", "\x00\x01"], spaces=[True, True, True, False])
    _, ragged = _check_exact(doc, tok)
    assert ragged.lengths.tolist() == [1, 0, 1, 0]


def test_unknown_character_aligns_to_unk(load_hf_tokenizer, tiny_bert_dir, en_vocab):
    tok = load_hf_tokenizer(tiny_bert_dir)
    doc = Doc(en_vocab, words=["a", "☃", "b"])
    pieces, ragged = _check_exact(doc, tok)
    assert [pieces.wordpieces[p] for p in ragged[1]] == ["[UNK]"]


@pytest.mark.parametrize("trim", [True, False])
def test_byte_level_leading_space_stays_with_its_own_token(nlp, load_hf_tokenizer, tiny_roberta_dir, trim):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_roberta_dir), local_files_only=True, trim_offsets=trim)
    doc = nlp("a café  in 😀 x")
    pieces, ragged = _check_exact(doc, tok)
    in_offsets = pieces.offsets[[p for p in range(len(pieces)) if pieces.wordpieces[p] == "Ġin"]]
    assert in_offsets.tolist() == ([[8, 10]] if trim else [[7, 10]])   # untrimmed: " in" incl. space
    by_token = {t.text: [pieces.wordpieces[p] for p in ragged[t.i]] for t in doc}
    assert by_token["in"] == ["Ġin"]
    assert "Ġin" not in by_token["café"] and by_token[" "] == []
    assert by_token["😀"][0].startswith("Ġ") and len(by_token["😀"]) >= 2   # split bytes, all kept


def test_sentencepiece_lone_marker_joins_next_token(nlp, load_hf_tokenizer, tiny_sentencepiece_dir):
    tok = load_hf_tokenizer(tiny_sentencepiece_dir)
    doc = nlp("in Zürich 😀 x")
    pieces, ragged = _check_exact(doc, tok)
    for p, piece in enumerate(pieces.wordpieces):
        if piece == "▁" and pieces.offsets[p, 1] > pieces.offsets[p, 0]:
            owners = [t for t in range(len(doc)) if p in ragged[t]]
            assert len(owners) == 1 and doc[owners[0]].idx == pieces.offsets[p, 0]


def test_piece_straddling_tokens_belongs_to_both(nlp, hf_tok):
    doc = nlp("don't stop")        # heron splits "do" + "n't"; tokenizers split differently
    pieces, ragged = _check_exact(doc, hf_tok)
    offsets = doc_piece_offsets([0], [pieces])
    for p in range(len(pieces)):
        owners = [t.i for t in doc if p in ragged[t.i]]
        a, b = offsets[p]
        assert owners == [t.i for t in doc if t.idx < b and a < t.idx + len(t.text)
                          and b > a and not t.text.isspace()]


def test_multiple_spans_offsets_shift(nlp, hf_tok):
    doc = nlp("First one. Second one.")
    spans = [doc[0:3], doc[3:6]]
    pieces = tokenize_spans(hf_tok, [s.text for s in spans])
    ragged = align_doc(doc, [s.start_char for s in spans], pieces)
    n0 = len(pieces[0])
    assert all(p < n0 for t in range(3) for p in ragged[t])
    assert all(p >= n0 for t in range(3, 6) for p in ragged[t])
    assert all(ragged.lengths > 0)


# ---- property test: random texts from a word list ------------------------------------

WORDS = ["the", "The", "café", "Zürich", "naïve", "😀", "👍🏽", "☃", "Straße", "don't", "e-mail",
         "12.50", "$", "(", ")", "!", "Москва", "東京", "unbelievably", "internationalization",
         "a", "I", "x", "\u00e9t\u00e9", "co-op", "U.S.", "?!", "...", "hello", "Señor"]
SEPS = [" ", " ", " ", "", "  ", "\n", "\t", " \n "]


@st.composite
def texts(draw):
    words = draw(st.lists(st.sampled_from(WORDS), min_size=0, max_size=12))
    seps = draw(st.lists(st.sampled_from(SEPS), min_size=len(words), max_size=len(words)))
    return draw(st.sampled_from(["", " "])) + "".join(w + s for w, s in zip(words, seps))


def _dropped(ch: str) -> bool:
    """Characters a tokenizer may drop: whitespace, control/format characters, and combining
    marks (accent stripping removes a separate U+0301, so no piece covers it)."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Mn")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts())
def test_property_alignment_covers_every_char_once(nlp, hf_tok, text):
    doc = nlp(text)
    pieces, ragged = _check_exact(doc, hf_tok)
    offsets = doc_piece_offsets([0], [pieces])
    covered = np.zeros(len(text), dtype=bool)
    for t, (s, e) in enumerate(doc_token_spans(doc)):
        for p in ragged[t]:
            a, b = offsets[p]
            covered[max(a, s):min(b, e)] = True
    for i, ch in enumerate(text):
        assert covered[i] != _dropped(ch), (i, ch, text)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(WORDS + [" ", "\n", "\x07", "\u200b", "a\u0301"]), max_size=10),
       data=st.data())
def test_property_any_doc_tokens(en_vocab, hf_tok, words, data):
    spaces = data.draw(st.lists(st.booleans(), min_size=len(words), max_size=len(words)))
    doc = Doc(en_vocab, words=words, spaces=spaces)
    pieces, ragged = _check_exact(doc, hf_tok)
    offsets = doc_piece_offsets([0], [pieces])
    for t, (s, e) in enumerate(doc_token_spans(doc)):
        owned = np.zeros(e - s, dtype=bool)
        for p in ragged[t]:
            owned[max(offsets[p][0], s) - s:min(offsets[p][1], e) - s] = True
        for i in range(s, e):   # every character the tokenizer keeps is owned by its token
            if not _dropped(doc.text[i]):
                assert owned[i - s], (doc.text, t, i)


# ---- tokenize_spans, windows, averaging -------------------------------------------------

def test_tokenize_spans_flags_specials_and_relative_offsets(hf_tok):
    out = tokenize_spans(hf_tok, ["hello world", "", "the café"])
    assert len(out) == 3
    for sp, text in zip(out, ["hello world", "", "the café"]):
        assert sp.special_mask[0] and sp.special_mask[-1]
        assert len(sp.wordpieces) == len(sp) == sp.offsets.shape[0]
        assert (sp.offsets[sp.special_mask] == 0).all()
        assert sp.offsets.max() <= len(text)
        lo, hi = sp.content
        assert not sp.special_mask[lo:hi].any() and sp.special_mask[:lo].all()
    assert out[1].content[0] == out[1].content[1]


def test_slow_tokenizer_is_refused():
    class Slow:
        is_fast = False
        name_or_path = "slowpoke"

    with pytest.raises(HeronValueError, match="E701.*slowpoke"):
        tokenize_spans(Slow(), ["x"])


def test_plan_windows_cover_everything():
    assert plan_windows(5, window=8, stride=4) == [(0, 5)]
    assert plan_windows(0, window=8, stride=4) == [(0, 0)]
    assert plan_windows(10, window=4, stride=3) == [(0, 4), (3, 7), (6, 10)]
    assert plan_windows(10, window=4, stride=4) == [(0, 4), (4, 8), (8, 10)]
    for n in range(1, 40):
        for window in (1, 3, 7):
            for stride in range(1, window + 1):
                wins = plan_windows(n, window=window, stride=stride)
                seen = np.zeros(n, int)
                for a, b in wins:
                    assert 0 < b - a <= window
                    seen[a:b] += 1
                assert (seen > 0).all() and wins[-1][1] == n
    with pytest.raises(HeronValueError, match="E708.*window"):
        plan_windows(3, window=0, stride=1)
    with pytest.raises(HeronValueError, match="E708.*stride"):
        plan_windows(3, window=2, stride=3)


def _long_text(n_words=120):
    words = ["the", "quick", "brown", "fox", "café", "Zürich", "unbelievably", "😀", "tokens", "."]
    return " ".join(words[i % len(words)] for i in range(n_words))


def test_short_span_is_one_window_identical_to_the_span(hf_tok):
    sp = tokenize_spans(hf_tok, ["the quick brown fox"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plan = plan_span_windows(sp, max_length=64)
    assert len(plan) == 1 and plan.input_ids[0].tolist() == sp[0].input_ids.tolist()


def test_long_span_is_windowed_never_truncated(hf_tok):
    sp = tokenize_spans(hf_tok, [_long_text(), "short"])
    assert len(sp[0]) > 64
    with pytest.warns(HeronWarning, match="W700.*heron.sent_spans.v1.*strided_spans"):
        plan = plan_span_windows(sp, max_length=64, getter_name="heron.sent_spans.v1")
    assert (plan.lengths <= 64).all() and len(plan) > 2
    seen = np.zeros(len(sp[0]), int)
    for ids, tgt, s in zip(plan.input_ids, plan.targets, plan.span_index):
        if s == 0:
            seen[tgt] += 1
            assert ids[0] == sp[0].input_ids[0] and ids[-1] == sp[0].input_ids[-1]
            assert (ids == sp[0].input_ids[tgt]).all()
    assert (seen > 0).all()
    assert plan.span_index.tolist()[-1] == 1


def test_strided_window_is_clamped_to_max_length(hf_tok):
    sp = tokenize_spans(hf_tok, [_long_text(40)])
    with pytest.warns(HeronWarning, match="W701"):
        plan = plan_span_windows(sp, max_length=16, window=100, stride=8)
    assert (plan.lengths <= 16).all()
    with pytest.raises(HeronValueError, match="E709"):
        plan_span_windows(sp, max_length=2)


def test_average_windows_is_the_mean_of_window_outputs_and_differentiable():
    import torch

    # Two spans: 9 content pieces in windows of 4 every 2, and 1 piece.
    from heron.featurize.span_pieces import SpanPieces
    spans = [SpanPieces(np.arange(11, dtype=np.int64), [str(i) for i in range(11)],
                        np.zeros((11, 2), np.int32), np.array([1] + [0] * 9 + [1], bool)),
             SpanPieces(np.arange(3, dtype=np.int64), ["a", "b", "c"], np.zeros((3, 2), np.int32),
                        np.array([1, 0, 1], bool))]
    plan = plan_span_windows(spans, max_length=20, window=4, stride=2)
    torch.manual_seed(0)
    width = 3
    padded = torch.randn(len(plan), int(plan.lengths.max()) + 1, width, requires_grad=True)
    out = average_windows(padded, plan)
    assert [o.shape for o in out] == [(11, width), (3, width)]
    for s, o in enumerate(out):
        for j in range(int(plan.span_lengths[s])):
            rows = [padded[w, int(np.flatnonzero(plan.targets[w] == j)[0])]
                    for w in range(len(plan)) if plan.span_index[w] == s and j in plan.targets[w]]
            assert torch.allclose(o[j], torch.stack(rows).mean(0))
    out[0].sum().backward()
    g = padded.grad
    # A piece in k windows sends 1/k back to each; the CLS is in every window of span 0.
    k_cls = int((plan.span_index == 0).sum())
    assert torch.allclose(g[0, 0], torch.full((width,), 1.0 / k_cls))
    assert (g[plan.span_index == 1] == 0).all()
    assert torch.allclose(torch.cat(average_windows(
        [padded[i, :n] for i, n in enumerate(plan.lengths)], plan)), torch.cat(out))
    with pytest.raises(HeronValueError, match="E706"):
        average_windows(padded[:1], plan)


def test_long_doc_through_real_model_windows(nlp, tiny_trf_dir, load_hf_tokenizer):
    import torch
    from transformers import AutoModel

    torch.set_num_threads(1)
    tok = load_hf_tokenizer(tiny_trf_dir)
    model = AutoModel.from_pretrained(str(tiny_trf_dir), local_files_only=True).eval()
    doc = nlp(_long_text(90))
    pieces = tokenize_spans(tok, [doc.text])
    plan = plan_span_windows(pieces, max_length=32, window=20, stride=12)
    L = int(plan.lengths.max())
    ids = torch.full((len(plan), L), tok.pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(plan), L), dtype=torch.long)
    for i, w in enumerate(plan.input_ids):
        ids[i, :w.size] = torch.as_tensor(w)
        mask[i, :w.size] = 1
    with torch.no_grad():
        hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
    (per_span,) = average_windows(hidden, plan)
    assert per_span.shape == (len(pieces[0]), model.config.hidden_size)
    ragged = align_doc(doc, [0], pieces)
    data = TransformerData(pieces[0].wordpieces, pieces[0].input_ids, per_span.numpy(), ragged)
    assert data.width == model.config.hidden_size
    # A piece in the first window only equals that window's row (nothing else averaged in).
    assert torch.allclose(per_span[1], hidden[0, 1])
    for j in range(len(pieces[0])):   # every piece: the mean of the windows that saw it
        rows = [hidden[w, int(np.flatnonzero(t == j)[0])] for w, t in enumerate(plan.targets) if j in t]
        assert torch.allclose(per_span[j], torch.stack(rows).mean(0), atol=1e-6)


# ---- data classes -------------------------------------------------------------------------

def test_ragged_roundtrip_and_errors():
    r = Ragged.from_lists([[0, 1], [], [2]])
    assert r.tolist() == [[0, 1], [], [2]] and len(r) == 3
    assert r[2].tolist() == [2] and r[-3].tolist() == [0, 1]
    assert r.starts.tolist() == [0, 2, 2] and r.token_index().tolist() == [0, 0, 2]
    assert Ragged.from_dict(r.to_dict()) == r
    with pytest.raises(IndexError):
        r[3]
    with pytest.raises(HeronValueError, match="E704"):
        Ragged(np.array([1, 2]), np.array([1]))
    with pytest.raises(HeronValueError, match="E704"):
        Ragged(np.array([1]), np.array([2, -1]))
    assert Ragged.from_lists([]).tolist() == []


def test_transformer_data_checks_and_serialises():
    import msgpack

    align = Ragged.from_lists([[1], [1, 2], []])
    hidden = np.arange(12, dtype=np.float32).reshape(4, 3)
    data = TransformerData(["[CLS]", "a", "##b", "[SEP]"], np.array([2, 7, 8, 3]), hidden, align)
    assert data.width == 3 and data.n_pieces == 4
    back = TransformerData.from_dict(msgpack.unpackb(msgpack.packb(data.to_dict())))
    assert back.wordpieces == data.wordpieces and back.align == align
    assert np.array_equal(back.last_hidden, hidden) and back.input_ids.dtype == np.int64
    with pytest.raises(HeronValueError, match="E707"):
        TransformerData(["a"], np.array([1, 2]), hidden[:1], Ragged.from_lists([[0]]))
    with pytest.raises(HeronValueError, match="E707"):
        TransformerData(["a"], np.array([1]), hidden, Ragged.from_lists([[0]]))
    with pytest.raises(HeronValueError, match="E707"):
        TransformerData(["a"], np.array([1]), hidden[:1], Ragged.from_lists([[3]]))
    empty = TransformerData.empty(n_tokens=2, width=5)
    assert empty.width == 5 and empty.align.lengths.tolist() == [0, 0]


def test_fixture_folders_load_offline(tiny_trf_dir, load_hf_tokenizer):
    from transformers import AutoConfig

    tok = load_hf_tokenizer(tiny_trf_dir)
    config = AutoConfig.from_pretrained(str(tiny_trf_dir), local_files_only=True)
    assert tok.is_fast and tok.model_max_length == 64
    assert config.hidden_size == 32 and config.num_hidden_layers == 2
    assert len(tok) <= config.vocab_size
    assert tok.pad_token_id == config.pad_token_id
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in tiny_trf_dir.iterdir()}
