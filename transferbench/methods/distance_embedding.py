"""The joint embedding trained with a plain distance loss and a learned class map g (see
``hinge_embedding.py``): L = mean_n ‖f(xⁿ) − g(yⁿ)‖². Nothing keeps the classes apart, so f and g
can meet at one point; ``transferbench/conf/method/distance_embedding.yaml`` extends
``hinge_embedding.yaml`` with ``loss: distance`` and ``learned_g: true``."""

from transferbench.methods.hinge_embedding import JointEmbedding
from transferbench.methods.registry import METHODS

METHODS.register("distance_embedding")(JointEmbedding)
