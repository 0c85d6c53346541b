"""A request's running limits on its vendor calls: a deadline and a call count.

http.py starts one per operation (`[gateway] request_deadline_s`, `[limits]
max_vendor_calls`); every vendor call passes `Connector.call` (connectors/base.py),
which spends from it and bounds its wait by it. It lives in a context variable, so
the tasks a request starts (loader batches, background streams) carry it too.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar, Token
from dataclasses import dataclass

from trunkline.errors import VendorCallBudgetExceeded


@dataclass(slots=True)
class RequestBudget:
    deadline: float  # the event loop's clock (loop.time())
    max_calls: int
    calls: int = 0

    def spend(self, vendor: str) -> None:
        """Count one call to `vendor`; past the budget, refuse it."""
        if self.calls >= self.max_calls:
            raise VendorCallBudgetExceeded(
                vendor,
                f"{vendor.upper()}: not called: this request has made its "
                f"{self.max_calls} vendor calls ([limits] max_vendor_calls)",
            )
        self.calls += 1


_current: ContextVar[RequestBudget | None] = ContextVar(
    "trunkline_budget", default=None
)


def current() -> RequestBudget | None:
    return _current.get()


def begin(deadline_s: float, max_calls: int) -> Token[RequestBudget | None]:
    """Start a request's budget in this context (and the tasks it will start)."""
    deadline = asyncio.get_running_loop().time() + deadline_s
    return _current.set(RequestBudget(deadline, max_calls))


def end(token: Token[RequestBudget | None]) -> None:
    _current.reset(token)


__all__ = ["RequestBudget", "begin", "current", "end"]
