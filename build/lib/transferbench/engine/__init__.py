"""Training loop, evaluation, checkpoints, seeding, logging and progress display."""

from transferbench.engine.loop import FitSettings, FitState, Trainer

__all__ = ["FitSettings", "FitState", "Trainer"]
