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


class _Layout:
    """What the shared methods read of one record class: its fields, by role."""

    __slots__ = ("fields", "init", "accepts", "count", "defaults", "factories", "compare",
                 "hash", "repr")

    def __init__(self, cls: type, every: tuple[Field, ...]) -> None:
        self.fields = every
        self.count = len(every)
        fills: dict[str, tuple[Callable[[], Any] | None, Any]] = {}
        init, compare, hashed, shown = [], [], [], []
        for item in every:
            fill = _fill(item)
            if item.init:
                if fill is None and init and init[-1] in fills:
                    raise TypeError(f"{cls.__qualname__}: non-default argument "
                                    f"{item.name!r} follows default argument")
                init.append(item.name)
            if fill is not None:
                fills[item.name] = fill
            if item.compare:
                compare.append(item.name)
            if item.compare if item.hash is None else item.hash:
                hashed.append(item.name)
            if item.repr:
                shown.append(item.name)
        self.init = tuple(init)
        # The fills by kind: plain defaults merge into the arguments in one step.
        self.defaults = {n: d for n, (factory, d) in fills.items() if factory is None}
        self.factories = tuple((n, f) for n, (f, _) in fills.items() if f is not None)
        self.accepts = frozenset(init)
        self.compare, self.hash, self.repr = tuple(compare), tuple(hashed), tuple(shown)


def fields(record: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order (as dataclasses.fields)."""
    layout = getattr(record, "__record__", None)
    if layout is None:
        raise TypeError("must be called with a record type or instance")
    return layout.fields


def replace(record: T, /, **changes: Any) -> T:
    """A copy of `record` with `changes` (as dataclasses.replace): every other argument of
    its constructor keeps its value."""
    for item in type(record).__record__.fields:  # type: ignore[attr-defined]
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
    layout = type(self).__record__
    if args:
        names = layout.init
        if len(args) > len(names):
            raise TypeError(f"{type(self).__qualname__}.__init__() takes {len(names) + 1} "
                            f"positional arguments but {len(args) + 1} were given")
        values = dict(zip(names, args, strict=False))  # too many args: refused above
        if kwargs:
            _check_keywords(type(self), kwargs, values)
            values.update(kwargs)
    else:  # all by keyword, as most records are made: kwargs is this call's own dict
        values = kwargs
        if not layout.accepts.issuperset(kwargs):
            _check_keywords(type(self), kwargs, {})
    if len(values) < layout.count:
        values = {**layout.defaults, **values}
        for name, factory in layout.factories:
            if name not in values:
                values[name] = factory()
        if len(values) < layout.count:
            missing = [n for n in layout.init if n not in values]
            raise TypeError(f"{type(self).__qualname__}.__init__() missing {len(missing)} "
                            f"required argument{'s' if len(missing) > 1 else ''}: "
                            + ", ".join(repr(n) for n in missing))
    self.__dict__.update(values)


def _check_keywords(cls: type, kwargs: dict[str, Any], positional: dict[str, Any]) -> None:
    """TypeError, as a generated __init__ raises it, for a keyword that is no argument or
    that repeats a positional one."""
    for name in kwargs:
        if name not in cls.__record__.accepts or name in positional:  # type: ignore[attr-defined]
            raise TypeError(f"{cls.__qualname__}.__init__() got "
                            + (f"multiple values for argument {name!r}" if name in positional
                               else f"an unexpected keyword argument {name!r}"))


def _compared(self: Any) -> tuple[Any, ...]:
    return tuple([getattr(self, name) for name in type(self).__record__.compare])


def _eq(self: Any, other: object) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _compared(self) == _compared(other)


def _hash(self: Any) -> int:
    return hash(tuple([getattr(self, name) for name in type(self).__record__.hash]))


def _repr(self: Any) -> str:
    fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self).__record__.repr)
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
    namespace = cls.__dict__
    for name, annotation in namespace.get("__annotations__", {}).items():
        text = annotation if isinstance(annotation, str) else str(annotation)
        if "ClassVar" in text or "InitVar" in text or "KW_ONLY" in text:
            raise TypeError(f"{cls.__qualname__}.{name}: ClassVar, InitVar and KW_ONLY are "
                            "not supported by records")
        value = namespace.get(name, MISSING)
        if isinstance(value, Field):
            item = value
            if item.default is MISSING:
                type.__delattr__(cls, name)
            else:
                type.__setattr__(cls, name, item.default)
        else:
            item = Field(value, MISSING, True, True, None, True)
        item.name = name
        if item.default is not MISSING and type(item.default).__hash__ is None:
            raise ValueError(f"mutable default {type(item.default)} for field {name} is not "
                             "allowed: use default_factory")
        found.append(item)
    return found


def _all_fields(cls: type) -> tuple[Field, ...]:
    """The fields of `cls`: its record bases' first, then its own (one redefined keeps its
    place and takes the new options)."""
    own = _own_fields(cls)
    inherited = [base.__dict__["__record__"].fields for base in reversed(cls.__mro__[1:])
                 if "__record__" in base.__dict__]
    if not inherited:
        return tuple(own)
    by_name: dict[str, Field] = {}
    for item in (*(f for fields in inherited for f in fields), *own):
        by_name[item.name] = item
    return tuple(by_name.values())


def _record(cls: type[T], order: bool) -> type[T]:
    for name in (*_SHARED, *(_ORDER if order else ()), "__post_init__"):
        if name in cls.__dict__:
            raise TypeError(f"{cls.__qualname__} defines {name}; a record may not")
    if not cls.__doc__:
        cls.__doc__ = cls.__qualname__
    layout = _Layout(cls, _all_fields(cls))
    type.__setattr__(cls, "__record__", layout)
    type.__setattr__(cls, "__match_args__", layout.init)
    for name, method in (*_SHARED.items(), *(_ORDER.items() if order else ())):
        type.__setattr__(cls, name, method)
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
