"""A run's configuration: where the YAMLs live, the typed schema of the fixed keys, composing a
config in-process, its digest, and Hydra's errors as one line.

The groups that mirror registries (``backbone``, ``dataset``, ``method``) are free-form here:
their builders check their own options. ``seed``, ``data``, ``imports`` and ``trainer`` have a
fixed schema (a Hydra structured config), so ``seed=abc`` or ``+trainer.foo=1`` stop at
composition with one line.
"""

from __future__ import annotations

import copy
import hashlib
import operator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.errors import ConfigCompositionException, HydraException, MissingConfigException
from omegaconf import MISSING, DictConfig, OmegaConf
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

from transferbench.engine.loop import FitSettings
from transferbench.errors import UserError

CONF_DIR = Path(__file__).resolve().parent / "conf"
#: What the user calls each config group in messages (``dataset=`` picks a task YAML).
GROUP_LABELS = {"dataset": "task (dataset=)"}
#: Keys added on 2026-12-05, at the values under which a run trains as every earlier run trained
#: (validators and the objective never change training; earlier runs trained in fp32).
LATER_DEFAULTS = {
    ("trainer", "validators"): ["source_val", "im", "snd", "dev"],
    ("trainer", "validation_samples"): 2000,
    ("trainer", "precision"): "fp32",
    ("objective", "name"): "snd",
    ("objective", "oracle"): False,
}
#: Keys of ``trainer`` that say where and how a run executes, not what it computes.
EXECUTION_KEYS = ("progress", "resume", "device", "threads", "processes", "channels_last", "compile")


@dataclass
class TrainerConfig(FitSettings):
    """``trainer:``: the loop's settings, plus the device, CPU threads and resuming."""

    device: str = "auto"
    threads: Any = "auto"
    resume: bool = True
    processes: int = 1
    channels_last: bool = True
    compile: bool = False


@dataclass
class DataConfig:
    """``data:``: where the datasets are, and whether missing files may be downloaded."""

    root: str = "data"
    download: bool = True


@dataclass
class ObjectiveConfig:
    """``objective:``: what the run returns to an optimising sweeper (``transferbench/objective.py``)."""

    name: str = "snd"
    oracle: bool = False


@dataclass
class RunConfig:
    """The top level of ``conf/config.yaml``; the registry groups are checked by their builders."""

    seed: int = 0
    imports: list[str] = field(default_factory=list)
    data: DataConfig = field(default_factory=DataConfig)
    objective: ObjectiveConfig = field(default_factory=ObjectiveConfig)
    trainer: TrainerConfig = MISSING
    backbone: Any = None
    dataset: Any = None
    method: Any = None
    optimizer: Any = None
    scheduler: Any = None
    logger: Any = None


ConfigStore.instance().store(name="run_schema", node=RunConfig)
# ``${div:a,b}`` = a / b in YAML, so a schedule stated per iteration follows ``trainer.iterations``.
OmegaConf.register_new_resolver("div", operator.truediv, replace=True)


def group_choices(group: str) -> list[str]:
    """The YAML names the package offers in ``conf/<group>/``."""
    return sorted(path.stem for path in (CONF_DIR / group).glob("*.yaml"))


def compose_config(*overrides: str, config_name: str = "config") -> DictConfig:
    """``transferbench/conf/config.yaml`` composed with command-line style ``overrides`` (Hydra's
    compose API, as ``python -m transferbench`` composes it), or one ``UserError`` line."""
    try:
        with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
            return compose(config_name, overrides=list(overrides))
    except (HydraException, OmegaConfBaseException) as error:
        raise UserError(one_line(error)) from None


def check_config(cfg: DictConfig) -> None:
    """What the schema's types cannot express: no key added to a typed node (Hydra's ``+key=``
    adds one even there), a non-negative seed, a positive process count, and a value for every
    required key (``???``)."""
    typed = (
        (cfg, RunConfig, ""), (cfg.data, DataConfig, "data."), (cfg.trainer, TrainerConfig, "trainer."),
        (cfg.get("objective") or {}, ObjectiveConfig, "objective."),  # absent from runs before 2026-12-05
    )
    for node, schema, prefix in typed:
        unknown = sorted(set(node) - set(schema.__dataclass_fields__))
        if unknown:
            raise UserError(
                f"unknown key '{prefix}{unknown[0]}'; {prefix.rstrip('.') or 'the top level'} has: "
                f"{', '.join(schema.__dataclass_fields__)}"
            )
    if cfg.seed < 0:
        raise UserError(f"seed must be a non-negative integer, got {cfg.seed}")
    if cfg.trainer.processes < 1:
        raise UserError(f"trainer.processes must be a positive integer, got {cfg.trainer.processes}")
    missing = sorted(OmegaConf.missing_keys(cfg))
    if missing:
        raise UserError(f"{missing[0]} is required (??? in its YAML); set it on the command line: {missing[0]}=...")


def one_line(error: BaseException) -> str:
    """A Hydra or OmegaConf error (and its cause) as one line that says what to fix."""
    if isinstance(error, MissingConfigException) and error.options is not None:
        group, _, name = (error.missing_cfg_file or "").rpartition("/")
        label = GROUP_LABELS.get(group, group)
        return f"unknown {label} '{name}'; choose one of: {', '.join(error.options)}"
    cause = error.__cause__
    if isinstance(error, ConfigCompositionException) and isinstance(cause, (ConfigAttributeError, ConfigKeyError)):
        key = _override_key(error) or cause.full_key
        return (
            f"unknown key '{key}'; check its spelling (`python -m transferbench --cfg job` prints "
            f"every key), or add a new key with +{key}=..."
        )
    if isinstance(cause, OmegaConfBaseException) and getattr(cause, "full_key", None):
        return f"{cause.full_key}: {str(cause).splitlines()[0]}"
    return "; ".join(dict.fromkeys(_message_lines(error)))


def _override_key(error: ConfigCompositionException) -> str | None:
    """The key of Hydra's "Could not override 'KEY'." message."""
    first = str(error).splitlines()[0]
    if first.startswith("Could not override '"):
        return first.split("'")[1]
    return None


def _message_lines(error: BaseException) -> Iterator[str]:
    """The meaningful lines of ``error`` and its causes, ``full_key`` folded into the message."""
    while error is not None:
        key = getattr(error, "full_key", None)
        for line in str(error).splitlines():
            line = line.strip()
            if not line or line.startswith(("full_key:", "object_type", "reference_type", "See https")):
                continue
            yield f"{key}: {line}" if key and key not in line else line
        error = error.__cause__


def resolved(cfg: DictConfig) -> dict[str, Any]:
    """The config with every interpolation resolved, as plain containers."""
    return OmegaConf.to_container(cfg, resolve=True)


def config_digest(cfg: DictConfig) -> str:
    return digest(resolved(cfg))


def digest(config: dict[str, Any]) -> str:
    """Hash of everything in a resolved config that determines the numbers (not display, device,
    resume or data-location switches, nor the logger). A key the schema gained after runs were
    made (``LATER_DEFAULTS``) counts only when it differs from what those runs did, so a sweep
    folder made before it still skips its finished runs and resumes the others."""
    relevant = copy.deepcopy(config)
    for key in EXECUTION_KEYS:
        relevant.get("trainer", {}).pop(key, None)
    for (group, key), default in LATER_DEFAULTS.items():
        if relevant.get(group, {}).get(key, default) == default:
            relevant.get(group, {}).pop(key, None)
    if not relevant.get("objective"):
        relevant.pop("objective", None)
    relevant.pop("logger", None)
    relevant.pop("data", None)
    if not relevant.get("imports"):
        relevant.pop("imports", None)
    text = OmegaConf.to_yaml(OmegaConf.create(relevant), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
