"""The method registry: each entry is a :class:`~transferbench.methods.base.Method` subclass."""

from transferbench.registry import Registry

METHODS = Registry("method")
