"""Rule-based matching: token patterns (Matcher) and phrase lists (PhraseMatcher)."""
from .matcher import Matcher
from .phrasematcher import PhraseMatcher

__all__ = ["Matcher", "PhraseMatcher"]
