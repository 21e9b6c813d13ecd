"""Frozen records that cost little to define: mkgen's drop-in for the standard library's
`@dataclass(frozen=True)`, with `field`, `fields` and `replace` beside it.

The standard library's decorator compiles six methods for every class it decorates and
inspects every annotation; mkgen defines some sixty such classes, and that was most of what
`mkgen render` spent on loading its own modules, on every run. Here the decorator reads the
class's annotations and defaults once, and every method is a shared function that reads
them, behaving as the generated one does: the same arguments and defaults, value equality
and hashing over the compared fields, the same repr, ordering when asked, and
dataclasses.FrozenInstanceError on any assignment or deletion. The dataclasses module is not
imported (a millisecond more per start) until an assignment needs its error.
tests/unit/test_records.py holds each behaviour to the standard library's.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # type checkers of 3.10 see a plain decorator
    def dataclass_transform(**_: Any) -> Callable[[T], T]:
        return lambda decorator: decorator


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # no default given


class Field:
    """One field of a record: its name and the options `field()` gives it."""

    __slots__ = ("name", "default", "default_factory", "init", "repr", "hash", "compare")

    def __init__(self, default: Any, default_factory: Any, init: bool, repr: bool,
                 hash: bool | None, compare: bool) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.hash = hash
        self.compare = compare

    def __repr__(self) -> str:
        return f"Field(name={self.name!r})"


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] | Any = MISSING,
          init: bool = True, repr: bool = True, hash: bool | None = None,
          compare: bool = True) -> Any:
    """A field's options, as dataclasses.field takes them."""
    return Field(default, default_factory, init, repr, hash, compare)


def fields(record: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order (as dataclasses.fields)."""
    found = getattr(record, "__record_fields__", None)
    if found is None:
        raise TypeError("must be called with a record type or instance")
    return found


def replace(record: T, /, **changes: Any) -> T:
    """A copy of `record` with `changes` (as dataclasses.replace): every other argument of
    its constructor keeps its value."""
    for item in type(record).__record_fields__:  # type: ignore[attr-defined]
        if not item.init:
            if item.name in changes:
                raise ValueError(f"field {item.name} is declared with init=False, it cannot "
                                 "be specified with replace()")
        elif item.name not in changes:
            changes[item.name] = getattr(record, item.name)
    return type(record)(**changes)


def _frozen(message: str) -> Exception:
    from dataclasses import FrozenInstanceError  # only a bug assigns to a record

    return FrozenInstanceError(message)


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
    raise _frozen(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise _frozen(f"cannot delete field {name!r}")


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
# Annotations a record does not support (the standard library gives them meanings).
_UNSUPPORTED = ("ClassVar", "InitVar", "KW_ONLY")


def _fill(item: Field) -> tuple[Callable[[], Any] | None, Any] | None:
    """(factory, default) of a field that need not be given; None for a required one."""
    if item.default_factory is not MISSING:
        return item.default_factory, None
    if item.default is not MISSING:
        return None, item.default
    if not item.init:
        raise TypeError(f"field {item.name!r} is neither an argument nor has a default")
    return None


def _own_fields(cls: type) -> list[Field]:
    """The fields `cls` itself annotates, in order; their defaults become class attributes
    (a `field()` without a default leaves none), as the standard library does."""
    found = []
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if any(word in str(annotation) for word in _UNSUPPORTED):
            raise TypeError(f"{cls.__qualname__}.{name}: ClassVar, InitVar and KW_ONLY are "
                            "not supported by records")
        value = cls.__dict__.get(name, MISSING)
        item = value if isinstance(value, Field) else field(default=value)
        item.name = name
        if item.default is not MISSING and type(item.default).__hash__ is None:
            raise ValueError(f"mutable default {type(item.default)} for field {name} is not "
                             "allowed: use default_factory")
        if isinstance(value, Field):
            if item.default is MISSING:
                type.__delattr__(cls, name)
            else:
                type.__setattr__(cls, name, item.default)
        found.append(item)
    return found


def _all_fields(cls: type) -> tuple[Field, ...]:
    """The fields of `cls`: its record bases' first, then its own (one redefined keeps its
    place and takes the new options)."""
    by_name: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for item in base.__dict__.get("__record_fields__", ()):
            by_name[item.name] = item
    for item in _own_fields(cls):
        by_name[item.name] = item
    return tuple(by_name.values())


def _check_order(cls: type, arguments: list[Field]) -> None:
    for before, after in zip(arguments, arguments[1:], strict=False):
        if _fill(before) is not None and _fill(after) is None:
            raise TypeError(f"{cls.__qualname__}: non-default argument {after.name!r} "
                            "follows default argument")


def _record(cls: type[T], order: bool) -> type[T]:
    for name in (*_SHARED, *(_ORDER if order else ()), "__post_init__"):
        if name in cls.__dict__:
            raise TypeError(f"{cls.__qualname__} defines {name}; a record may not")
    if not cls.__doc__:
        cls.__doc__ = cls.__qualname__
    every = _all_fields(cls)
    fills = {f.name: _fill(f) for f in every}
    arguments = [f for f in every if f.init]
    _check_order(cls, arguments)
    attributes: dict[str, Any] = {
        "__record_fields__": every,
        "__record_init__": tuple(f.name for f in arguments),
        "__record_accepts__": frozenset(f.name for f in arguments),
        "__record_all__": tuple(f.name for f in every),
        "__record_fill__": {name: fill for name, fill in fills.items() if fill is not None},
        "__record_compare__": tuple(f.name for f in every if f.compare),
        "__record_hash__": tuple(f.name for f in every
                                 if (f.compare if f.hash is None else f.hash)),
        "__record_repr__": tuple(f.name for f in every if f.repr),
        "__match_args__": tuple(f.name for f in arguments),
        **_SHARED, **(_ORDER if order else {}),
    }
    for name, value in attributes.items():
        type.__setattr__(cls, name, value)
    return cls


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def dataclass(cls: type[T] | None = None, /, *, frozen: bool = True,
              order: bool = False) -> Any:
    """`@dataclass(frozen=True)` or `@dataclass(frozen=True, order=True)`, as the standard
    library's, without compiling a method per class."""
    if not frozen:
        raise TypeError("mkgen's records are frozen; use dataclasses.dataclass")
    if cls is None:
        return lambda cls: _record(cls, order)
    return _record(cls, order)
