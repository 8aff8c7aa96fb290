"""The real-order path (seed 3): the venue adapter. The runtime is handed a route; it
never imports this package (.importlinter)."""
