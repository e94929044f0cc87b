"""factoring: batches of consecutive starts that cover every start once, largest first."""

import pytest

from optkit.distributed.batches import factoring


@pytest.mark.parametrize("n", [1, 2, 5, 31, 32, 100])
@pytest.mark.parametrize("slots", [None, 1, 2, 3, 8])
def test_batches_cover_every_start_once_in_order(n, slots):
    batches = factoring(n, slots)
    assert [i for batch in batches for i in batch] == list(range(n))
    sizes = [len(batch) for batch in batches]
    assert sizes == sorted(sizes, reverse=True)  # the big batches go out first


@pytest.mark.parametrize("n, slots", [(32, 2), (100, 3), (64, 4)])
def test_each_round_hands_out_half_of_what_remains(n, slots):
    batches = factoring(n, slots)
    first_round = sum(len(batch) for batch in batches[:slots])
    assert n / 2 <= first_round < n / 2 + slots
    assert all(len(batch) == 1 for batch in batches[-slots:])  # a short tail


def test_no_slot_count_means_one_start_per_task():
    assert [len(batch) for batch in factoring(4, None)] == [1, 1, 1, 1]
