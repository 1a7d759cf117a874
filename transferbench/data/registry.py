"""The dataset (domain) registry: each entry loads one domain's train and test splits."""

from transferbench.registry import Registry

DATASETS = Registry("dataset")
