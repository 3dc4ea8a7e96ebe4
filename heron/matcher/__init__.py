"""Rule-based matching: token patterns (Matcher), phrase lists (PhraseMatcher) and
dependency-tree patterns (DependencyMatcher)."""
from .dependencymatcher import DependencyMatcher
from .matcher import Matcher
from .phrasematcher import PhraseMatcher

__all__ = ["DependencyMatcher", "Matcher", "PhraseMatcher"]
