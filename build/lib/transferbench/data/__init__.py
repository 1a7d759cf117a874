"""Domains (MNIST, USPS, …), tasks (source → target pairs of domains) and the on-device batch sampler."""

from transferbench.data.domain import Domain, Split
from transferbench.data.registry import DOMAINS
from transferbench.data.sampler import InfiniteSampler
from transferbench.data.task import Task, build_task
from transferbench.registry import import_submodules

import_submodules(__name__)

__all__ = ["DOMAINS", "Domain", "InfiniteSampler", "Split", "Task", "build_task"]

