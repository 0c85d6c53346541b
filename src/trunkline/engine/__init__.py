"""How an operation runs, once http.py has read the request.

- `hooks.py`: the operation hooks, the one place every operation passes before it
  executes, on either path (auth, limits, metrics and tracing belong there).
- The fast path, behind `[gateway] fast_path` (TRUNKLINE_FAST_PATH, on by default):
  `documents.py` parses and validates a document once per text; `fast_path.py` runs a
  document seen before straight on graphql-core; `execution.py` (with its `plans.py`)
  reads plain fields without graphql-core's per-field machinery. With it off, every
  request takes Strawberry's and graphql-core's own path.

The engine knows no trunkline type: schema/__init__.py puts it together.
"""

from __future__ import annotations

from trunkline.engine.documents import DocumentCache, Documents
from trunkline.engine.execution import Executor
from trunkline.engine.fast_path import FastPath
from trunkline.engine.hooks import Hook, Operation, OperationHooks

__all__ = [
    "DocumentCache",
    "Documents",
    "Executor",
    "FastPath",
    "Hook",
    "Operation",
    "OperationHooks",
]
