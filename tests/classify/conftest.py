"""Tiny models gain nothing from intra-op threads, and on a shared machine the spinning threads
cost several times the CPU: run this directory's tests on one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
