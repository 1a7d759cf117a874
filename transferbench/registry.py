"""Name → class registries, one per kind (methods, backbones, datasets).

Modelled on Dassl's ``Registry``: registering a name twice is an error, and looking up an
unknown name fails with a message that lists every registered choice.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Callable, Generic, TypeVar

from transferbench.errors import UserError

T = TypeVar("T")


class Registry(Generic[T]):
    """A named collection of builders filled by the ``register`` decorator."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: add the decorated class or function under ``name``."""

        def add(obj: T) -> T:
            if name in self._entries:
                raise KeyError(f"{self.kind} '{name}' is registered twice")
            self._entries[name] = obj
            return obj

        return add

    def get(self, name: str) -> T:
        if name not in self._entries:
            raise UserError(
                f"unknown {self.kind} '{name}'; choose one of: {', '.join(self.names())}"
            )
        return self._entries[name]

    def build(self, name: str, *args: object, **options: object) -> object:
        """Call entry ``name`` with ``options``; a misspelt or missing option is a user error."""
        builder = self.get(name)
        try:
            inspect.signature(builder).bind(*args, **options)
        except TypeError as error:
            raise UserError(f"{self.kind} '{name}': {error}; check its YAML under transferbench/conf/") from None
        return builder(*args, **options)

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: str) -> bool:
        return name in self._entries


def import_submodules(package_name: str) -> None:
    """Import every module of a package so that their ``register`` decorators run.

    This is what lets a new method be one file: dropping it into the package registers it.
    """
    package = importlib.import_module(package_name)
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package_name}.{module.name}")
