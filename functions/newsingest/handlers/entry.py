"""How a Lambda entry point gets its handler: built over one application, once per container.

Each handler module offers `build(app)`; the module attribute `handler`, which the Lambda
runtime reads during the init phase, is built on that first read from the environment's
application. So importing a handler module builds nothing (tests and the local runtime call
`build` with applications of their own), and a container still pays its init before its first
event, inside a SnapStart snapshot.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def lambda_entry(build: Callable[[Any], Callable]) -> Callable[[str], Callable]:
    """A module `__getattr__` that builds `handler` on first access and keeps it on the module."""

    def module_getattr(name: str) -> Callable:
        if name != "handler":
            raise AttributeError(f"module {build.__module__!r} has no attribute {name!r}")
        from newsingest.app import Application

        handler = build(Application.from_environment())
        sys.modules[build.__module__].handler = handler
        return handler

    return module_getattr
