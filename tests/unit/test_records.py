"""mkgen.records.dataclass behaves as the standard library's frozen dataclass: each case
builds the same class both ways and compares what users of the class can see."""
from __future__ import annotations

import copy
import dataclasses
import subprocess
import sys
from functools import cached_property

import pytest

from mkgen import records


def both(order: bool = False) -> list[type]:
    """The same class, from the standard library and from mkgen.records."""
    made = []
    for decorate, field in ((dataclasses.dataclass(frozen=True, order=order), dataclasses.field),
                            (records.dataclass(frozen=True, order=order), records.field)):
        @decorate
        class Stage:
            """A stage."""

            name: str
            base: str = "debian:12"
            args: tuple[str, ...] = ()
            cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
            note: str = field(default="", init=False)

            @cached_property
            def title(self) -> str:
                return self.name.title()

        made.append(Stage)
    return made


CALLS = [((), {"name": "a"}), (("a",), {}), (("a", "b", ("x",)), {}),
         (("a",), {"args": ("y",), "cache": {"k": "v"}}), (("a", "b"), {"base": "c"}),
         ((), {}), (("a",), {"nope": 1}), (("a", "b", (), {}, "x"), {}), ((), {"note": "n"})]


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_construction_matches(args: tuple, kwargs: dict) -> None:
    results = []
    for cls, fields in zip(both(), (dataclasses.fields, records.fields), strict=True):
        try:
            made = cls(*args, **kwargs)
            values = {f.name: getattr(made, f.name) for f in fields(made)}
            results.append(("ok", repr(made), values, made.title))
        except TypeError:
            results.append(("TypeError",))
    assert results[0] == results[1]


def test_equality_hash_repr_and_fields_match() -> None:
    std, ours = both()
    for a, b in [(("a",), ("a",)), (("a",), ("b",)), (("a", "x", ("1",)), ("a", "x", ("1",)))]:
        assert (std(*a) == std(*b)) is (ours(*a) == ours(*b))
        assert (hash(std(*a)) == hash(std(*b))) is (hash(ours(*a)) == hash(ours(*b)))
    assert ours("a", cache={"k": "v"}) == ours("a")  # compare=False is left out
    assert hash(ours("a")) == hash(("a", "debian:12", (), ""))
    assert ours("a") != std("a") and ours("a").__eq__(1) is NotImplemented
    assert options(records.fields(ours)) == options(dataclasses.fields(std))
    assert options(records.fields(ours("a"))) == options(dataclasses.fields(std("a")))
    assert repr(ours("a")) == repr(std("a")).replace(std.__qualname__, ours.__qualname__)
    assert records.replace(ours("a"), base="b") == ours("a", "b")
    assert repr(records.replace(ours("a", "b", ("x",)), args=())) == \
        repr(dataclasses.replace(std("a", "b", ("x",)), args=()))
    assert ours.__doc__ == "A stage." and ours.__match_args__ == std.__match_args__
    assert ours.base == std.base and "cache" not in vars(ours) and "cache" not in vars(std)


def options(fields: tuple) -> list[list[object]]:
    """Each field's name and options, with either module's "no default" as None."""
    names = ("name", "default", "default_factory", "init", "repr", "hash", "compare")
    missing = (dataclasses.MISSING, records.MISSING)
    return [[None if any(getattr(f, n) is m for m in missing) else getattr(f, n)
             for n in names] for f in fields]


def test_inherited_fields_come_first_like_the_standard_library() -> None:
    made = []
    for decorate in (dataclasses.dataclass(frozen=True), records.dataclass(frozen=True)):
        @decorate
        class Base:
            name: str
            kind: str = "base"

        @decorate
        class Derived(Base):
            kind: str = "derived"
            extra: int = 0

        made.append(Derived)
    std, ours = made
    assert options(records.fields(ours)) == options(dataclasses.fields(std))
    assert repr(ours("a", extra=1)).replace(ours.__qualname__, "D") == \
        repr(std("a", extra=1)).replace(std.__qualname__, "D")


def test_misuse_is_refused_like_the_standard_library() -> None:
    for decorate, field in ((dataclasses.dataclass(frozen=True), dataclasses.field),
                            (records.dataclass(frozen=True), records.field)):
        with pytest.raises(ValueError, match="mutable default"):
            @decorate
            class Mutable:
                items: list = []  # noqa: RUF012

        @decorate
        class Hidden:
            name: str
            seen: int = field(default=0, init=False)

        replace = dataclasses.replace if field is dataclasses.field else records.replace
        with pytest.raises(ValueError, match="init=False"):
            replace(Hidden("a"), seen=1)
        with pytest.raises(TypeError):
            (dataclasses.fields if field is dataclasses.field else records.fields)(Hidden("a").name)


def test_annotations_records_give_no_meaning_are_refused() -> None:
    class Constant:
        limit: ClassVar[int] = 3  # noqa: F821 (a string: annotations are not evaluated)

    with pytest.raises(TypeError, match="ClassVar"):
        records.dataclass(Constant)


def test_no_dataclasses_import_until_an_assignment() -> None:
    code = ("import sys; import mkgen.commands.render; from mkgen import records\n"
            "assert 'dataclasses' not in sys.modules\n"
            "r = records.dataclass(type('R', (), {'__annotations__': {'a': 'int'}}))(1)\n"
            "try:\n    r.a = 2\nexcept AttributeError as e: print(type(e).__module__, e)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "dataclasses cannot assign to field 'a'\n"


def test_frozen_like_the_standard_library() -> None:
    for cls in both():
        made = cls("a")
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.name = "b"
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.other = 1
        with pytest.raises(dataclasses.FrozenInstanceError):
            del made.name
        assert made.title == "A" and made.title == "A"  # cached_property still works
        assert copy.deepcopy(made) == made and copy.copy(made) == made


def test_ordering_matches() -> None:
    std, ours = both(order=True)
    values = [("b",), ("a", "z"), ("a", "b"), ("a", "b", ("x",))]
    assert [repr(s) for s in sorted(std(*v) for v in values)] == \
        [repr(s).replace(ours.__qualname__, std.__qualname__)
         for s in sorted(ours(*v) for v in values)]
    with pytest.raises(TypeError):
        _ = ours("a") < std("a")


def test_what_records_do_not_support_is_refused() -> None:
    with pytest.raises(TypeError, match="frozen"):
        records.dataclass(frozen=False)

    class Defines:
        name: str

        def __eq__(self, other: object) -> bool:
            return True

    with pytest.raises(TypeError, match="defines __eq__"):
        records.dataclass(Defines)

    class Misordered:
        a: str = ""
        b: str  # type: ignore[misc]

    with pytest.raises(TypeError, match="non-default argument 'b'"):
        records.dataclass(Misordered)


def test_mkgen_s_own_classes_are_records() -> None:
    from mkgen import keys, model, plan, views

    for cls in (model.Config, model.Stage, plan.Target, views.MakefileView, keys.Key):
        assert cls.__init__ is records._init, cls
