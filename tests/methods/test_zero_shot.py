"""Zero-shot methods: each loss and score against a hand-written reference, and the evaluation's
candidates; the class split keeps every unseen class out of training."""

import pytest
import torch
import torch.nn.functional as F

from transferbench.data.zero_shot import ATTRIBUTES, load_descriptions
from transferbench.errors import UserError
from transferbench.methods import Batch, build_method
from transferbench.methods.hinge_embedding import hinge_loss
from transferbench.models import build_model

SEEN = [0, 1, 2, 4, 5, 7, 9]


def zero_shot_method(make_config, name, *overrides):
    """Method ``name`` on a 10-class, 7-attribute network over the moons' 2 features, with the
    seven-segment descriptions and the seen classes filled in as ``before_fit`` does."""
    cfg = make_config(f"method={name}", *overrides)
    torch.manual_seed(0)
    method = build_method(cfg.method, build_model(cfg.backbone, (2,), 10, {ATTRIBUTES: 7}))
    method.descriptions.copy_(load_descriptions("seven_segment", 10))
    method.seen[SEEN] = True
    return method


def batch():
    generator = torch.Generator().manual_seed(1)
    return Batch(torch.randn(16, 2, generator=generator), torch.tensor(SEEN * 2 + SEEN[:2]))


def test_attribute_prediction_is_bce_to_the_description_and_scores_its_likelihood(make_config):
    method = zero_shot_method(make_config, "attribute_prediction")
    source = batch()
    z = method.model(source.inputs).heads[ATTRIBUTES]
    d = method.descriptions
    p = torch.sigmoid(z)
    expected = -(d[source.labels] * p.log() + (1 - d[source.labels]) * (1 - p).log()).mean()
    assert method.losses(source, source, 0.0)["attributes"].item() == pytest.approx(expected.item(), rel=1e-5)
    scores = method.predict(source.inputs)
    for n in range(3):
        for c in range(10):
            likelihood = sum(torch.log(p[n, a] if d[c, a] else 1 - p[n, a]) for a in range(7))
            assert scores[n, c].item() == pytest.approx(likelihood.item(), rel=1e-4)


def test_the_hinge_loss_is_the_margin_over_the_best_other_seen_class():
    scores = torch.tensor([[2.0, 1.5, -1.0, 9.0], [0.0, 0.2, 0.1, 9.0]])
    allowed = torch.tensor([True, True, True, False])  # class 3 unseen: never a rival
    labels = torch.tensor([0, 2])
    expected = (max(0.0, 1 - 2.0 + 1.5) + max(0.0, 1 - 0.1 + 0.2)) / 2
    assert hinge_loss(scores, labels, allowed, margin=1.0).item() == pytest.approx(expected)


def test_the_embeddings_score_by_dot_product_or_by_distance(make_config):
    hinge = zero_shot_method(make_config, "hinge_embedding")
    source = batch()
    f = hinge.model(source.inputs).heads[ATTRIBUTES]
    g = 2 * hinge.descriptions - 1
    assert torch.allclose(hinge.predict(source.inputs), f @ g.T, atol=1e-5)
    distance = zero_shot_method(make_config, "distance_embedding")
    f, g = distance.model(source.inputs).heads[ATTRIBUTES], distance.g(2 * distance.descriptions - 1)
    expected = ((f - g[source.labels]) ** 2).sum(dim=1).mean()
    assert distance.losses(source, source, 0.0)["distance"].item() == pytest.approx(expected.item(), rel=1e-5)
    assert torch.allclose(distance.predict(source.inputs), -torch.cdist(f, g), atol=1e-5)


def test_conse_combines_the_top_seen_classes_descriptions(make_config):
    method = zero_shot_method(make_config, "conse", "method.top=2")
    source = batch()
    logits = method.model(source.inputs).logits
    g = 2 * method.descriptions - 1
    scores = method.predict(source.inputs)
    for n in range(3):
        p = torch.softmax(logits[n, SEEN], dim=0)
        best = p.topk(2)
        e = sum(weight * g[SEEN[index]] for weight, index in zip(best.values, best.indices)) / best.values.sum()
        expected = F.cosine_similarity(e[None, :], g, dim=1)
        assert torch.allclose(scores[n], expected, atol=1e-5)
    masked = method.seen_logits(source.inputs)
    assert torch.isinf(masked[:, [3, 6, 8]]).all()


def test_a_zero_shot_method_on_another_task_is_one_line(make_config):
    cfg = make_config("method=conse")
    with pytest.raises(UserError, match="a zero-shot method needs a zero-shot task"):
        build_method(cfg.method, build_model(cfg.backbone, (2,), 2))
