"""The backbone registry: each entry builds a feature extractor with named blocks."""

from transferbench.registry import Registry

BACKBONES = Registry("backbone", config_key="backbone.options")
