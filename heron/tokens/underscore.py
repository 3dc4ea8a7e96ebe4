"""User extension attributes: `Doc/Token/Span.set_extension(name, ...)` and `obj._.name`.

Values without a getter/method live in `doc.user_data` under spaCy's keys:
Doc ("._.", name, None, None), Token ("._.", name, token.idx, None), Span
("._.", name, span.start_char, span.end_char). Keys use character offsets, so values
survive DocBin/to_json round trips and Doc.copy().
"""
from __future__ import annotations

import copy
import functools
from typing import Any, Callable, Optional

from ..errors import Errors, HeronValueError

_RESERVED = frozenset(("get", "set", "has"))
_OBJ_NAMES = {"doc": "Doc", "token": "Token", "span": "Span"}


class ExtensionAttributeError(HeronValueError, AttributeError):
    """An unknown extension was read or written (also an AttributeError, like spaCy)."""


class Underscore:
    """The `._` namespace of one Doc, Token or Span."""

    mutable_types = (dict, list, set)
    doc_extensions: dict[str, tuple] = {}
    token_extensions: dict[str, tuple] = {}
    span_extensions: dict[str, tuple] = {}

    __slots__ = ("_extensions", "_obj", "_doc", "_start", "_end")

    def __init__(self, extensions: dict, obj, start: Optional[int] = None, end: Optional[int] = None):
        object.__setattr__(self, "_extensions", extensions)
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_doc", getattr(obj, "doc", obj))
        object.__setattr__(self, "_start", start)
        object.__setattr__(self, "_end", end)

    def _owner(self) -> str:
        if self._extensions is Underscore.token_extensions:
            return "Token"
        return "Span" if self._extensions is Underscore.span_extensions else "Doc"

    def __dir__(self) -> list[str]:
        return sorted(self._extensions) + ["get", "set", "has"]

    def __getattr__(self, name: str) -> Any:
        if name not in self._extensions:
            raise ExtensionAttributeError(Errors.E021.format(obj=self._owner(), name=name))
        default, method, getter, setter = self._extensions[name]
        if getter is not None:
            return getter(self._obj)
        if method is not None:
            partial = functools.partial(method, self._obj)
            functools.update_wrapper(partial, method)
            return partial
        key = self._get_key(name)
        user_data = self._doc.user_data
        if key in user_data:
            return user_data[key]
        if isinstance(default, self.mutable_types):
            # Give each object its own copy, so appending to one does not change all.
            value = copy.copy(default)
            user_data[key] = value
            return value
        return default

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._extensions:
            raise ExtensionAttributeError(Errors.E021.format(obj=self._owner(), name=name))
        default, method, getter, setter = self._extensions[name]
        if setter is not None:
            setter(self._obj, value)
        elif getter is not None or method is not None:
            raise ExtensionAttributeError(Errors.E022.format(
                name=name, problem="it has a getter/method but no setter, so it cannot be assigned"))
        else:
            self._doc.user_data[self._get_key(name)] = value

    def set(self, name: str, value: Any) -> None:
        self.__setattr__(name, value)

    def get(self, name: str) -> Any:
        return self.__getattr__(name)

    def has(self, name: str) -> bool:
        return name in self._extensions

    def _get_key(self, name: str) -> tuple:
        return ("._.", name, self._start, self._end)


def get_ext_args(name: str, default: Any = None, method: Optional[Callable] = None,
                 getter: Optional[Callable] = None, setter: Optional[Callable] = None,
                 has_default: bool = False) -> tuple:
    """Validate set_extension's options and return (default, method, getter, setter)."""
    if not isinstance(name, str) or not name.isidentifier():
        raise HeronValueError(Errors.E024.format(name=name, problem="not a Python identifier"))
    if name.startswith("_") or name in _RESERVED:
        raise HeronValueError(Errors.E024.format(name=name, problem="reserved by the `._` namespace"))
    given = [opt for opt, on in (("default", has_default), ("getter", getter is not None),
                                 ("method", method is not None)) if on]
    if len(given) != 1:
        problem = f"got {' and '.join(given)}" if given else "got none of them"
        raise HeronValueError(Errors.E022.format(name=name, problem=problem))
    if setter is not None and getter is None:
        raise HeronValueError(Errors.E022.format(name=name, problem="setter= needs getter="))
    for opt, func in (("getter", getter), ("setter", setter), ("method", method)):
        if func is not None and not callable(func):
            raise HeronValueError(Errors.E022.format(name=name, problem=f"{opt}={func!r} is not callable"))
    return default, method, getter, setter


def make_extension_classmethods(kind: str) -> tuple:
    """set_extension/get_extension/has_extension/remove_extension for Doc, Token or Span."""
    table = getattr(Underscore, f"{kind}_extensions")
    obj_name = _OBJ_NAMES[kind]
    _unset = object()

    def set_extension(cls, name: str, default: Any = _unset, method=None, getter=None, setter=None,
                      force: bool = False) -> None:
        """Register `obj._.name`: exactly one of default=, getter= (+ setter=), method=."""
        args = get_ext_args(name, None if default is _unset else default, method, getter, setter,
                            has_default=default is not _unset)
        if name in table and not force:
            raise HeronValueError(Errors.E023.format(name=name, obj=obj_name))
        table[name] = args

    def get_extension(cls, name: str) -> Optional[tuple]:
        """(default, method, getter, setter) of extension `name`, or None."""
        return table.get(name)

    def has_extension(cls, name: str) -> bool:
        return name in table

    def remove_extension(cls, name: str) -> tuple:
        if name not in table:
            raise ExtensionAttributeError(Errors.E021.format(obj=obj_name, name=name))
        return table.pop(name)

    return (classmethod(set_extension), classmethod(get_extension), classmethod(has_extension),
            classmethod(remove_extension))
