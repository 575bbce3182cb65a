"""numpy, imported the first time it is used rather than when graphapp is.

A graph of scalars runs on Python floats and :mod:`math` (see :mod:`graphapp.engine.plan`), so
``graphapp grad`` on a small scalar graph needs no numpy at all; importing it would be most of
the command's time (~85 ms of ~190 ms). Modules on that path write ``np.exp(x)`` as ever but
take ``np`` from here::

    from graphapp.engine.lazy_numpy import np

``np`` stands in for the numpy module: the first attribute read imports numpy (and runs the
hooks registered with :func:`on_load`, such as the op table's check of its float rules against
its numpy rules), and every attribute read is then kept on ``np`` itself, so later reads cost
what reading a module attribute costs.

Caveats:

* Touching ``np`` at all imports numpy, ``isinstance(v, np.ndarray)`` included: a test that
  must not import it asks :func:`is_array` (nothing is an array before numpy is loaded).
* Type checkers see the real module (``np`` is ``numpy`` under ``TYPE_CHECKING``).

>>> from graphapp.engine.lazy_numpy import is_array, np
>>> float(np.exp(0.0)), is_array(np.zeros(2)), is_array(1.0)
(1.0, True, False)
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

__all__ = ["is_array", "loaded", "np", "on_load"]

_hooks: list[Callable[[], None]] = []
_loading = threading.RLock()  # re-entrant: a hook may read np again


class _LazyNumpy:
    """The numpy module, imported on the first attribute read (see the module docstring)."""

    _module: Any = None

    def __getattr__(self, name: str) -> Any:  # only for names not yet kept on the instance
        module = _LazyNumpy._module
        if module is None:
            with _loading:  # two threads' first reads: one imports, runs the hooks
                if _LazyNumpy._module is None:
                    module = importlib.import_module("numpy")
                    _LazyNumpy._module = module
                    while _hooks:  # each hook once, even if one of them reads np again
                        _hooks.pop(0)()
                module = _LazyNumpy._module
        value = getattr(module, name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return "<numpy, imported on first use>" if _LazyNumpy._module is None else repr(
            _LazyNumpy._module)


if TYPE_CHECKING:
    import numpy as np
else:
    np = _LazyNumpy()


def loaded() -> bool:
    """True once numpy has been imported (by this module or anyone else)."""
    return "numpy" in sys.modules


def is_array(v: object) -> bool:
    """``isinstance(v, numpy.ndarray)``, without importing numpy to ask."""
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(v, numpy.ndarray)


def on_load(hook: Callable[[], None]) -> None:
    """Run ``hook()`` when ``np`` is first used (at once if it already has been)."""
    if _LazyNumpy._module is None:
        _hooks.append(hook)
    else:
        hook()
