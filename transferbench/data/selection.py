"""Selecting the source examples nearest to a target set by low-level image statistics, for
selective joint fine-tuning (Ge & Yu, "Borrowing Treasures from the Wealthy", CVPR 2017, §3.1).

Each gray image is described by histograms of its responses to a bank of Gabor filters (a filter
bank of several orientations and wavelengths: the low-level features the paper retrieves with);
every target training image then retrieves its ``neighbours`` nearest source images (Euclidean
distance between descriptors), and the union of those is the selected source subset. The
``random`` rule draws a subset of the same size uniformly, the paper's control arm.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from typing import Any, Mapping

import torch
import torch.nn.functional as F

from transferbench.data.domain import Domain, Split
from transferbench.errors import UserError

log = logging.getLogger(__name__)
RULES = ("all", "gabor", "random")
#: The filter bank: orientations (radians) × wavelengths (pixels), 11×11 kernels.
ORIENTATIONS = tuple(index * math.pi / 4 for index in range(4))
WAVELENGTHS = (4.0, 8.0)
KERNEL = 11
#: Histogram bins of each filter's absolute response, over [0, RESPONSE_MAX].
BINS, RESPONSE_MAX = 8, 4.0


def gabor_bank() -> torch.Tensor:
    """Even (cosine) Gabor kernels ``(K, 1, KERNEL, KERNEL)``, zero-mean, σ = wavelength / 2."""
    half = KERNEL // 2
    y, x = torch.meshgrid(torch.arange(-half, half + 1.0), torch.arange(-half, half + 1.0), indexing="ij")
    kernels = []
    for wavelength in WAVELENGTHS:
        sigma = wavelength / 2
        for angle in ORIENTATIONS:
            along = x * math.cos(angle) + y * math.sin(angle)
            across = -x * math.sin(angle) + y * math.cos(angle)
            kernel = torch.exp(-(along**2 + across**2) / (2 * sigma**2)) * torch.cos(2 * math.pi * along / wavelength)
            kernels.append(kernel - kernel.mean())
    return torch.stack(kernels).unsqueeze(1)


def gabor_histograms(images: torch.Tensor, batch_size: int = 2048) -> torch.Tensor:
    """``(N, K · BINS)`` descriptors of uint8 images ``(N, C, H, W)`` (channels averaged): per filter,
    the normalised histogram of the absolute responses."""
    bank = gabor_bank()
    descriptors = []
    for chunk in images.split(batch_size):
        gray = chunk.float().mean(dim=1, keepdim=True) / 255.0
        responses = F.conv2d(gray, bank, padding=KERNEL // 2).abs().flatten(2)
        bins = (responses / RESPONSE_MAX * BINS).long().clamp_(max=BINS - 1)
        counts = F.one_hot(bins, BINS).sum(dim=2).float()
        descriptors.append((counts / responses.shape[-1]).flatten(1))
    return torch.cat(descriptors)


def nearest_sources(sources: torch.Tensor, targets: torch.Tensor, neighbours: int) -> torch.Tensor:
    """The sorted indices of the union of each target descriptor's ``neighbours`` nearest sources."""
    chosen = [
        torch.cdist(chunk, sources).topk(neighbours, dim=1, largest=False).indices.flatten()
        for chunk in targets.split(256)
    ]
    return torch.cat(chosen).unique()


def select_sources(pool: Domain, targets: Split, rule: Mapping[str, Any], seed: int, name: str) -> Domain:
    """``pool`` with its training split cut to the examples ``rule`` selects for ``targets``
    (``{rule: all | gabor | random, neighbours: k}``); the test split stays whole."""
    kind, neighbours = rule.get("rule", "all"), int(rule.get("neighbours", 10))
    if kind not in RULES:
        raise UserError(f"dataset.related.{name}.selection.rule={kind} is not one of: {', '.join(RULES)}")
    if kind == "all":
        return pool
    if not 1 <= neighbours <= len(pool.train):
        raise UserError(f"dataset.related.{name}.selection.neighbours={neighbours} must lie in [1, {len(pool.train)}]")
    chosen = nearest_sources(gabor_histograms(pool.train.inputs), gabor_histograms(targets.inputs), neighbours)
    if kind == "random":
        generator = torch.Generator().manual_seed(seed)
        chosen = torch.randperm(len(pool.train), generator=generator)[: len(chosen)].sort().values
    labels = pool.train.labels[chosen]
    counts = torch.bincount(labels, minlength=int(pool.train.labels.max()) + 1).tolist()
    log.info("related task %s: %s selected %d of %d training examples; per class %s",
             name, kind, len(chosen), len(pool.train), counts)
    return replace(pool, train=Split(pool.train.inputs[chosen], labels))
