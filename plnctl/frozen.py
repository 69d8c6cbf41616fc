"""``@frozen``: a frozen dataclass that is made when it is first used.

``@dataclass`` execs generated source for each method it writes (``__init__``, ``__repr__``,
``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``): 0.2-1 ms of every start-up per
class, and every command imports all the models while using two or three. A class decorated
with ``@frozen`` (deriving from ``LazyData``) is passed to ``dataclass(frozen=True)``, the
standard one and unchanged, the first time it is used: when an instance is made or unpickled,
or when anything reads a dataclass attribute of the class (``dataclasses.fields``,
``is_dataclass``, ``__match_args__``). From then on it is that dataclass, at its speed.

Not covered: ``inspect.signature`` of a class not yet used reads ``LazyData.__init__``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import Field, dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, dataclass_transform

T = TypeVar("T", bound=type)

_PENDING: set[type] = set()  # decorated, not yet made (left only once made)
_MAKING: set[type] = set()  # being made now, by the thread holding _LOCK
_LOCK = threading.RLock()
# What reading on the class makes it: what dataclasses and pattern matching look up there.
_MADE_ON_READ = frozenset({"__dataclass_fields__", "__dataclass_params__", "__match_args__"})


def made(cls: type) -> None:
    """Make every ``@frozen`` class among ``cls`` and its bases a dataclass now (a base
    first: a subclass inherits its fields). Another thread making one is waited for."""
    if _PENDING.isdisjoint(cls.__mro__):  # made (a class leaves _PENDING once complete)
        return
    with _LOCK:
        for base in reversed(cls.__mro__):
            if base in _PENDING and base not in _MAKING:
                _MAKING.add(base)
                try:
                    dataclass(frozen=True)(base)
                finally:
                    _MAKING.discard(base)
                if vars(base).get("__setstate__") is _setstate_until_made:
                    delattr(base, "__setstate__")  # unpickling is the plain, C-speed one again
                _PENDING.discard(base)


class Lazy(type):
    """The metaclass of ``LazyData``: a dataclass attribute read on a pending class makes it."""

    def __getattr__(cls, name: str) -> Any:
        if name in _MADE_ON_READ and _PENDING:
            made(cls)
            try:
                return type.__getattribute__(cls, name)
            except AttributeError:
                pass
        raise AttributeError(f"type object {cls.__name__!r} has no attribute {name!r}")


def _after_making(name: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    """A stand-in for the dataclass's method ``name``. It runs only while another thread is
    making the class (``dataclass()`` sets ``__init__`` before the others): it waits for that,
    then calls the method made (``fallback``, object's, for a class that has none)."""

    def stand_in(self: Any, *args: Any) -> Any:
        made(type(self))
        method = getattr(type(self), name)
        return (fallback if method is stand_in else method)(self, *args)

    stand_in.__name__ = stand_in.__qualname__ = name
    return stand_in


class LazyData(metaclass=Lazy):
    """The base of ``@frozen`` classes. Its methods run only before the class is made (or
    while it is being made); the dataclass's own, in the class, take over from then on."""

    if not TYPE_CHECKING:  # type checkers see the dataclass (dataclass_transform below)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            cls = type(self)
            made(cls)
            if cls.__init__ is LazyData.__init__:
                raise TypeError(f"{cls.__qualname__} is not a @frozen dataclass")
            cls.__init__(self, *args, **kwargs)

        __repr__ = _after_making("__repr__", object.__repr__)
        __eq__ = _after_making("__eq__", object.__eq__)
        __hash__ = _after_making("__hash__", object.__hash__)
        __setattr__ = _after_making("__setattr__", object.__setattr__)
        __delattr__ = _after_making("__delattr__", object.__delattr__)


def _setstate_until_made(self: Any, state: Any) -> None:
    """A pending class's ``__setstate__`` (removed once it is made): unpickling and copying
    skip ``__init__``, so the class is made here; then, as object would, the attributes are
    restored into ``__dict__``."""
    made(type(self))
    self.__dict__.update(state)


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def frozen(cls: T) -> T:
    """``@dataclass(frozen=True)``, made on first use (see the module's docstring)."""
    if not isinstance(cls, Lazy):
        raise TypeError(f"@frozen {cls.__qualname__} must derive from plnctl.frozen.LazyData")
    with _LOCK:
        if "__setstate__" not in vars(cls):
            type.__setattr__(cls, "__setstate__", _setstate_until_made)
        _PENDING.add(cls)
    return cls
