"""One process against two at one batch size: medians of interleaved rounds (shared by the benchmarks)."""

from __future__ import annotations

import time
from collections.abc import Callable


def one_against_two(size: int, run: Callable[[int, int], object], rounds: int = 3) -> None:
    """Time ``run(workers, round)`` for 1 and 2 workers, alternating, and print the medians and their ratio."""
    times: dict[int, list[float]] = {1: [], 2: []}
    for round_ in range(rounds):
        for workers in (1, 2):
            start = time.perf_counter()
            run(workers, round_)
            times[workers].append(time.perf_counter() - start)
    one, two = sorted(times[1])[rounds // 2], sorted(times[2])[rounds // 2]
    print(f"  {size:6d} cases: one process {one:6.2f} s, two {two:6.2f} s, two / one = {two / one:.2f}")
