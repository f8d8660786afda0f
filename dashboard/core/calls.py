"""A figure asked for: its function and the arguments after the connection.

Pages, the weekly review, the exports and the cache all name a figure by a `Call`, never by
a function's name in a string: an editor follows it, and a misspelt one fails on import,
not at run time. A call is hashable and equal to another naming the same function with the
same arguments, so it is the cache key and the unit the pages fetch at once.
"""
from __future__ import annotations

from typing import Any, Callable

import pandas as pd


class Call:
    __slots__ = ("function", "args", "kwargs")

    def __init__(self, function: Callable[..., pd.DataFrame], *args: Any, **kwargs: Any):
        object.__setattr__(self, "function", function)
        object.__setattr__(self, "args", args)
        object.__setattr__(self, "kwargs", tuple(sorted(kwargs.items())))

    def __setattr__(self, name, value):
        raise AttributeError("a Call does not change")

    def run(self, conn) -> pd.DataFrame:
        return self.function(conn, *self.args, **dict(self.kwargs))

    @property
    def key(self) -> tuple:
        """What identifies the call across runs: the function's place and the arguments."""
        return (self.function.__module__, self.function.__qualname__, self.args, self.kwargs)

    def __eq__(self, other) -> bool:
        return isinstance(other, Call) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        arguments = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs]
        return f"{self.function.__qualname__}({', '.join(arguments)})"
