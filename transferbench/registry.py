"""Name → class registries, one per kind (methods, backbones, domains).

Modelled on Dassl's ``Registry``: registering a name twice is an error, and looking up an
unknown name fails with a message that lists every registered choice.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import types
import typing
from typing import Any, Callable, Generic, Mapping, TypeVar

from transferbench.errors import UserError

T = TypeVar("T")

#: The annotations whose values ``Registry.check`` verifies, with how its messages name them.
PLAIN_TYPES = {int: "an int", float: "a float", bool: "a bool", str: "a string", type(None): "None"}


class Registry(Generic[T]):
    """A named collection of builders filled by the ``register`` decorator.

    ``config_key`` is where an entry's options live in the composed config (``method``,
    ``backbone.options``, ``dataset.options``); error messages point there. Default: ``kind``.
    """

    def __init__(self, kind: str, config_key: str | None = None) -> None:
        self.kind = kind
        self.config_key = config_key or kind
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: add the decorated class or function under ``name``."""

        def add(obj: T) -> T:
            if name in self._entries:
                raise KeyError(f"{self.kind} '{name}' is registered twice")
            self._entries[name] = obj
            return obj

        return add

    def get(self, name: str, where: str = "") -> T:
        """Entry ``name``; an unknown name is a user error mentioning ``where`` it was asked for."""
        if name not in self._entries:
            context = f" ({where})" if where else ""
            raise UserError(
                f"unknown {self.kind} '{name}'{context}; choose one of: {', '.join(self.names())}"
            )
        return self._entries[name]

    def check(self, name: str, *args: object, **options: object) -> None:
        """Raise a one-line user error unless entry ``name`` accepts ``args`` and ``options``.

        A missing or misspelt option is an error, and so is an option whose annotation is a plain
        ``int``, ``float``, ``bool``, ``str`` (or a union of them and None) but whose value is not
        one of those (an int is a float; a bool is neither). ``args`` are the caller's, unchecked.
        """
        builder = self.get(name)
        try:
            inspect.signature(builder).bind(*args, **options)
        except TypeError as error:
            raise UserError(f"{self.kind} '{name}': {error}; check its YAML under transferbench/conf/") from None
        hints = _type_hints(builder)
        for option, value in options.items():
            expected = _unmet_types(hints.get(option), value)
            if expected:
                raise UserError(
                    f"{self.kind} '{name}': {option} must be {expected}, got {value!r}; "
                    f"check {self.config_key}.{option}"
                )

    def build(self, name: str, *args: object, **options: object) -> object:
        """Call entry ``name`` with ``options`` once ``check`` has accepted them."""
        self.check(name, *args, **options)
        return self.get(name)(*args, **options)

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: str) -> bool:
        return name in self._entries


def _type_hints(builder: Any) -> Mapping[str, Any]:
    """The resolved annotations of a function, a ``partial`` of one or a class's ``__init__``;
    empty when they cannot be resolved."""
    while isinstance(builder, functools.partial):
        builder = builder.func
    try:
        return typing.get_type_hints(builder.__init__ if inspect.isclass(builder) else builder)
    except (NameError, TypeError):
        return {}


def _unmet_types(hint: Any, value: object) -> str:
    """The plain types of ``hint`` in words (``a float or None``) when ``value`` is none of them;
    ``""`` when it is one, or when ``hint`` is not made of plain types."""
    allowed = _plain_types(hint)
    if not allowed or _matches(value, allowed):
        return ""
    # PLAIN_TYPES' order, not the annotation's: typing caches a union under its first spelling.
    return " or ".join(words for kind, words in PLAIN_TYPES.items() if kind in allowed)


def _plain_types(hint: Any) -> tuple[type, ...]:
    """The members of ``hint`` when all are plain types (``PLAIN_TYPES``), else ``()``."""
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    members = typing.get_args(hint) if union else (hint,)
    return members if all(member in PLAIN_TYPES for member in members) else ()


def _matches(value: object, allowed: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in allowed
    if isinstance(value, int):
        return int in allowed or float in allowed
    return isinstance(value, allowed)


def import_submodules(package_name: str) -> None:
    """Import every module of a package so that their ``register`` decorators run.

    This is what lets a new method be one file: dropping it into the package registers it.
    """
    package = importlib.import_module(package_name)
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package_name}.{module.name}")
