import pytest
import torch

from transferbench.data import InfiniteSampler, Split
from transferbench.errors import UserError


def split(n):
    return Split(torch.arange(n).float().unsqueeze(1), torch.arange(n))


def test_each_epoch_visits_every_example_once_then_reshuffles():
    sampler = InfiniteSampler(split(12), batch_size=4, seed=0)
    first = torch.cat([next(sampler)[1] for _ in range(3)])
    second = torch.cat([next(sampler)[1] for _ in range(3)])
    assert sorted(first.tolist()) == list(range(12)) == sorted(second.tolist())
    assert not torch.equal(first, second)


def test_incomplete_last_batch_is_dropped():
    sampler = InfiniteSampler(split(10), batch_size=4, seed=0)
    batches = [next(sampler)[1] for _ in range(3)]
    assert all(len(batch) == 4 for batch in batches)
    assert len(set(torch.cat(batches[:2]).tolist())) == 8


def test_state_dict_resumes_the_same_stream():
    sampler = InfiniteSampler(split(10), batch_size=3, seed=1)
    for _ in range(4):
        next(sampler)
    state = sampler.state_dict()
    expected = [next(sampler)[1] for _ in range(6)]
    restored = InfiniteSampler(split(10), batch_size=3, seed=99)
    restored.load_state_dict(state)
    assert all(torch.equal(a, b) for a, b in zip(expected, (next(restored)[1] for _ in range(6))))


def test_a_split_smaller_than_a_batch_is_drawn_whole_in_a_new_order_each_step():
    sampler = InfiniteSampler(split(3), batch_size=4, seed=0)
    batches = [next(sampler)[1] for _ in range(6)]
    assert all(sorted(batch.tolist()) == [0, 1, 2] for batch in batches)
    assert len({tuple(batch.tolist()) for batch in batches}) > 1


def test_an_empty_split_is_a_user_error():
    with pytest.raises(UserError, match="a training split is empty"):
        InfiniteSampler(split(0), batch_size=4, seed=0)
