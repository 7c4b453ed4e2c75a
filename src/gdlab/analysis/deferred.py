"""A field of a frozen dataclass that is computed when it is first read, then kept.

`Analysis.regression` is one: the regression table (standard errors, t, p, intervals) is
wanted by a run record or a `--summary`, not by every `gdlab.fit()` call, so training gives
it as ``Later(regression_summary, stats, names, intercept)`` and pays nothing until then.
To its readers the field is a plain value: ``analysis.regression`` is the summary.

>>> from dataclasses import dataclass
>>> calls = []
>>> def slow_square(x):
...     calls.append(x)
...     return x * x
>>> @dataclass(frozen=True)
... class Box:
...     side: int
...     area: Deferred[int | None] = Deferred(None)
>>> box = Box(3, area=Later(slow_square, 3))
>>> calls
[]
>>> box.area, box.area, calls
(9, 9, [3])
>>> Box(2).area is None
True
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class Later:
    """A value to compute on first read: ``Later(function, *arguments)``.

    It computes once and keeps the value, so several dataclass instances that share one
    `Later` (a copy made by `replace_unread`, say) share one computation too.
    """

    __slots__ = ("arguments", "function", "value")
    function: Callable[..., Any]
    arguments: tuple[Any, ...]
    value: Any

    def __init__(self, function: Callable[..., Any], *arguments: Any) -> None:
        self.function = function
        self.arguments = arguments

    def __call__(self) -> Any:
        """The value: ``function(*arguments)``, computed on the first call."""
        try:
            return self.value
        except AttributeError:
            self.value = self.function(*self.arguments)
            self.arguments = ()  # what it was computed from is no longer needed
            return self.value


#: No default: the field must be given (the descriptor then reports none to dataclasses).
REQUIRED: Any = object()


class Deferred(Generic[T]):
    """A dataclass field (a data descriptor) that may be given a `Later` instead of a value.

    The value is stored in the instance's ``__dict__`` under ``_<name>``, which is also how
    a frozen dataclass can set it once, on first read, without becoming mutable. Without a
    default (`REQUIRED`) the field stays a required one, in its place among the others.
    """

    def __init__(self, default: T = REQUIRED) -> None:
        self.default = default
        self.slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> T: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T:
        if instance is None:  # the class attribute: the field's default, for dataclasses
            if self.default is REQUIRED:
                raise AttributeError(self.slot[1:])  # dataclasses then give it no default
            return self.default
        value = instance.__dict__.get(self.slot, self.default)
        if isinstance(value, Later):
            value = value()
            instance.__dict__[self.slot] = value
        return value

    def __set__(self, instance: object, value: T | Later) -> None:
        instance.__dict__[self.slot] = value


def replace_unread(instance: T, **changes: Any) -> T:
    """`dataclasses.replace` that carries the fields not changed over as they are: a `Later`
    stays unread (`replace` itself reads, and so computes, every field it copies).

    A class without `__post_init__` (nothing to recompute or check) has its fields' values
    copied without calling its constructor again: a tenth of the cost, on every fit.
    """
    cls: type = type(instance)
    if not hasattr(cls, "__post_init__"):
        unknown = changes.keys() - init_field_names(cls)
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
        copy: Any = object.__new__(cls)
        source, stored = instance.__dict__, stored_keys(cls)
        if source.keys() <= stored:  # nothing but the fields (a `Deferred` may have no entry)
            copy.__dict__.update(source)
        else:  # values cached from the old fields (a `cached_property`) are left behind
            copy.__dict__.update({key: source[key] for key in stored if key in source})
        for name, value in changes.items():
            object.__setattr__(copy, name, value)  # a `Deferred` stores it in its slot
        return copy
    values = {}
    for name, descriptor in init_fields(cls):
        if name in changes:
            continue
        if descriptor is not None:
            values[name] = instance.__dict__.get(descriptor.slot, descriptor.default)
        else:
            values[name] = getattr(instance, name)
    return cls(**values, **changes)


@functools.cache
def init_fields(cls: type) -> tuple[tuple[str, Deferred[Any] | None], ...]:
    """A dataclass's constructor fields, each with its `Deferred` descriptor (or None)."""
    found = []
    for declared in dataclasses.fields(cls):
        if declared.init:
            descriptor = cls.__dict__.get(declared.name)
            found.append((declared.name, descriptor if isinstance(descriptor, Deferred) else None))
    return tuple(found)


@functools.cache
def stored_keys(cls: type) -> frozenset[str]:
    """Where an instance's `__dict__` holds its constructor fields (a `Deferred`: its slot)."""
    return frozenset(name if slot is None else slot.slot for name, slot in init_fields(cls))


@functools.cache
def init_field_names(cls: type) -> frozenset[str]:
    """The names of a dataclass's constructor fields."""
    return frozenset(name for name, _ in init_fields(cls))
