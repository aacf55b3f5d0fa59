"""What both end-to-end checkers share: counted checks that stop at the first failure, timed steps."""
from __future__ import annotations

import time
from typing import Any


class CheckFailed(Exception):
    pass


class Checks:
    """`check(cond, message)` raises CheckFailed with the message, or counts one more pass."""

    def __init__(self) -> None:
        self.passed = 0

    def __call__(self, cond: Any, message: str) -> None:
        if not cond:
            raise CheckFailed(message)
        self.passed += 1


class Steps:
    """`step(message)` prints the message with the seconds since `t0` (the shell wrapper's start)."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0

    def __call__(self, message: str) -> None:
        print(f"[{time.time() - self.t0:6.1f}s] {message}", flush=True)


def few(items: Any, n: int = 5) -> str:
    items = sorted(items, key=str)
    return ", ".join(map(str, items[:n])) + (f" … ({len(items)} in all)" if len(items) > n else "")
