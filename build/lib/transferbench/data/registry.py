"""The domain registry: each entry loads one domain's train and test splits (a task pairs two)."""

from transferbench.registry import Registry

DOMAINS = Registry("domain", config_key="dataset.options")
