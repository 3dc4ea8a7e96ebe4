"""Data model: Vocab/StringStore, Doc/Token/Span views over numpy columns, DocBin."""
from .doc import Doc
from .docbin import DocBin
from .morphology import MorphAnalysis
from .span import Span, filter_spans
from .span_group import SpanGroup
from .span_groups import SpanGroups
from .strings import StringStore, get_string_id
from .token import Token
from .vocab import Lexeme, Vocab

__all__ = ["Doc", "Token", "Span", "SpanGroup", "SpanGroups", "Vocab", "StringStore", "Lexeme", "DocBin",
           "MorphAnalysis", "get_string_id", "filter_spans"]
