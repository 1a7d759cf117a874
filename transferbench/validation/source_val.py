"""Source validation accuracy: DomainBed's training-domain validation (Gulrajani & Lopez-Paz,
"In Search of Lost Domain Generalization", ICLR 2021, §3): accuracy (%) on labelled source
examples held out of training. It assumes the best network for the source is the best for the
target, which fails as soon as adaptation trades source accuracy for alignment."""

from __future__ import annotations

from transferbench.validation.base import VALIDATORS, Evidence, Validator


@VALIDATORS.register("source_val")
class SourceValidationAccuracy(Validator):
    needs_source_val = True

    def __call__(self, evidence: Evidence) -> float:
        val = evidence.source_val
        return 100.0 * (val.logits.argmax(dim=1) == val.labels).double().mean().item()
