"""Static word vectors: the `Vectors` table, file readers, pruning, `[initialize] vectors`.

    from heron.vectors import Vectors, load_vectors_table
    table = load_vectors_table("vectors_en")     # a folder from `heron init vectors`
    table.most_similar(table.get_batch(["king"]), n=5)
"""
from .init import load_vectors_into
from .io import read_vectors
from .lexemes import build_lexeme_vectors
from .prune import prune_table
from .table import Vectors, load_vectors_table

__all__ = ["Vectors", "load_vectors_table", "load_vectors_into", "read_vectors", "prune_table", "build_lexeme_vectors"]
