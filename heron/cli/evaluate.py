"""`heron evaluate`: score a trained pipeline on annotated data.

    heron evaluate training/model-best corpus/test.heron --output scores.json --displacy-path viz/

Prints a table of the scores (spaCy's key names, shown as percentages), the per-label
LAS and NER scores, and optionally writes the scores as JSON and self-contained HTML
pictures of the first documents' predictions (heron.displacy): entities.html, and
parses.html (an SVG per sentence) when the pipeline parses.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import typer

from ..displacy import render_entities, render_parses
from ..util import atomic_write_text
from ._app import app
from ._util import CODE_OPTION, echo, good, table

# Metrics printed (when present) and their table names, like spaCy's evaluate.
METRICS = {"token_acc": "TOK", "tag_acc": "TAG", "pos_acc": "POS", "morph_acc": "MORPH",
           "lemma_acc": "LEMMA", "dep_uas": "UAS", "dep_las": "LAS", "ents_p": "NER P",
           "ents_r": "NER R", "ents_f": "NER F", "sents_p": "SENT P", "sents_r": "SENT R",
           "sents_f": "SENT F", "cats_score": "TEXTCAT", "cats_macro_auc": "TEXTCAT AUC", "speed": "SPEED"}
# Per-label tables printed after the metrics: (score key, title).
PER_TYPE = (("dep_las_per_type", "LAS (per type)"), ("ents_per_type", "NER (per type)"),
            ("cats_f_per_type", "Textcat F (per label)"))


@app.command("evaluate")
def evaluate_cli(
    model: str = typer.Argument(..., help="A pipeline folder (e.g. training/model-best) or package name."),
    data_path: Path = typer.Argument(..., help="A .heron or .spacy (spaCy v3) DocBin file, or a folder of them, with gold annotations."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the scores to this JSON file."),
    code: Optional[Path] = CODE_OPTION,
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="CUDA device id; -1 (default) = CPU."),
    gold_preproc: bool = typer.Option(False, "--gold-preproc", "-G",
                                      help="Predict on the gold tokens and sentences instead of heron's tokenizer."),
    displacy_path: Optional[Path] = typer.Option(
        None, "--displacy-path", "-dp",
        help="Folder to write pictures of the predictions to: entities.html, and parses.html (SVG) with a parser."),
    displacy_limit: int = typer.Option(25, "--displacy-limit", "-dl", help="Documents to render."),
) -> None:
    """Evaluate a pipeline on annotated data: accuracy, P/R/F and speed."""
    scores = evaluate(model, data_path, output=output, code=code, use_gpu=gpu_id,
                      gold_preproc=gold_preproc, displacy_path=displacy_path,
                      displacy_limit=displacy_limit)
    echo(format_scores(scores))


def evaluate(model: str, data_path: Path, *, output: Optional[Path] = None, code: Optional[Path] = None,
             use_gpu: int = -1, gold_preproc: bool = False, displacy_path: Optional[Path] = None,
             displacy_limit: int = 25) -> Dict[str, Any]:
    """Load `model`, score it on `data_path`; optionally save scores and an HTML view."""
    import heron

    from ..config import import_code
    from ..training.corpus import Corpus
    from ..training.initialize import move_to_device, select_device

    import_code(code)
    device = select_device(use_gpu)
    nlp = heron.load(model)
    move_to_device(nlp, device)
    examples = list(Corpus(data_path, gold_preproc=gold_preproc)(nlp))
    scores = nlp.evaluate(examples)
    if output is not None:
        atomic_write_text(output, json.dumps(scores, indent=2, sort_keys=True) + "\n")
        good(f"Saved scores to {output}")
    if displacy_path is not None:
        docs = list(nlp.pipe(eg.predicted.text for eg in examples[:max(0, displacy_limit)]))
        write_pictures(docs, Path(displacy_path), title=str(model))
    return scores


def write_pictures(docs: List[Any], folder: Path, *, title: str = "") -> None:
    """entities.html, and parses.html when any Doc has a parse, into `folder`."""
    path = folder / "entities.html"
    atomic_write_text(path, render_entities(docs, title=f"{title} entities".strip()))
    good(f"Saved entity visualisation of {len(docs)} document(s) to {path}")
    if any(doc.has_annotation("DEP") for doc in docs):
        path = folder / "parses.html"
        atomic_write_text(path, render_parses(docs, title=f"{title} parses".strip()))
        good(f"Saved dependency parses of {len(docs)} document(s) to {path}")


def format_scores(scores: Dict[str, Any]) -> str:
    """The metrics table plus per-label LAS and NER tables (as text)."""
    rows = []
    for key, name in METRICS.items():
        value = scores.get(key)
        if value is None:
            continue
        rows.append([name, f"{value:.0f}" if key == "speed" else f"{value * 100:.2f}"])
    text = "\n================================== Results ==================================\n\n"
    text += table(rows)
    for key, title in PER_TYPE:
        per_type = scores.get(key)
        if per_type:
            text += f"\n\n{f' {title} ':=^78}\n\n"
            text += table([[label, f"{v['p'] * 100:.2f}", f"{v['r'] * 100:.2f}", f"{v['f'] * 100:.2f}"]
                           for label, v in per_type.items()], header=["", "P", "R", "F"])
    return text + "\n"
