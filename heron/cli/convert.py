"""`heron convert`: CoNLL-U, IOB/CoNLL NER and JSONL corpora -> `.heron` DocBin files,
and `.heron` DocBins or any of those corpora -> CoNLL-U text (`--to conllu`).

    heron convert train.conllu corpus/            # -> corpus/train.heron
    heron convert ner_data/ corpus/ -c ner -n 10  # every .conll/.iob2/... file in ner_data/
    heron convert corpus/train.heron out/ --to conllu   # -> out/train.conllu

Output files are DocBins with the extension `.heron` (read them with
`DocBin().from_disk(path).get_docs(vocab)`); a folder input keeps its sub-folders.
Nothing is written unless every input file converts: a malformed line stops the
command with `file:line`, what was found and what was expected, and leaves no
output file (not even for the files that converted before it). So does a file
that is not UTF-8 (E440, with the byte offset) and one that holds no documents
(E441: an empty corpus is a wrong path or converter, never something to train on). Each file is
written atomically (temp file + rename), so a crash while writing never leaves a
half-written `.heron` file, though files already renamed stay.

With `--to conllu` the outputs are CoNLL-U files (`.conllu`, see
heron/training/converters/conllu_writer.py), the inputs may also be `.heron` DocBins,
and --n-sents defaults to 0 (keep each file's documents). `.heron` outputs keep
doc.user_data, so CoNLL-U multi-word tokens survive CoNLL-U -> .heron -> CoNLL-U.
spaCy's DocBins: `.spacy` inputs become `.heron` files, and `--to spacy` writes
`.spacy` files from any input (see cli/_convert_spacy.py).
"""
from __future__ import annotations

import sys
import warnings
from enum import Enum
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import typer

from ..errors import Errors, HeronError, HeronWarning
from ..training.converters import CONVERTERS, EXTENSIONS, detect_ner_format
from ..training.converters._common import iter_utf8_lines
from ..training.converters.conllu_writer import ConlluWriter
from ..util import atomic_write_bytes
from . import _convert_spacy
from ._app import app

OUTPUT_SUFFIX = ".heron"
SUFFIXES = {"heron": OUTPUT_SUFFIX, "conllu": ".conllu", "spacy": _convert_spacy.SUFFIX}  # per output --file-type
DOCBIN_SUFFIX = ".heron"  # DocBin inputs (--to conllu only)
DOCBIN_SUFFIXES = (DOCBIN_SUFFIX, _convert_spacy.SUFFIX)  # DocBin inputs: any but the output format
AUTO = "auto"
# Converter families: "ner" and "iob" files share extensions; the layout decides.
_FAMILY = {"conllu": "conllu", "conllubio": "conllu", "ner": "ner", "conll": "ner",
           "iob": "ner", "jsonl": "jsonl", "textcat": "textcat"}


_LAYOUTS = {"ner": "token-per-line", "iob": "sentence-per-line word|TAG", "conllu": "CoNLL-U"}


class FileType(str, Enum):
    heron = "heron"
    conllu = "conllu"
    spacy = "spacy"


class AlignmentMode(str, Enum):
    strict = "strict"
    contract = "contract"
    expand = "expand"


@app.command("convert")
def convert_cli(
    # fmt: off
    input_path: Path = typer.Argument(..., metavar="INPUT", help="Input file or folder (every file with a known extension in it, recursively)."),
    output_dir: str = typer.Argument(..., metavar="OUTPUT_DIR", help="Output folder (created if missing), or '-' to write one DocBin (or CoNLL-U text) to stdout."),
    converter: str = typer.Option(AUTO, "--converter", "-c", help=f"Converter: {AUTO} (by file extension), {', '.join(CONVERTERS)}."),
    n_sents: Optional[int] = typer.Option(None, "--n-sents", "-n", min=0, help="Sentences per Doc (0: keep the file's own documents). Default: 10 for conllu/ner/iob (spaCy's converter default); ignored by jsonl."),
    file_type: FileType = typer.Option(FileType.heron, "--file-type", "--to", "-t", help="Output format: heron (a .heron DocBin file), spacy (spaCy's .spacy DocBin) or conllu (CoNLL-U text; --n-sents then defaults to 0). INPUT may also be .heron or .spacy DocBins of another format than the output."),
    seg_sents: bool = typer.Option(False, "--seg-sents", "-s", help="Split sentences after . ! ? (for -c ner files without blank lines between sentences)."),
    merge_subtokens: bool = typer.Option(False, "--merge-subtokens", "-T", help="Keep CoNLL-U multi-word tokens as one token."),
    morphology: bool = typer.Option(False, "--morphology", "-m", help="Append CoNLL-U FEATS to tags (XPOS__FEATS)."),
    lang: str = typer.Option("en", "--lang", "-l", help="Language of the tokenizer for jsonl input."),
    alignment_mode: AlignmentMode = typer.Option(AlignmentMode.strict, "--alignment-mode", "-a", help="jsonl entities not on token boundaries: strict (error), contract or expand."),
    spans_key: Optional[str] = typer.Option(None, "--spans-key", help="jsonl: put \"spans\" in doc.spans[KEY] (overlaps allowed, for spancat) instead of doc.ents."),
    labels: Optional[Path] = typer.Option(None, "--labels", help="textcat: labels file, one name per line; label ids in the data (\"3,4\") index it (0-based), and every doc's cats hold all its labels."),
    exclusive: bool = typer.Option(False, "--exclusive", help="textcat: keep only the rows with exactly one label (for the exclusive textcat component)."),
    concatenate: bool = typer.Option(False, "--concatenate", "-C", help="Write all input files into one DocBin, named after INPUT."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars on stderr (only on a terminal)."),
    # fmt: on
) -> None:
    """Convert annotated corpora into .heron DocBin files for training (or .spacy / CoNLL-U with --to).

    Formats: CoNLL-U (.conllu), token-per-line NER columns such as CoNLL-2003, WNUT or
    Universal NER (.conll, .iob2, .bio, .ner), sentence-per-line word|TAG (.iob) and
    JSONL with character-offset entities (.jsonl); spaCy DocBins (.spacy); with --to conllu
    or --to spacy also .heron DocBins;
    text classification TSV/CSV/JSONL into doc.cats with -c textcat (.tsv, .csv).
    Exit code 0 on success, 1 on a malformed input or bad option (the message names
    file:line and the fix).
    """
    to_stdout = output_dir == "-"
    # Converter warnings (W4xx) are shown as CLI messages, not Python warning lines.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HeronWarning)
        try:
            outputs = convert(
                input_path, None if to_stdout else Path(output_dir), converter=converter,
                n_sents=n_sents, file_type=file_type.value, seg_sents=seg_sents,
                merge_subtokens=merge_subtokens, morphology=morphology, lang=lang,
                alignment_mode=alignment_mode.value, concatenate=concatenate, progress=progress,
                spans_key=spans_key, labels=labels, exclusive=exclusive,
            )
        finally:
            for w in caught:
                if issubclass(w.category, HeronWarning):
                    typer.secho(f"⚠ {w.message}", fg=typer.colors.YELLOW, err=True)
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    for out_path, n_docs, n_words in outputs:
        where = "stdout" if out_path is None else str(out_path)
        typer.secho(f"✔ Wrote {where} ({n_docs} docs, {n_words} words)", fg=typer.colors.GREEN, err=True)


def convert(
    input_path: Path, output_dir: Optional[Path], *, converter: str = AUTO,
    n_sents: Optional[int] = None, file_type: str = "heron", seg_sents: bool = False,
    merge_subtokens: bool = False, morphology: bool = False, lang: str = "en",
    alignment_mode: str = "strict", concatenate: bool = False, progress: bool = False,
    spans_key: Optional[str] = None, labels: Optional[Path] = None, exclusive: bool = False,
) -> List[Tuple[Optional[Path], int, int]]:
    """Convert `input_path` (file or folder) into DocBin (or CoNLL-U) files under `output_dir`.

    file_type: "heron" (.heron DocBins) or "conllu" (CoNLL-U text; `.heron` inputs are
        then read too, and n_sents defaults to 0).
    spans_key: JSONL "spans" go to doc.spans[spans_key] instead of doc.ents (E426 for
        other inputs or --to conllu, which can't hold span groups).
    labels / exclusive: the textcat converter's labels file and single-label filter (E426
        for other converters or --to conllu, which can't hold doc.cats).
    output_dir None writes the single output's bytes to stdout. Returns
    (output path or None, number of docs, number of words) per output file.
    RAISES HeronError (E400-E409, E426 for options that don't go together, E441 for an
    input without documents, the converters' E410-E440 and the CoNLL-U writer's
    E427/E428) before anything is written.
    """
    input_path = Path(input_path)
    if file_type not in SUFFIXES:
        raise HeronError(Errors.E409.format(value=file_type, option="--file-type", detail="unknown output format",
                                            fix=f"pass --file-type {' or '.join(SUFFIXES)}."))
    if converter != AUTO and converter not in CONVERTERS:
        raise HeronError(Errors.E403.format(name=converter, available=", ".join([AUTO, *CONVERTERS])))
    if output_dir is not None and output_dir.exists() and not output_dir.is_dir():
        raise HeronError(Errors.E402.format(path=output_dir))
    files = _input_files(input_path, converter, file_type)
    _check_combination(files, converter, file_type, n_sents=n_sents, seg_sents=seg_sents,
                       merge_subtokens=merge_subtokens, morphology=morphology)
    _check_spans_key(files, converter, file_type, spans_key)
    _check_textcat_options(files, converter, file_type, labels is not None or exclusive)
    if file_type == "conllu" and n_sents is None:
        n_sents = 0  # CoNLL-U output: keep each file's documents (a # newdoc per Doc)
    options = dict(n_sents=n_sents, seg_sents=seg_sents, merge_subtokens=merge_subtokens,
                   append_morphology=morphology, lang=lang, alignment_mode=alignment_mode, spans_key=spans_key,
                   labels=labels, exclusive=exclusive)
    n_outputs = 1 if concatenate or input_path.is_file() else len(files)
    if output_dir is None:
        _check_stdout(n_outputs, binary=file_type != "conllu")
    payloads = [(out, sink.to_bytes(), n_docs, n_words)
                for out, (sink, n_docs, n_words) in _convert_all(input_path, files, output_dir, converter,
                                                                 concatenate, options, progress,
                                                                 file_type).items()]
    for out, data, _, _ in payloads:
        if out is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            atomic_write_bytes(out, data)
    return [(out, n_docs, n_words) for out, _, n_docs, n_words in payloads]


def _check_combination(files: List[Path], converter: str, file_type: str, *, n_sents: Optional[int],
                       seg_sents: bool, merge_subtokens: bool, morphology: bool) -> None:
    """E426 for options that can't work together (checked before anything is read)."""
    docbins = [f for f in files if _is_docbin(f)]
    same = [f for f in docbins if f.suffix.lower() == SUFFIXES[file_type]]
    if same:
        raise HeronError(Errors.E426.format(
            what=f"{same[0]} is already a {SUFFIXES[file_type]} DocBin (the output format is {file_type})",
            fix="pass --to with another format (heron, spacy or conllu), or copy the file."))
    if docbins and converter != AUTO:
        raise HeronError(Errors.E426.format(
            what=f"--converter {converter} was given for the DocBin {docbins[0]}, which needs no converter",
            fix="leave out --converter/-c (it is for text corpora)."))
    reading = [name for name, given in (("--n-sents", n_sents is not None), ("--seg-sents", seg_sents),
                                        ("--merge-subtokens", merge_subtokens), ("--morphology", morphology))
               if given]
    if docbins and reading:
        raise HeronError(Errors.E426.format(
            what=f"{', '.join(reading)} shape(s) how a text corpus is read, but {docbins[0]} is a DocBin "
                 "whose Docs are written as they are",
            fix=f"leave out {', '.join(reading)}, or convert the original corpus file."))
    if morphology and file_type == "conllu":
        raise HeronError(Errors.E426.format(
            what="--morphology with --to conllu would write XPOS__FEATS into the XPOS column",
            fix="leave out --morphology (FEATS are written in their own column)."))


def _check_spans_key(files: List[Path], converter: str, file_type: str, spans_key: Optional[str]) -> None:
    """E426 when --spans-key can't apply: only JSONL input has "spans", and CoNLL-U has no span groups."""
    if spans_key is None:
        return
    names = [converter if converter != AUTO else EXTENSIONS.get(f.suffix.lower(), "docbin") for f in files]
    other = next((f for f, name in zip(files, names) if _FAMILY.get(name) != "jsonl"), None)
    if other is not None:
        raise HeronError(Errors.E426.format(what=f"--spans-key is for JSONL input, but {other} is not JSONL",
                                            fix="leave out --spans-key, or convert a .jsonl file with \"spans\"."))
    if file_type == "conllu":
        raise HeronError(Errors.E426.format(what="--spans-key with --to conllu: CoNLL-U has no span groups",
                                            fix="write .heron output (leave out --to conllu) to keep doc.spans."))


def _is_docbin(file: Path) -> bool:
    return file.suffix.lower() in DOCBIN_SUFFIXES


def _convert_all(input_path: Path, files: List[Path], output_dir: Optional[Path], converter: str,
                 concatenate: bool, options: dict, progress: bool,
                 file_type: str = "heron") -> Dict[Optional[Path], list]:
    """Convert every file in memory first, so a bad line in any file writes nothing.

    Returns {output path (None: stdout): [DocBin or ConlluWriter, n_docs, n_words]}.
    """
    from ..tokens import DocBin, Vocab

    vocab = Vocab()
    outputs: Dict[Optional[Path], list] = {}
    sources: Dict[Optional[Path], Path] = {}
    inputs = {file.resolve() for file in files}
    for file in files:
        out = _output_path(input_path, file, output_dir, concatenate, SUFFIXES[file_type])
        if out in sources and not concatenate:
            raise HeronError(Errors.E400.format(first=sources[out], second=file, out=out))
        if out is not None and out.resolve() in inputs:
            raise HeronError(Errors.E426.format(what=f"the output file {out} would overwrite its input file",
                                                fix="pass another OUTPUT_DIR, or '-' for stdout."))
        sources.setdefault(out, file)
        # user_data is kept: it holds e.g. CoNLL-U multi-word tokens (doc.user_data["conllu_mwt"]).
        sink = (DocBin(store_user_data=True) if file_type == "heron" else ConlluWriter() if file_type == "conllu"
                else _convert_spacy.new_sink())
        entry = outputs.setdefault(out, [sink, 0, 0])
        n_before = entry[1]
        if _is_docbin(file) and file.suffix.lower() == _convert_spacy.SUFFIX:
            docs = _convert_spacy.spacy_docs(file, vocab, progress, sink)
        elif _is_docbin(file):
            docs = _docbin_docs(file, vocab, progress)
        else:
            docs = _convert_file(file, _resolve_converter(file, converter), vocab, options, progress)
        for doc in docs:
            entry[0].add(doc)
            entry[1] += 1
            entry[2] += len(doc)
        if entry[1] == n_before:  # an empty corpus is a mistake (wrong file, wrong converter)
            detail = ("the DocBin holds no Docs" if _is_docbin(file) else
                      "the file is empty" if file.stat().st_size == 0 else "only blank lines or comments")
            raise HeronError(Errors.E441.format(path=file, detail=detail))
    return outputs


def _docbin_docs(file: Path, vocab, progress: bool) -> Iterator:
    """The Docs of a .heron file, with a tqdm bar over them on stderr (terminals only)."""
    from tqdm import tqdm

    from ..tokens import DocBin

    docbin = DocBin().from_disk(file)  # E028/E042/E043/E044 name the file
    with tqdm(total=len(docbin), unit="doc", desc=file.name, file=sys.stderr,
              disable=None if progress else True, leave=False) as bar:
        for doc in docbin.get_docs(vocab):
            yield doc
            bar.update(1)


def _check_stdout(n_outputs: int, binary: bool = True) -> None:
    if n_outputs != 1:
        raise HeronError(Errors.E407.format(n=n_outputs))
    if binary and sys.stdout.isatty():
        raise HeronError(Errors.E408)


def _check_textcat_options(files: List[Path], converter: str, file_type: str, given: bool) -> None:
    """E426 when --labels/--exclusive can't apply, or doc.cats would be lost (--to conllu)."""
    names = [converter if converter != AUTO else EXTENSIONS.get(f.suffix.lower(), "docbin") for f in files]
    textcat = [f for f, name in zip(files, names) if name == "textcat"]
    if given and len(textcat) < len(files):
        other = next(f for f, name in zip(files, names) if name != "textcat")
        raise HeronError(Errors.E426.format(what=f"--labels/--exclusive are for text classification data, "
                                                 f"but {other} is not read by the textcat converter",
                                            fix="pass --converter textcat, or leave out --labels/--exclusive."))
    if textcat and file_type == "conllu":
        raise HeronError(Errors.E426.format(what="text classification data with --to conllu: CoNLL-U has no doc.cats",
                                            fix="write .heron output (leave out --to conllu)."))


def _input_files(input_path: Path, converter: str, file_type: str = "heron") -> List[Path]:
    if not input_path.exists():
        raise HeronError(Errors.E401.format(path=input_path))
    if input_path.is_file():
        return [input_path]
    # DocBins in the folder of another format than the output are inputs too (family "docbin").
    extensions = dict(EXTENSIONS, **{s: "docbin" for s in DOCBIN_SUFFIXES if s != SUFFIXES[file_type]})
    family = dict(_FAMILY, docbin="docbin")
    known = ", ".join(sorted(extensions))
    files = sorted(p for p in input_path.rglob("*") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(input_path).parts)
                   and p.suffix.lower() in extensions)
    if converter != AUTO:
        files = [p for p in files if family[extensions[p.suffix.lower()]] == family[converter]
                 or (converter == "textcat" and p.suffix.lower() == ".jsonl")]  # it reads JSONL too
    else:
        families = sorted({family[extensions[p.suffix.lower()]] for p in files})
        if len(families) > 1:
            raise HeronError(Errors.E406.format(path=input_path, types=", ".join(families)))
    if not files:
        detail = f" for converter {converter!r}" if converter != AUTO else ""
        raise HeronError(Errors.E405.format(path=input_path, detail=detail, known=known))
    return files


def _resolve_converter(file: Path, converter: str) -> str:
    """The converter for one file: by extension for auto, then ner/iob by content."""
    name = converter
    if name == AUTO:
        name = EXTENSIONS.get(file.suffix.lower(), "")
        if not name:
            raise HeronError(Errors.E404.format(path=file, suffix=file.suffix, known=", ".join(sorted(EXTENSIONS)),
                                                available=", ".join(CONVERTERS)))
    if _FAMILY[name] == "ner":
        head = [line for _, line in zip(range(50), iter_utf8_lines(file))]
        detected = detect_ner_format(head)
        if detected is not None and detected != ("iob" if name == "iob" else "ner"):
            typer.echo(f"ℹ {file}: detected the {_LAYOUTS[detected]} layout; using converter {detected!r}",
                       err=True)
            name = detected
    return name


def _convert_file(file: Path, name: str, vocab, options: dict, progress: bool) -> Iterator:
    func = CONVERTERS[name]
    kwargs = _options_for(name, options)
    return func(_progress_lines(file, progress), path=str(file), vocab=vocab, **kwargs)


def _options_for(name: str, options: dict) -> dict:
    keys = {"conllu": ("n_sents", "merge_subtokens", "append_morphology"),
            "conllubio": ("n_sents", "merge_subtokens", "append_morphology"),
            "ner": ("n_sents", "seg_sents"), "conll": ("n_sents", "seg_sents"),
            "iob": ("n_sents",), "jsonl": ("lang", "alignment_mode", "spans_key"),
            "textcat": ("lang", "labels", "exclusive")}[name]
    return {k: options[k] for k in keys if options.get(k) is not None}


def _progress_lines(file: Path, enabled: bool) -> Iterator[str]:
    """Stream a file's lines, with a tqdm bar over its bytes on stderr (terminals only)."""
    from tqdm import tqdm

    with tqdm(
        total=file.stat().st_size, unit="B", unit_scale=True, desc=file.name, file=sys.stderr,
        disable=None if enabled else True, leave=False,
    ) as bar:
        pending = 0
        for line in iter_utf8_lines(file):  # E440 with file:line on bytes that are not UTF-8
            pending += len(line) + 1  # characters, not bytes: close enough for a progress bar
            if pending >= 1 << 20:  # update per MiB: per-line updates would cost more than parsing
                bar.update(pending)
                pending = 0
            yield line
        bar.update(pending)


def _output_path(input_path: Path, file: Path, output_dir: Optional[Path],
                 concatenate: bool, suffix: str = OUTPUT_SUFFIX) -> Optional[Path]:
    """OUTPUT_DIR/<stem>.heron (or .conllu) for a file; folder inputs keep their sub-folders."""
    if output_dir is None:
        return None
    if input_path.is_file():
        return output_dir / (input_path.stem + suffix)
    if concatenate:
        return output_dir / (input_path.resolve().name + suffix)
    return output_dir / file.relative_to(input_path).with_suffix(suffix)
