"""ner: BILUO transition system, gold oracle with missing annotation, the component
(overfit, batch invariance, save/load, partial annotation, labels) and decoding."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import heron
from heron.errors import HeronValueError
from heron.pipeline._biluo import BiluoMoves, actions_to_spans, gold_oracle
from heron.training.example import Example

from fakes import WIDTH, biluo, ents_of, make_example, ner_config, ner_examples, train, trunk_model


def make_nlp(shared: bool = True, **model):
    nlp = heron.blank("en")
    if shared:
        nlp.add_pipe("tok2vec", config={"model": trunk_model(WIDTH)})
    nlp.add_pipe("ner", config=ner_config(shared, **model))
    return nlp


@pytest.fixture(scope="module")
def trained():
    torch.manual_seed(0)
    nlp = make_nlp(shared=True, extra_state_tokens=True)
    examples = ner_examples(nlp)
    nlp.initialize(lambda: examples)
    losses = train(nlp, examples, steps=25, lr=0.01)
    return nlp, examples, losses


# ---- transition system -------------------------------------------------------------


def test_moves_ids_names_and_add_label():
    moves = BiluoMoves(["PER"])
    assert moves.move_names == ["O", "B-PER", "I-PER", "L-PER", "U-PER"]
    assert moves.add_label("ORG") and not moves.add_label("PER")
    assert moves.n_moves == 9 and moves.move_names[5:] == ["B-ORG", "I-ORG", "L-ORG", "U-ORG"]
    # Adding a label never moves existing ids; unknown labels and missing tags are -1.
    assert moves.action_ids(["U-PER", "L-ORG", "O", None, "-", "B-LOC", ""]).tolist() == \
        [4, 7, 0, -1, -1, -1, -1]
    for bad in ["", "O", "-", None, 3]:
        with pytest.raises(HeronValueError, match="E385"):
            moves.add_label(bad)


def test_validity_outside_inside_and_last_token():
    moves = BiluoMoves(["PER", "ORG"])
    valid = moves.tables().valid
    names = moves.move_names

    def allowed(is_last, state):
        return {names[a] for a in range(moves.n_moves) if valid[is_last, state, a]}

    assert allowed(0, 0) == {"O", "B-PER", "U-PER", "B-ORG", "U-ORG"}
    assert allowed(1, 0) == {"O", "U-PER", "U-ORG"}              # must close at the end
    assert allowed(0, 1) == {"I-PER", "L-PER"}                   # inside PER
    assert allowed(1, 2) == {"L-ORG"}                            # inside ORG, last token
    t = moves.tables()
    assert [int(t.next_state[a]) for a in range(5)] == [0, 1, 1, 0, 0]
    assert t.opens[1] and t.keeps[2] and not t.opens[4] and not t.keeps[3]


@pytest.mark.parametrize("tags,gold,states,e0,need", [
    (["B-PER", "I-PER", "L-PER", "O", "U-ORG"], [1, 2, 3, 0, 8], [0, 1, 1, 0, 0], [-1, 0, 0, -1, -1],
     [-1] * 5),
    # A missing token inside an entity: in PER (from the B before it), must stay in PER.
    (["B-PER", None, "L-PER"], [1, -1, 3], [0, 1, 1], [-1, 0, 0], [-1, 1, -1]),
    # A missing token before an entity must leave it possible (outside -> O or U-X).
    (["O", None, "B-PER", "L-PER"], [0, -1, 1, 3], [0, 0, 0, 1], [-1, -1, -1, 2], [-1, 0, -1, -1]),
    # Missing start: E0's best guess is the first token after the last boundary; in a
    # run of missing tokens only the first one's state is known, the last one's need.
    (["O", None, None, "I-PER", "L-PER"], [0, -1, -1, 2, 3], [0, 0, 0, 1, 1], [-1, -1, -1, 1, 1],
     [-1, -1, -1, -1, -1]),
    ([None, "I-PER", "L-PER", "O"], [-1, 2, 3, 0], [0, 1, 1, 0], [-1, 0, 0, -1], [1, -1, -1, -1]),
    (["B-PER", "I-PER", None, None], [1, 2, -1, -1], [0, 1, 1, 0], [-1, 0, 0, -1], [-1] * 4),
    # Inconsistent tags are not trained on; the Doc's end needs every entity closed.
    (["O", "I-PER"], [0, -1], [0, 0], [-1, -1], [-1, 0]),
    (["B-PER", "I-ORG", "L-PER"], [1, -1, 3], [0, 1, 1], [-1, 0, 0], [-1, 1, -1]),
    (["O", "B-PER"], [0, -1], [0, 0], [-1, -1], [-1, 0]),
    # Labels the model doesn't know are missing, "O" is a real negative.
    (["U-LOC", "O", "-"], [-1, 0, -1], [0, 0, 0], [-1, -1, -1], [0, -1, 0]),
    ([], [], [], [], []),
])
def test_gold_oracle(tags, gold, states, e0, need):
    moves = BiluoMoves(["PER", "ORG"])
    result = gold_oracle(moves.action_ids(tags))
    assert [x.tolist() for x in result] == [gold, states, e0, need]


def test_oracle_targets_are_valid_in_their_gold_state():
    moves = BiluoMoves(["PER", "ORG"])
    tables = moves.tables()
    rng = np.random.default_rng(0)
    tags = moves.move_names + [None]
    for _ in range(300):
        seq = [tags[i] for i in rng.integers(0, len(tags), size=rng.integers(1, 8))]
        a, s, _, need = gold_oracle(moves.action_ids(seq))
        for t in range(len(seq)):
            valid = tables.valid[int(t == len(seq) - 1), s[t]]
            if a[t] >= 0:
                assert valid[a[t]], (seq, t)
                assert need[t] == -1
            elif need[t] >= 0 and seq[t + 1:t + 2] != [None]:
                # Some valid action leads where the next known tag needs to start from,
                # unless the tags around the token contradict each other.
                ok = (valid & tables.reaches[need[t]]).any()
                prev_open = t > 0 and a[t - 1] > 0 and (a[t - 1] - 1) % 4 in (0, 1)
                assert ok or (prev_open and need[t] != s[t]), (seq, t)


def test_actions_to_spans():
    assert actions_to_spans(np.array([1, 2, 3, 0, 8, 5, 7]), ["PER", "ORG"]) == \
        [("PER", 0, 3), ("ORG", 4, 5), ("ORG", 5, 7)]
    assert actions_to_spans(np.array([], dtype=np.int64), ["PER"]) == []


# ---- component ------------------------------------------------------------------------


def test_overfit_five_sentences(trained):
    nlp, examples, losses = trained
    assert losses["ner"] < 0.05, losses
    ner = nlp.get_pipe("ner")
    assert ner.labels == ("LOC", "ORG", "PER")
    docs = list(nlp.pipe([eg.reference.text for eg in examples]))
    assert [ents_of(d) for d in docs] == [ents_of(eg.reference) for eg in examples]
    scores = ner.score([Example(d, eg.reference) for d, eg in zip(docs, examples)])
    assert scores["ents_f"] == pytest.approx(1.0) and set(scores["ents_per_type"]) == {"LOC", "ORG", "PER"}


def test_batch_invariance(trained):
    nlp, examples, _ = trained
    texts = [eg.reference.text for eg in examples]
    texts += ["Paris", "a b c d e f g h i j k l Alice Smith m n o p", ""]
    one_by_one = [ents_of(nlp(t)) for t in texts]
    assert one_by_one[:5] == [ents_of(eg.reference) for eg in examples]
    for batch_size in (2, 3, 8):
        assert [ents_of(d) for d in nlp.pipe(texts, batch_size=batch_size)] == one_by_one
    assert [ents_of(d) for d in nlp.pipe(texts[::-1], batch_size=8)] == one_by_one[::-1]


def test_save_load_identical(trained, tmp_path):
    nlp, examples, _ = trained
    texts = [eg.reference.text for eg in examples] + ["Dave flew to London with Bob ."]
    before = [ents_of(d) for d in nlp.pipe(texts)]
    nlp.to_disk(tmp_path / "model")
    loaded = heron.load(tmp_path / "model")
    assert loaded.get_pipe("ner").labels == nlp.get_pipe("ner").labels
    assert [ents_of(d) for d in loaded.pipe(texts)] == before
    ner_bytes = nlp.get_pipe("ner").to_bytes()
    assert loaded.get_pipe("ner").to_bytes() == ner_bytes


def test_predictions_replace_existing_ents(trained):
    nlp, _, _ = trained
    doc = nlp.make_doc("Nothing much happened today .")
    doc.ents = [("ORG", 0, 2)]
    assert ents_of(nlp.get_pipe("ner")(doc)) == []
    assert all(t.ent_iob_ == "O" for t in doc)


def test_add_label_after_training_keeps_trained_rows(trained):
    nlp, examples, _ = trained
    ner = nlp.get_pipe("ner")
    X = torch.randn(1, 4, 32)
    args = (X, torch.tensor([4]), torch.tensor([[-1, 0, -1, -1]]))
    ner.model.eval()
    with torch.no_grad():
        before = ner.model.lower_W.clone(), ner.model(*args)
    try:
        assert ner.add_label("DATE") == 1 and ner.add_label("DATE") == 0
        assert ner.move_names[-4:] == ["B-DATE", "I-DATE", "L-DATE", "U-DATE"]
        with torch.no_grad():
            after = ner.model(*args)
        assert after.shape[-1] == 17 and torch.equal(after[..., :13], before[1])
        assert torch.equal(ner.model.lower_W, before[0])
    finally:  # leave the module-scoped pipeline as it was for the other tests
        ner.cfg["labels"] = ["LOC", "ORG", "PER"]
        ner.moves = BiluoMoves(ner.labels)
        ner.model.upper.weight.data = ner.model.upper.weight.data[:13]
        ner.model.upper.bias.data = ner.model.upper.bias.data[:13]
        ner.model.upper.out_features = ner.model.nO = 13


def test_missing_tokens_are_not_penalised_for_entities():
    """A missing tag is not "O": entities there cost nothing; unknown labels are missing."""
    torch.manual_seed(0)
    nlp = make_nlp(shared=False)
    ner = nlp.get_pipe("ner")
    ner.initialize(lambda: ner_examples(nlp), nlp=nlp)
    torch.nn.init.normal_(ner.model.upper.weight)  # non-uniform scores
    names = ner.move_names
    text = "Alice Smith flew to Paris on Monday ."
    full = biluo(8, [(0, 2, "PER"), (4, 5, "LOC")])
    partial = list(full)
    partial[2] = partial[5] = partial[6] = None   # "flew", "on", "Monday": unknown
    unknown = list(partial)
    unknown[6] = "U-DATE"                          # a label the model doesn't have
    losses, grads = [], []
    for tags in (partial, unknown, full):
        scores = ner.forward_train([make_example(nlp, text, tags)])
        scores.scores.retain_grad()
        loss = ner.get_loss([], scores)
        loss.backward()
        losses.append(float(loss.detach()))
        grads.append(scores.scores.grad[0])
    g = grads[0]
    # "flew" (after L-PER, before O): O and U-X are all fine, only B-X is penalised.
    assert all(g[2, names.index(n)] <= 0 for n in ("O", "U-PER", "U-LOC", "U-ORG"))
    assert all(g[2, names.index(n)] > 0 for n in ("B-PER", "B-LOC", "B-ORG"))
    # "on" (next tag unknown) and "Monday" (state unknown): no constraint, no gradient.
    assert g[5].abs().sum() == 0 and g[6].abs().sum() == 0
    assert all(g[t].abs().sum() > 0 for t in (0, 1, 3, 4, 7))
    assert losses[1] == pytest.approx(losses[0]) and torch.equal(grads[1], grads[0])
    # With full annotation "O" is a real negative: an entity on "Monday" is penalised.
    assert grads[2][6, names.index("U-PER")] > 0 and grads[2][6, names.index("O")] < 0


def test_partial_annotation_trains():
    """Only some tokens are annotated; the entities are still learned."""
    torch.manual_seed(0)
    nlp = make_nlp(shared=True)
    examples = []
    for i, eg in enumerate(ner_examples(nlp)):
        tags = eg.get_aligned_ner()
        # Hide every third "O" token: its annotation is missing.
        tags = [None if tag == "O" and (j + i) % 3 == 0 else tag for j, tag in enumerate(tags)]
        examples.append(make_example(nlp, eg.reference.text, tags))
    nlp.initialize(lambda: examples)
    train(nlp, examples, steps=25, lr=0.01)
    for eg, doc in zip(examples, nlp.pipe([eg.reference.text for eg in examples])):
        gold, missing = set(ents_of(eg.reference)), eg.get_aligned_ner()
        assert gold <= set(ents_of(doc))
        # Extra entities may only cover tokens whose annotation is missing.
        for _, start, end in set(ents_of(doc)) - gold:
            assert all(tag is None for tag in missing[start:end]), (doc.text, start, end)


def test_decoding_is_vectorised_across_docs(trained, monkeypatch):
    """One scoring call per position for the whole batch, not one per Doc and token (the
    tensor loop, which GPUs run); the CPU loop scores every position outside an entity in
    one call and then only the Docs inside one."""
    nlp, _, _ = trained
    ner = nlp.get_pipe("ner")
    monkeypatch.setattr(type(ner.model), "decode_with_tensors", True)
    calls = []
    original = ner.model.scores
    monkeypatch.setattr(ner.model, "scores", lambda h: calls.append(h.shape) or original(h))
    docs = [nlp.make_doc(t) for t in ["Alice flew to Paris", "Bob", "Carol met Dave Jones today ."]]
    ner.predict(docs)
    assert len(calls) == 6 and all(shape[0] == 3 for shape in calls)
    monkeypatch.setattr(type(ner.model), "decode_with_tensors", False)
    calls.clear()
    ner.predict(docs)
    assert calls[0][:2] == (6, 3) and all(shape[0] <= 3 for shape in calls[1:])


def test_decoding_chunks_docs_by_length(trained, monkeypatch):
    """Docs decode in length-sorted chunks: short Docs don't step through a long one's padding
    (the tensor loop's steps are what the chunks save)."""
    import heron.pipeline.ner as ner_module

    nlp, _, _ = trained
    ner = nlp.get_pipe("ner")
    monkeypatch.setattr(type(ner.model), "decode_with_tensors", True)
    texts = ["Bob", "a b c d e f g h i j k Alice Smith", "Paris", "Carol"]
    expected = [ents_of(nlp(t)) for t in texts]
    monkeypatch.setattr(ner_module, "DECODE_CHUNK_ITEMS", 12)
    calls = []
    original = ner.model.scores
    monkeypatch.setattr(ner.model, "scores", lambda h: calls.append(h.shape[0]) or original(h))
    assert [ents_of(d) for d in nlp.pipe(texts, batch_size=8)] == expected
    assert calls == [3] + [1] * 13  # the three one-token Docs together, then the long one alone


def test_errors_before_initialize_and_for_bad_settings():
    nlp = make_nlp(shared=False)
    with pytest.raises(HeronValueError, match="E386"):
        nlp("Alice flew to Paris")
    ner = nlp.get_pipe("ner")
    with pytest.raises(HeronValueError, match="E359"):
        ner.initialize(lambda: [make_example(nlp, "no entities here", ["O", "O", "O"])], nlp=nlp)
    with pytest.raises(HeronValueError, match="E385"):
        ner.add_label("O")
    nlp2 = make_nlp(shared=False, nO=7)
    with pytest.raises(HeronValueError, match="E387"):
        nlp2.initialize(lambda: ner_examples(nlp2))
    with pytest.raises(Exception, match="E380"):
        make_nlp(shared=False, state_type="parser")


def test_initialize_with_given_labels_and_old_setting_name():
    nlp = make_nlp(shared=False, nr_feature_tokens=6, use_upper=False)
    ner = nlp.get_pipe("ner")
    ner.initialize(lambda: ner_examples(nlp), nlp=nlp, labels=["PER", "GPE"])
    assert ner.labels == ("GPE", "PER") and ner.model.n_slots == 6 and ner.model.nO == 9
    doc = nlp("Alice Smith flew to Paris .")
    assert all(e.label_ in ("GPE", "PER") for e in doc.ents)
    assert nlp.config["components"]["ner"]["model"]["nr_feature_tokens"] == 6
