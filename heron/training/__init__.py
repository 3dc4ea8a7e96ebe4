"""Training: Example/alignment, corpus readers, batchers, optimizers and schedules, the loop.

Importing this package registers the readers, batchers, schedules, optimizers and
loggers named in `[corpora]` and `[training]` configs. (`converters/` holds the
corpus converters behind `heron convert`.)
"""
from .alignment import (
                        Alignment,
                        AlignmentArray,
                        biluo_tags_to_offsets,
                        biluo_tags_to_spans,
                        biluo_to_iob,
                        doc_to_biluo_tags,
                        iob_to_biluo,
                        offsets_to_biluo_tags,
)
from .batchers import batch_by_padded, batch_by_sequence, batch_by_words
from .corpus import Corpus, create_docbin_reader
from .example import Example
from .initialize import init_nlp
from .loggers import console_logger
from .loop import TrainingInterrupted, train, train_nlp, train_while_improving
from .optim import (
                        Adam,
                        AdamW,
                        Optimizer,
                        Schedule,
                        compounding,
                        constant,
                        cyclic_triangular,
                        decaying,
                        slanted_triangular,
                        warmup_linear,
)

__all__ = ["Example", "Alignment", "AlignmentArray", "iob_to_biluo", "biluo_to_iob",
           "offsets_to_biluo_tags", "biluo_tags_to_offsets", "biluo_tags_to_spans",
           "doc_to_biluo_tags", "Corpus", "create_docbin_reader", "batch_by_words",
           "batch_by_sequence", "batch_by_padded", "Adam", "AdamW", "Optimizer", "Schedule",
           "constant", "compounding", "decaying", "warmup_linear", "slanted_triangular",
           "cyclic_triangular", "init_nlp", "console_logger", "train", "train_nlp",
           "train_while_improving", "TrainingInterrupted"]
