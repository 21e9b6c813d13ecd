"""Frozen dataclasses that cost little to define: mkgen's drop-in for `dataclasses.dataclass`.

`@dataclass(frozen=True)` compiles six methods for every class it decorates (__init__,
__repr__, __eq__, __hash__, __setattr__, __delattr__). mkgen defines some forty such
classes, and compiling their methods was most of what `mkgen render` spent on loading its
own modules, on every run. Here the dataclass machinery only collects the fields; every
method is a shared function that reads them, and behaves as the generated one does: the
same arguments and defaults, value equality and hashing over the compared fields, the same
repr, ordering when asked, and dataclasses.FrozenInstanceError on any assignment or
deletion. dataclasses.fields, replace and asdict work as before; tests/unit/test_records.py
holds each behaviour to the standard library's.
"""
from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from dataclasses import MISSING, FrozenInstanceError
from typing import Any, TypeVar

T = TypeVar("T")

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # type checkers of 3.10 see a plain decorator
    def dataclass_transform(**_: Any) -> Callable[[T], T]:
        return lambda decorator: decorator


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    if args:
        names = cls.__record_init__
        if len(args) > len(names):
            raise TypeError(f"{cls.__qualname__}.__init__() takes {len(names) + 1} positional "
                            f"arguments but {len(args) + 1} were given")
        values = dict(zip(names, args, strict=False))  # too many args: refused above
        if kwargs:
            _check_keywords(cls, kwargs, values)
            values.update(kwargs)
    else:  # all by keyword, as most records are made: kwargs is this call's own dict
        values = kwargs
        if not cls.__record_accepts__.issuperset(kwargs):
            _check_keywords(cls, kwargs, {})
    if len(values) < len(cls.__record_all__):
        for name, (factory, default) in cls.__record_fill__.items():
            if name not in values:
                values[name] = factory() if factory is not None else default
        if len(values) < len(cls.__record_all__):
            missing = [n for n in cls.__record_init__ if n not in values]
            raise TypeError(f"{cls.__qualname__}.__init__() missing {len(missing)} required "
                            f"argument{'s' if len(missing) > 1 else ''}: "
                            + ", ".join(repr(n) for n in missing))
    self.__dict__.update(values)


def _check_keywords(cls: type, kwargs: dict[str, Any], positional: dict[str, Any]) -> None:
    """TypeError, as a generated __init__ raises it, for a keyword that is no argument or
    that repeats a positional one."""
    for name in kwargs:
        if name not in cls.__record_accepts__ or name in positional:  # type: ignore[attr-defined]
            raise TypeError(f"{cls.__qualname__}.__init__() got "
                            + (f"multiple values for argument {name!r}" if name in positional
                               else f"an unexpected keyword argument {name!r}"))


def _compared(self: Any) -> tuple[Any, ...]:
    return tuple([getattr(self, name) for name in type(self).__record_compare__])


def _eq(self: Any, other: object) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _compared(self) == _compared(other)


def _hash(self: Any) -> int:
    return hash(tuple([getattr(self, name) for name in type(self).__record_hash__]))


def _repr(self: Any) -> str:
    fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self).__record_repr__)
    return f"{type(self).__qualname__}({fields})"


def _setattr(self: Any, name: str, value: object) -> None:
    # __init__ fills the instance's __dict__ directly, as cached_property does later.
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _ordering(compare: Callable[[tuple[Any, ...], tuple[Any, ...]], bool]) \
        -> Callable[[Any, object], bool]:
    def method(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return compare(_compared(self), _compared(other))
    return method


_ORDER = {"__lt__": _ordering(lambda a, b: a < b), "__le__": _ordering(lambda a, b: a <= b),
          "__gt__": _ordering(lambda a, b: a > b), "__ge__": _ordering(lambda a, b: a >= b)}
_SHARED = {"__init__": _init, "__eq__": _eq, "__hash__": _hash, "__repr__": _repr,
           "__setattr__": _setattr, "__delattr__": _delattr}


def _fill(field: dataclasses.Field[Any]) -> tuple[Callable[[], Any] | None, Any] | None:
    """(factory, default) of a field that need not be given; None for a required one."""
    if field.default_factory is not MISSING:
        return field.default_factory, None
    if field.default is not MISSING:
        return None, field.default
    if not field.init:
        raise TypeError(f"field {field.name!r} is neither an argument nor has a default")
    return None


def _record(cls: type[T], order: bool) -> type[T]:
    for name in (*_SHARED, *(_ORDER if order else ()), "__post_init__"):
        if name in cls.__dict__:
            raise TypeError(f"{cls.__qualname__} defines {name}; a record may not")
    if any("InitVar" in str(a) or "KW_ONLY" in str(a)
           for a in cls.__dict__.get("__annotations__", {}).values()):
        raise TypeError(f"{cls.__qualname__}: InitVar and KW_ONLY are not supported")
    if not cls.__doc__:  # else dataclasses would build one from the signature, slowly
        cls.__doc__ = cls.__qualname__
    cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    fills = {f.name: _fill(f) for f in fields}
    arguments = [f for f in fields if f.init]
    for before, after in zip(arguments, arguments[1:], strict=False):
        if fills[before.name] is not None and fills[after.name] is None or after.kw_only:
            raise TypeError(f"{cls.__qualname__}: non-default argument {after.name!r} "
                            "follows default argument")
    attributes: dict[str, Any] = {
        "__record_init__": tuple(f.name for f in fields if f.init),
        "__record_accepts__": frozenset(f.name for f in fields if f.init),
        "__record_all__": tuple(f.name for f in fields),
        "__record_fill__": {name: fill for name, fill in fills.items() if fill is not None},
        "__record_compare__": tuple(f.name for f in fields if f.compare),
        "__record_hash__": tuple(f.name for f in fields
                                 if (f.compare if f.hash is None else f.hash)),
        "__record_repr__": tuple(f.name for f in fields if f.repr),
        **_SHARED, **(_ORDER if order else {}),
    }
    for name, value in attributes.items():
        type.__setattr__(cls, name, value)
    return cls


@dataclass_transform(frozen_default=True)
def dataclass(cls: type[T] | None = None, /, *, frozen: bool = True,
              order: bool = False) -> Any:
    """`@dataclass(frozen=True)` or `@dataclass(frozen=True, order=True)`, as the standard
    library's, without compiling a method per class."""
    if not frozen:
        raise TypeError("mkgen's records are frozen; use dataclasses.dataclass")
    if cls is None:
        return lambda cls: _record(cls, order)
    return _record(cls, order)
