"""A toy breakout strategy: buy when the price clears the previous high."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from spec import ExecutionIntent, Side


def breakout_intents(symbol: str, prices: Iterable[Decimal], quantity: Decimal) -> Iterator[ExecutionIntent]:
    high: Decimal | None = None
    for n, price in enumerate(prices):
        if high is not None and price > high:
            yield ExecutionIntent(f"{symbol}-{n}", symbol, Side.BUY, quantity, price)
        high = price if high is None else max(high, price)
