"""mkgen.records.dataclass behaves as the standard library's frozen dataclass: each case
builds the same class both ways and compares what users of the class can see."""
from __future__ import annotations

import copy
import dataclasses
from functools import cached_property

import pytest

from mkgen import records


def both(order: bool = False) -> list[type]:
    """The same class, from the standard library and from mkgen.records."""
    made = []
    for decorate in (dataclasses.dataclass(frozen=True, order=order),
                     records.dataclass(frozen=True, order=order)):
        @decorate
        class Stage:
            """A stage."""

            name: str
            base: str = "debian:12"
            args: tuple[str, ...] = ()
            cache: dict[str, str] = dataclasses.field(default_factory=dict, compare=False,
                                                      repr=False)
            note: str = dataclasses.field(default="", init=False)

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
    for cls in both():
        try:
            made = cls(*args, **kwargs)
            results.append(("ok", repr(made), dataclasses.asdict(made), made.title))
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
    assert [f.name for f in dataclasses.fields(ours)] == [f.name for f in dataclasses.fields(std)]
    assert repr(ours("a")) == repr(std("a")).replace(std.__qualname__, ours.__qualname__)
    assert dataclasses.replace(ours("a"), base="b") == ours("a", "b")
    assert dataclasses.is_dataclass(ours) and ours.__doc__ == "A stage."
    assert ours.__match_args__ == std.__match_args__


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
