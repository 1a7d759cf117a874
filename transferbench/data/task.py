"""A task: a labelled source domain and an unlabelled target domain, ready for the engine."""

from __future__ import annotations

import copy
import inspect
import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import torch

from transferbench.data.augment import Transform, build_augmentation, identity
from transferbench.data.domain import INTERPOLATION_CHOICES, Domain, Split, conform_images
from transferbench.data.registry import DOMAINS
from transferbench.data.selection import select_sources
from transferbench.data.zero_shot import harmonic_mean, load_descriptions, unseen_classes, zero_shot_domains
from transferbench.data.subset import hold_out, labels_per_class
from transferbench.errors import UserError

ROLES = ("source", "target")
#: A file-reading domain builder's first two parameters, from ``data.root`` and ``data.download``;
#: its other parameters are the options a task YAML may set (``dataset.options``).
FIXED = ("root", "download")


class Normalize:
    """Turns a batch into network input: uint8 images → ``(x/255 − mean)/std``, in its
    ``memory_format``: channels-last (NHWC) unless :meth:`laid_out` says otherwise (the digits
    nets train 1.3× faster on CPU in it, docs/benchmarks.md, and GPUs' tensor cores want it);
    floats pass."""

    def __init__(self, mean: Sequence[float] | None, std: Sequence[float] | None) -> None:
        self.mean = None if mean is None else torch.tensor(mean).view(1, -1, 1, 1)
        self.std = None if std is None else torch.tensor(std).view(1, -1, 1, 1)
        self.memory_format = torch.channels_last

    def laid_out(self, memory_format: torch.memory_format) -> "Normalize":
        """The same normalisation, its output in ``memory_format``."""
        laid = copy.copy(self)
        laid.memory_format = memory_format
        return laid

    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.dtype != torch.uint8:
            return inputs
        images = inputs.float().div_(255.0).contiguous(memory_format=self.memory_format)
        if self.mean is None:
            return images
        mean, std = self.mean.to(images.device), self.std.to(images.device)
        return (images - mean) / std


@dataclass
class Task:
    """Source → target transfer problem with a shared label space.

    ``augment_train`` and ``prepare_eval`` act on raw batches on the device before ``normalize``
    (random crops and flips for photos, see ``data/augment.py``); both default to the identity.
    ``related`` holds the other tasks of a run by name, each with its own label space and input
    pipeline: those the task YAML declares (``related:``, the tasks of multi-task learning) and
    those the method asks for (the old task of continual learning, ``Method.related_tasks``). A
    ``regression`` task's labels are float targets (``num_classes`` of them per example when above
    one, else one number) and it is evaluated by mean absolute error.

    A zero-shot task (``data/zero_shot.py``) also holds its class ``descriptions`` (one attribute
    vector per class), the ``candidates`` each evaluation predicts among (``source``: the seen
    classes, ``target``: the unseen ones; absent: all), further test splits in its own label space
    (``evaluations``: ``seen``, ``unseen``, predicted among all classes) and a ``summary`` of an
    evaluation's record (the harmonic mean of those two). ``unlabelled`` is a pool of unlabelled
    inputs from another domain (``unlabelled: {domain, options}`` in the task YAML: self-taught
    learning's natural-image patches), as that domain stores them.
    """

    name: str
    source: Domain
    target: Domain
    num_classes: int
    normalize: Normalize
    augment_train: Transform = identity
    prepare_eval: Transform = identity
    related: dict[str, "Task"] = field(default_factory=dict)
    regression: bool = False
    descriptions: torch.Tensor | None = None
    candidates: dict[str, tuple[int, ...]] = field(default_factory=dict)
    evaluations: dict[str, Split] = field(default_factory=dict)
    summary: Callable[[Mapping[str, Any]], dict[str, float]] | None = None
    unlabelled: Split | None = None

    def to(self, device: torch.device | str, memory_format: torch.memory_format = torch.channels_last) -> "Task":
        """The same task with every split moved to ``device`` (the on-device data path), its
        network input laid out in ``memory_format``."""
        related = {name: task.to(device, memory_format) for name, task in self.related.items()}
        evaluations = {name: split.to(device) for name, split in self.evaluations.items()}
        return replace(
            self, source=self.source.to(device), target=self.target.to(device), related=related,
            evaluations=evaluations, unlabelled=None if self.unlabelled is None else self.unlabelled.to(device),
            normalize=self.normalize.laid_out(memory_format),
        )

    def train_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        """Network input for a training batch: augmented, then normalised."""
        return self.normalize(self.augment_train(inputs))

    def eval_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        """Network input for an evaluation batch: prepared (e.g. center-cropped), then normalised."""
        return self.normalize(self.prepare_eval(inputs))

    @property
    def metric(self) -> str:
        """The suffix of the task's metric as a related task: ``acc`` (%) or ``mae`` (regression)."""
        return "mae" if self.regression else "acc"

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one network input, after ``prepare_eval``."""
        return tuple(self.prepare_eval(self.source.train.inputs[:1]).shape[1:])


def build_task(cfg: Mapping[str, Any], root: Path, download: bool, *, seed: int = 0) -> Task:
    """Load ``cfg.source`` and ``cfg.target`` from the domain registry and make them agree.

    A task YAML that lists its ``domains`` (Office-31) accepts any two of them. Its ``options`` are
    shared by both domains: each gets those its builder accepts; one that neither accepts is an
    error. A domain that reads files (its builder takes ``root``) needs ``root`` to exist.

    ``related`` (name → task config) builds the task's related tasks the same way.
    ``source_val`` (a fraction; null: none) holds that much of the source training data out as
    its validation split (``Domain.val``), drawn with ``seed``. ``labels_per_class`` (null: all)
    keeps that many source training examples per class, drawn with ``seed`` (the run's seed: each
    seed draws its own subset). The target's training split
    stays whole: the unlabelled transfer set (for source = target, the whole training split).
    """
    _check_domains(cfg)
    builders = {role: DOMAINS.get(cfg[role], f"dataset.{role} of task {cfg['name']}") for role in ROLES}
    options = dict(cfg.get("options") or {})
    _check_options(cfg, options, list(builders.values()))
    if any(_reads_files(builder) for builder in builders.values()):
        _check_root(root)
    source, target = (
        _conform(_build(cfg[role], builders[role], root, download, options), cfg) for role in ROLES
    )
    if not cfg.get("regression", False):
        _check_labels(cfg, source, target)
    source = hold_out(source, cfg.get("source_val"), seed, cfg["source"])
    if cfg.get("labels_per_class") is not None:
        train = labels_per_class(source.train, cfg["labels_per_class"], seed, cfg["source"])
        source = Domain(train, source.test, source.val)
    zero_shot = _zero_shot(cfg, source, target, seed)
    image_side = source.train.inputs.shape[-1]
    augment_train, prepare_eval = build_augmentation(cfg.get("augment"), image_side)
    return Task(
        name=cfg["name"],
        **zero_shot,
        num_classes=cfg["num_classes"],
        normalize=Normalize(cfg.get("mean"), cfg.get("std")),
        augment_train=augment_train,
        prepare_eval=prepare_eval,
        related=_related(cfg, zero_shot["source"].train, root, download, seed),
        regression=bool(cfg.get("regression", False)),
        unlabelled=_unlabelled(cfg.get("unlabelled"), root, download),
    )


def _unlabelled(spec: Mapping[str, Any] | None, root: Path, download: bool) -> Split | None:
    """The training split of the domain ``spec`` names (``{domain, options}``), its labels unused."""
    if not spec:
        return None
    name = spec["domain"]
    builder = DOMAINS.get(name, "dataset.unlabelled.domain")
    if _reads_files(builder):
        _check_root(root)
    return DOMAINS.build(name, *_fixed(builder, root, download), **dict(spec.get("options") or {})).train


def _zero_shot(cfg: Mapping[str, Any], source: Domain, target: Domain, seed: int) -> dict[str, Any]:
    """The domains, and for a zero-shot task (``cfg.zero_shot``) its class split, descriptions,
    candidates, evaluations and summary (``data/zero_shot.py``)."""
    spec = cfg.get("zero_shot")
    if not spec:
        return {"source": source, "target": target}
    classes = cfg["num_classes"]
    descriptions = load_descriptions(spec["descriptions"], classes)
    split = zero_shot_domains(source, target, unseen_classes(spec, classes, seed), classes)
    return split | {"descriptions": descriptions, "summary": harmonic_mean}


def _related(cfg: Mapping[str, Any], labelled: Split, root: Path, download: bool, seed: int) -> dict[str, Task]:
    """The tasks ``cfg.related`` declares, by name; one with a ``selection`` rule keeps the source
    training examples it selects for the task's ``labelled`` training split (``data/selection.py``)."""
    related = {}
    for name, spec in (cfg.get("related") or {}).items():
        task = build_task(spec, root, download, seed=seed)
        if spec.get("selection"):
            task = replace(task, source=select_sources(task.source, labelled, spec["selection"], seed, name))
        related[name] = task
    return related


def _check_labels(cfg: Mapping[str, Any], *domains: Domain) -> None:
    """Every class label must have a head output: 0 … num_classes − 1."""
    splits = [split for domain in domains for split in (domain.train, domain.test) if len(split)]
    largest = max((int(split.labels.max()) for split in splits), default=-1)
    if largest >= cfg["num_classes"]:
        raise UserError(
            f"task {cfg['name']} has num_classes={cfg['num_classes']} but its data has label {largest}; "
            f"set num_classes to at least {largest + 1}"
        )


def _parameters(builder: Callable[..., Domain]) -> list[str]:
    """The names of the parameters a domain builder takes by keyword."""
    keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [p.name for p in inspect.signature(builder).parameters.values() if p.kind in keyword]


def _options(builder: Callable[..., Domain]) -> list[str]:
    """The ``dataset.options`` a domain builder accepts: its parameters but ``FIXED``."""
    return [name for name in _parameters(builder) if name not in FIXED]


def _reads_files(builder: Callable[..., Domain]) -> bool:
    return "root" in _parameters(builder)


def _check_options(
    cfg: Mapping[str, Any], options: Mapping[str, Any], builders: list[Callable[..., Domain]]
) -> None:
    valid = sorted({name for builder in builders for name in _options(builder)})
    for key in options:
        if key not in valid:
            raise UserError(
                f"dataset.options.{key} is not an option of task {cfg['name']} "
                f"(domains {cfg['source']}, {cfg['target']}); valid options: {', '.join(valid) or 'none'}"
            )


def _check_root(root: Path) -> None:
    """Stop before a download could create a folder tree at a mistyped ``data.root``."""
    if not root.exists():
        raise UserError(
            f"data.root {root} does not exist; create it (mkdir -p {shlex.quote(str(root))}) "
            "or point data.root / TRANSFERBENCH_DATA at your data folder"
        )


def _build(
    name: str, builder: Callable[..., Domain], root: Path, download: bool, options: Mapping[str, Any]
) -> Domain:
    """Domain ``name`` from ``root`` (when it reads files) and the options its builder accepts."""
    accepted = _options(builder)
    return DOMAINS.build(
        name, *_fixed(builder, root, download), **{key: value for key, value in options.items() if key in accepted}
    )


def _fixed(builder: Callable[..., Domain], root: Path, download: bool) -> tuple[Any, ...]:
    """The builder's positional ``(root, download)`` when it reads files, else nothing."""
    return (root, download) if _reads_files(builder) else ()


def _check_domains(cfg: Mapping[str, Any]) -> None:
    choices = cfg.get("domains")
    if choices is None:
        return
    for role in ("source", "target"):
        if cfg[role] not in choices:
            raise UserError(
                f"dataset.{role}={cfg[role]} is not one of this dataset's domains: {', '.join(choices)}"
            )


def _conform(domain: Domain, cfg: Mapping[str, Any]) -> Domain:
    size, channels = cfg.get("image_size"), cfg.get("channels")
    if size is None:
        return domain
    interpolation = cfg.get("interpolation", "bilinear")
    if interpolation not in INTERPOLATION_CHOICES:
        raise UserError(
            f"dataset.interpolation={interpolation} is not one of: {', '.join(INTERPOLATION_CHOICES)}"
        )
    return Domain(
        *(conform_images(split, size, channels, interpolation) for split in (domain.train, domain.test))
    )

