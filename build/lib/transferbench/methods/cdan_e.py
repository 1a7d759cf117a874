"""CDAN+E: CDAN with entropy conditioning (Long et al., NeurIPS 2018, §3.3).

Each example's domain loss is weighted by w = 1 + exp(−H(g)), normalised within its domain, so
that confident, transferable predictions dominate the adversarial game. It is CDAN with
``entropy: true`` under its own name, the paper's CDAN+E rows; ``transferbench/conf/method/cdan_e.yaml``
extends ``cdan.yaml``.
"""

from transferbench.methods.cdan import CDAN
from transferbench.methods.registry import METHODS

METHODS.register("cdan_e")(CDAN)
