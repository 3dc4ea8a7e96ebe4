"""The spaCy v3 -> heron name table that `translate_spacy_config` reads (data only).

FUNCTIONS: every registered function a spaCy 3.8 config can name (spaCy, spacy-transformers
1.4 and the thinc functions spaCy's configs use) that has a heron counterpart, with the
heron registry and name and, where spaCy hard-codes what heron exposes as arguments, the
arguments that reproduce spaCy's behaviour. Arguments are matched by name against the heron
function's signature: an argument heron lacks is left out with the reason in GAPS.

WITHOUT_COUNTERPART: spaCy names heron has no counterpart for, with the reason; naming one
in a config is an error (E541), unless it sits inside a setting that is left out anyway
(an augmenter of a corpus, the [nlp] vectors factory).

GAPS: settings left out, keyed by "<spaCy function>.<arg>", "factory:<factory>.<setting>" or
"[<section>].<key>": the reason, and spaCy's default (a setting still at its default is
listed under "nothing to do" in W540).

docs/usage/migrating-from-spacy.md shows these tables; tests/interop check they agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping


@dataclass(frozen=True)
class Counterpart:
    """A spaCy function's heron counterpart.

    registry: the heron registry (the `@registry` key), e.g. "architectures".
    name: the heron name, e.g. "heron.Tagger.v1".
    fixed: heron arguments set by the translation: what spaCy's version hard-codes.
    convert: spaCy argument -> function turning its value into heron's.
    note: what differs, for the docs table ("" = nothing).
    """

    registry: str
    name: str
    fixed: Mapping[str, Any] = field(default_factory=dict)
    convert: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    note: str = ""


def _same(registry: str, name: str, note: str = "", **fixed: Any) -> Counterpart:
    return Counterpart(registry, name, fixed=fixed, note=note)


_TRF_MODEL = "heron loads the model from a local folder or the local Hugging Face cache only (never downloads)"
_SCORER = "same metric names (spaCy's keys)"

FUNCTIONS: Dict[str, Counterpart] = {
    # ---- tok2vec: embeddings, encoders, listeners ----
    "spacy.Tok2Vec.v2": _same("architectures", "heron.Tok2Vec.v1"),
    "spacy.MultiHashEmbed.v2": _same("architectures", "heron.MultiHashEmbed.v1"),
    "spacy.CharacterEmbed.v2": _same("architectures", "heron.CharacterEmbed.v1"),
    "spacy.HashEmbedCNN.v2": _same("architectures", "heron.HashEmbedCNN.v1"),
    "spacy.MaxoutWindowEncoder.v2": _same("architectures", "heron.MaxoutWindowEncoder.v1"),
    "spacy.MishWindowEncoder.v2": _same("architectures", "heron.MishWindowEncoder.v1"),
    "spacy.TorchBiLSTMEncoder.v1": _same("architectures", "heron.TorchBiLSTMEncoder.v1"),
    "spacy.StaticVectors.v2": _same("architectures", "heron.StaticVectors.v1",
                                    "a layer in spaCy's registry, an architecture in heron's"),
    "spacy.Tok2VecListener.v1": _same("architectures", "heron.Tok2VecListener.v1",
                                      "a config binding resolved to the trunk; heron adds grad_factor"),
    # ---- heads ----
    "spacy.Tagger.v2": _same("architectures", "heron.Tagger.v1"),
    "spacy.TransitionBasedParser.v2": _same("architectures", "heron.TransitionBasedParser.v1",
                                            "ner and parser; heron's NER trains on whole documents"),
    "spacy.TextCatBOW.v3": _same("architectures", "heron.TextCatBOW.v3"),
    "spacy.TextCatBOW.v2": _same("architectures", "heron.TextCatBOW.v3",
                                 "v2's table size 2**18 is v3's default length"),
    "spacy.TextCatEnsemble.v2": _same("architectures", "heron.TextCatEnsemble.v2"),
    "spacy.TextCatReduce.v1": _same("architectures", "heron.TextCatReduce.v1"),
    "spacy.TextCatCNN.v2": _same("architectures", "heron.TextCatReduce.v1",
                                 "spaCy 3.8 builds it as TextCatReduce with mean pooling only",
                                 use_reduce_first=False, use_reduce_last=False, use_reduce_max=False,
                                 use_reduce_mean=True),
    "spacy.TextCatParametricAttention.v1": _same("architectures", "heron.TextCatParametricAttention.v1"),
    "spacy.SpanCategorizer.v1": _same("architectures", "heron.SpanCategorizer.v1"),
    "spacy.PretrainCharacters.v1": _same("architectures", "heron.PretrainCharacters.v1"),
    "spacy.PretrainVectors.v1": _same("architectures", "heron.PretrainVectors.v1"),
    # ---- layers ----
    "spacy.LinearLogistic.v1": _same("layers", "heron.LinearLogistic.v1"),
    "spacy.mean_max_reducer.v1": _same("layers", "heron.mean_max_reducer.v1"),
    "Softmax.v2": _same("layers", "heron.SpanSoftmax.v1", "thinc's Softmax, used as spancat_singlelabel's scorer"),
    "reduce_mean.v1": _same("layers", "heron.reduce_mean.v1"),
    "reduce_max.v1": _same("layers", "heron.reduce_max.v1"),
    "reduce_first.v1": _same("layers", "heron.reduce_first.v1"),
    "reduce_last.v1": _same("layers", "heron.reduce_last.v1"),
    "reduce_sum.v1": _same("layers", "heron.reduce_sum.v1"),
    # ---- transformers (spacy-transformers) ----
    "spacy-transformers.TransformerModel.v3": _same("architectures", "heron.TransformerModel.v1", _TRF_MODEL),
    "spacy-transformers.TransformerModel.v2": _same("architectures", "heron.TransformerModel.v1", _TRF_MODEL),
    "spacy-transformers.TransformerModel.v1": _same("architectures", "heron.TransformerModel.v1", _TRF_MODEL),
    "spacy-transformers.TransformerListener.v1": _same("architectures", "heron.TransformerListener.v1",
                                                       "width is read from the transformer"),
    "spacy-transformers.Tok2VecTransformer.v3": _same("architectures", "heron.TransformerTok2Vec.v1", _TRF_MODEL),
    "spacy-transformers.Tok2VecTransformer.v2": _same("architectures", "heron.TransformerTok2Vec.v1", _TRF_MODEL),
    "spacy-transformers.Tok2VecTransformer.v1": _same("architectures", "heron.TransformerTok2Vec.v1", _TRF_MODEL),
    "spacy-transformers.strided_spans.v1": _same("span_getters", "heron.strided_spans.v1"),
    "spacy-transformers.doc_spans.v1": _same("span_getters", "heron.doc_spans.v1"),
    "spacy-transformers.sent_spans.v1": _same("span_getters", "heron.sent_spans.v1"),
    "spacy-transformers.null_annotation_setter.v1": _same("annotation_setters", "heron.null_annotation_setter.v1"),
    # ---- training: readers, batchers, schedules, optimizers, loggers ----
    "spacy.Corpus.v1": _same("readers", "heron.Corpus.v1", "reads .heron and spaCy's .spacy DocBins"),
    "spacy.JsonlCorpus.v1": _same("readers", "heron.JsonlCorpus.v1"),
    "spacy.batch_by_words.v1": _same("batchers", "heron.batch_by_words.v1"),
    "spacy.batch_by_padded.v1": _same("batchers", "heron.batch_by_padded.v1"),
    "spacy.batch_by_sequence.v1": _same("batchers", "heron.batch_by_sequence.v1"),
    "compounding.v1": _same("schedules", "heron.compounding.v1"),
    "constant.v1": _same("schedules", "heron.constant.v1"),
    "decaying.v1": _same("schedules", "heron.decaying.v1"),
    "warmup_linear.v1": _same("schedules", "heron.warmup_linear.v1"),
    "slanted_triangular.v1": _same("schedules", "heron.slanted_triangular.v1"),
    "cyclic_triangular.v1": _same("schedules", "heron.cyclic_triangular.v1"),
    "Adam.v1": _same("optimizers", "heron.Adam.v1", "torch Adam/AdamW with thinc's clipping, L2 and averaging"),
    "spacy.ConsoleLogger.v1": _same("loggers", "heron.ConsoleLogger.v1"),
    "spacy.ConsoleLogger.v2": _same("loggers", "heron.ConsoleLogger.v1"),
    # v3's progress_bar is "eval", "train" or null; heron's bar counts the steps to the next evaluation.
    "spacy.ConsoleLogger.v3": Counterpart("loggers", "heron.ConsoleLogger.v1",
                                          convert={"progress_bar": lambda value: value is not None},
                                          note='progress_bar "eval"/"train" -> true, null -> false'),
    # ---- scorers ----
    **{f"spacy.{kind}_scorer.v1": _same("scorers", f"heron.{kind}_scorer.v1", _SCORER)
       for kind in ("tagger", "morphologizer", "senter", "parser", "ner", "lemmatizer", "attribute_ruler",
                    "spancat", "overlapping_labeled_spans")},
    "spacy.textcat_scorer.v2": _same("scorers", "heron.textcat_scorer.v2", _SCORER),
    "spacy.textcat_scorer.v1": _same("scorers", "heron.textcat_scorer.v2", _SCORER),
    "spacy.textcat_multilabel_scorer.v2": _same("scorers", "heron.textcat_multilabel_scorer.v2", _SCORER),
    "spacy.textcat_multilabel_scorer.v1": _same("scorers", "heron.textcat_multilabel_scorer.v2", _SCORER),
    # ---- misc: suggesters, span filters, lookups; the tokenizer ----
    "spacy.ngram_suggester.v1": _same("misc", "heron.ngram_suggester.v1"),
    "spacy.ngram_range_suggester.v1": _same("misc", "heron.ngram_range_suggester.v1"),
    "spacy.preset_spans_suggester.v1": _same("misc", "heron.preset_spans_suggester.v1"),
    "spacy.first_longest_spans_filter.v1": _same("misc", "heron.first_longest_spans_filter.v1"),
    "spacy.prioritize_new_ents_filter.v1": _same("misc", "heron.prioritize_new_ents_filter.v1"),
    "spacy.prioritize_existing_ents_filter.v1": _same("misc", "heron.prioritize_existing_ents_filter.v1"),
    "spacy.LookupsDataLoader.v1": _same("misc", "heron.LookupsDataLoader.v1"),
    "spacy.Tokenizer.v1": _same("tokenizers", "heron.Tokenizer.v1", "spaCy's algorithm; rules stored as data"),
}

_NO_NEL = "heron has no entity linker (no knowledge base, no candidate generation)"
_NO_FINDER = "heron has no span_finder; spancat's suggesters (ngram, ngram_range, preset spans) propose spans instead"
_NO_LOGGER = "heron has the console logger only; train_log.jsonl in the output folder holds every logged step"
_NO_AUGMENT = "heron has no data augmentation; write augmented Docs into the training corpus instead"
_NO_TOKENIZER = "heron has rule-based tokenizers only (no word segmenter for this language)"
_INTERNAL = "an internal building block of spaCy's models, not a setting of heron's"

WITHOUT_COUNTERPART: Dict[str, str] = {
    "spacy.EntityLinker.v2": _NO_NEL, "spacy.CandidateGenerator.v1": _NO_NEL,
    "spacy.CandidateBatchGenerator.v1": _NO_NEL, "spacy.EmptyKB.v1": _NO_NEL, "spacy.EmptyKB.v2": _NO_NEL,
    "spacy.KBFromFile.v1": _NO_NEL, "spacy.entity_linker_scorer.v1": _NO_NEL,
    "spacy.SpanFinder.v1": _NO_FINDER, "spacy.span_finder_scorer.v1": _NO_FINDER,
    "spacy.TextCatLowData.v1": "heron has no low-data text classifier; use heron.TextCatBOW.v3 or TextCatEnsemble.v2",
    "spacy.entity_ruler_scorer.v1": "heron's entity_ruler has no scorer setting: training does not score it",
    "spacy.levenshtein_compare.v1": "heron's matchers have no fuzzy matching",
    "spacy.Vectors.v1": "heron's vocab always holds heron's Vectors table, filled by [initialize] vectors",
    "spacy.read_labels.v1": "heron collects labels from the training data at initialize (no `init labels` files)",
    "spacy.PlainTextCorpus.v1": "heron reads raw text as JSONL (heron.JsonlCorpus.v1, one {\"text\": ...} per line)",
    "spacy.orth_variants.v1": _NO_AUGMENT, "spacy.lower_case.v1": _NO_AUGMENT,
    "spacy.combined_augmenter.v1": _NO_AUGMENT,
    "spacy.copy_from_base_model.v1": "heron can't read spaCy's trained tokenizer or vocab; set [initialize] "
                                     "vectors or source heron components instead",
    "spacy.models_with_nvtx_range.v1": "heron has no NVTX profiling callbacks (use torch.profiler)",
    "spacy.models_and_pipes_with_nvtx_range.v1": "heron has no NVTX profiling callbacks (use torch.profiler)",
    "RAdam.v1": "heron has Adam.v1 and AdamW.v1 only", "SGD.v1": "heron has Adam.v1 and AdamW.v1 only",
    "constant_then.v1": "heron has no schedule that switches after a number of steps; use warmup_linear or a constant",
    "plateau.v1": "heron has no plateau schedule; use decaying or warmup_linear",
    "spacy.WandbLogger.v5": _NO_LOGGER, "spacy.WandbLogger.v4": _NO_LOGGER, "spacy.MLflowLogger.v2": _NO_LOGGER,
    "spacy.ClearMLLogger.v2": _NO_LOGGER, "spacy.ChainLogger.v1": _NO_LOGGER, "spacy.LookupLogger.v1": _NO_LOGGER,
    "spacy.PyTorchLogger.v1": _NO_LOGGER, "spacy.CupyLogger.v1": _NO_LOGGER,
    "spacy.ja.JapaneseTokenizer": _NO_TOKENIZER, "spacy.ko.KoreanTokenizer": _NO_TOKENIZER,
    "spacy.th.ThaiTokenizer": _NO_TOKENIZER, "spacy.vi.VietnameseTokenizer": _NO_TOKENIZER,
    "spacy.zh.ChineseTokenizer": _NO_TOKENIZER,
    "spacy.CharEmbed.v1": _INTERNAL, "spacy.FeatureExtractor.v1": _INTERNAL, "spacy.PrecomputableAffine.v1": _INTERNAL,
    "spacy.TransitionModel.v1": _INTERNAL, "spacy.extract_ngrams.v1": _INTERNAL, "spacy.extract_spans.v1": _INTERNAL,
    "HFWrapper.v1": _INTERNAL,
}

# Pipeline components heron has no factory for (others: E541 names them as unknown).
COMPONENTS_WITHOUT_COUNTERPART: Dict[str, str] = {
    "entity_linker": _NO_NEL,
    "span_finder": _NO_FINDER,
    "merge_noun_chunks": "heron has no retokenizing helper components; call doc.retokenize() in a component of yours",
    "merge_entities": "heron has no retokenizing helper components; call doc.retokenize() in a component of yours",
    "merge_subtokens": "heron has no retokenizing helper components; call doc.retokenize() in a component of yours",
    "token_splitter": "heron has no token_splitter; the transformer windows long Docs itself",
    "doc_cleaner": "heron has no doc_cleaner; set drop_trf_data = true on the transformer to free its output",
}

NO_DEFAULT = object()  # GAPS entries whose setting has no spaCy default (always "check these")


@dataclass(frozen=True)
class Gap:
    """A spaCy setting heron lacks: why, and spaCy's default value."""

    reason: str
    default: Any = NO_DEFAULT


_CUSTOM_SCORER = "heron's {} always scores with its built-in scorer (spaCy's metric names)"
_NOT_SCORED = "heron's {} has no scorer setting: training does not score it"

GAPS: Dict[str, Gap] = {
    # [sections]
    "[nlp].vectors": Gap(WITHOUT_COUNTERPART["spacy.Vectors.v1"], {"@vectors": "spacy.Vectors.v1"}),
    "[initialize].vocab_data": Gap("heron has no lexeme-attribute import (spaCy's JSONL vocab data)", None),
    "[initialize].lookups": Gap("heron reads lookup tables per component ([initialize.components.lemmatizer] or "
                                "the installed spacy-lookups-data), not for the whole vocab", None),
    "[pretraining]": Gap("spaCy writes an empty [pretraining] section when pretraining is off; heron leaves it "
                         "out (`heron init fill-config --pretraining` adds one)", {}),
    # component settings
    "factory:tagger.neg_prefix": Gap("heron's tagger learns from positive tags only: spaCy's negative tags "
                                     "(\"!TAG\" = not this tag) would be learned as ordinary tags", "!"),
    "factory:ner.moves": Gap("heron builds NER actions (O, B/I/L/U per label) from the training data's labels", None),
    "factory:ner.update_with_oracle_cut_size": Gap(
        "heron's NER trains on whole documents (teacher forcing on the gold actions), so long documents are "
        "never cut into oracle segments", 100),
    "factory:ner.incorrect_spans_key": Gap("heron's NER does not learn from known-incorrect spans", None),
    "factory:ner.scorer": Gap(_CUSTOM_SCORER.format("ner"), {"@scorers": "spacy.ner_scorer.v1"}),
    "factory:parser.moves": Gap("heron builds the arc-eager actions from the training data's labels", None),
    "factory:parser.learn_tokens": Gap("heron's parser does not learn to merge subtokens", False),
    "factory:entity_ruler.matcher_fuzzy_compare": Gap(WITHOUT_COUNTERPART["spacy.levenshtein_compare.v1"],
                                                      {"@misc": "spacy.levenshtein_compare.v1"}),
    "factory:entity_ruler.scorer": Gap(_NOT_SCORED.format("entity_ruler"),
                                       {"@scorers": "spacy.entity_ruler_scorer.v1"}),
    "factory:span_ruler.matcher_fuzzy_compare": Gap(WITHOUT_COUNTERPART["spacy.levenshtein_compare.v1"],
                                                    {"@misc": "spacy.levenshtein_compare.v1"}),
    "factory:sentencizer.scorer": Gap(_NOT_SCORED.format("sentencizer"), {"@scorers": "spacy.senter_scorer.v1"}),
    "factory:lemmatizer.model": Gap("heron's rule/lookup lemmatizer has no model", None),
    # function arguments
    "spacy.Tagger.v2.normalize": Gap("heron's tagger output is a plain linear layer + softmax (no normalised "
                                     "softmax)", False),
    "Softmax.v2.normalize_outputs": Gap("heron's SpanSoftmax always returns a softmax over the labels when "
                                        "predicting", True),
    "Softmax.v2.init_W": Gap("heron's scorers start at zero weights, as spaCy's output layers do", None),
    "Softmax.v2.init_b": Gap("heron's scorers start at zero weights, as spaCy's output layers do", None),
    "Softmax.v2.temperature": Gap("heron's SpanSoftmax has no temperature", 1.0),
    "spacy.Corpus.v1.augmenter": Gap(_NO_AUGMENT, None),
}
