"""`heron evaluate`: score a trained pipeline on annotated data.

    heron evaluate training/model-best corpus/test.heron --output scores.json --displacy-path viz/

Prints a table of the scores (spaCy's key names, shown as percentages), the
per-label NER scores, and optionally writes the scores as JSON and a self-contained
HTML rendering of the predicted entities of the first documents.
"""
from __future__ import annotations

import html
import json
import zlib
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import typer

from ..util import atomic_write_text
from ._app import app
from ._util import CODE_OPTION, echo, good, table

# Metrics printed (when present) and their table names, like spaCy's evaluate.
METRICS = {"token_acc": "TOK", "tag_acc": "TAG", "pos_acc": "POS", "morph_acc": "MORPH",
           "lemma_acc": "LEMMA", "dep_uas": "UAS", "dep_las": "LAS", "ents_p": "NER P",
           "ents_r": "NER R", "ents_f": "NER F", "sents_p": "SENT P", "sents_r": "SENT R",
           "sents_f": "SENT F", "speed": "SPEED"}
PALETTE = ("#7aecec", "#bfeeb7", "#feca74", "#ff9561", "#aa9cfc", "#c887fb", "#9cc9cc",
           "#ffeb80", "#ff8197", "#f0d0ff", "#bfe1d9", "#e4e7d2")


@app.command("evaluate")
def evaluate_cli(
    model: str = typer.Argument(..., help="A pipeline folder (e.g. training/model-best) or package name."),
    data_path: Path = typer.Argument(..., help="A .heron DocBin file or folder of them with gold annotations."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the scores to this JSON file."),
    code: Optional[Path] = CODE_OPTION,
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="CUDA device id; -1 (default) = CPU."),
    gold_preproc: bool = typer.Option(False, "--gold-preproc", "-G",
                                      help="Predict on the gold tokens and sentences instead of heron's tokenizer."),
    displacy_path: Optional[Path] = typer.Option(
        None, "--displacy-path", "-dp", help="Folder to write entities.html (predicted entities) to."),
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
        path = Path(displacy_path) / "entities.html"
        atomic_write_text(path, render_entities(docs))
        good(f"Saved entity visualisation of {len(docs)} document(s) to {path}")
    return scores


def format_scores(scores: Dict[str, Any]) -> str:
    """The metrics table plus a per-label NER table (as text)."""
    rows = []
    for key, name in METRICS.items():
        value = scores.get(key)
        if value is None:
            continue
        rows.append([name, f"{value:.0f}" if key == "speed" else f"{value * 100:.2f}"])
    text = "\n================================== Results ==================================\n\n"
    text += table(rows)
    per_type = scores.get("ents_per_type")
    if per_type:
        text += "\n\n=============================== NER (per type) ===============================\n\n"
        text += table([[label, f"{v['p'] * 100:.2f}", f"{v['r'] * 100:.2f}", f"{v['f'] * 100:.2f}"]
                       for label, v in per_type.items()], header=["", "P", "R", "F"])
    return text + "\n"


def render_entities(docs: Iterable[Any], title: str = "heron entities") -> str:
    """One self-contained HTML page (inline CSS, no scripts or external assets)
    highlighting each Doc's entities with their labels."""
    body = "\n".join(f'<div class="doc">{_render_doc(doc)}</div>' for doc in docs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: -apple-system, "Segoe UI", sans-serif; margin: 2em; line-height: 2.4; }}
.doc {{ border-bottom: 1px solid #ddd; padding: 1em 0; white-space: pre-wrap; }}
mark {{ padding: 0.25em 0.5em; margin: 0 0.2em; border-radius: 0.35em; }}
mark .label {{ font-size: 0.7em; font-weight: bold; text-transform: uppercase; margin-left: 0.4em; }}
</style></head>
<body>
{body}
</body></html>
"""


def _render_doc(doc: Any) -> str:
    text = doc.text
    parts: List[str] = []
    pos = 0
    for ent in doc.ents:
        parts.append(html.escape(text[pos:ent.start_char]))
        color = PALETTE[zlib.crc32(ent.label_.encode("utf8")) % len(PALETTE)]
        parts.append(f'<mark class="entity" style="background: {color}">'
                     f'{html.escape(ent.text)}<span class="label">{html.escape(ent.label_)}</span></mark>')
        pos = ent.end_char
    parts.append(html.escape(text[pos:]))
    return "".join(parts)
