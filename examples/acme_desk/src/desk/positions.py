"""Acme's positions per symbol, as its risk gate reads them (in production, a lookup in
the position service, which can fail: the gate must then refuse, RISK-4)."""

from __future__ import annotations

from decimal import Decimal


class PositionBook:
    """Signed positions by symbol: bought positive, sold negative."""

    def __init__(self) -> None:
        self._positions: dict[str, Decimal] = {}

    def position(self, symbol: str) -> Decimal:
        return self._positions.get(symbol, Decimal(0))

    def add(self, symbol: str, change: Decimal) -> None:
        self._positions[symbol] = self.position(symbol) + change
