"""PEP 440 matching for `requires:`, checked against the `packaging` library (pip's own rules)
on examples and on generated versions and specifiers."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mkgen.versions import VersionError, parse_specifier, parse_version

packaging = pytest.importorskip("packaging.specifiers")
packaging_version = pytest.importorskip("packaging.version")


@pytest.mark.parametrize(("spec", "version", "expected"), [
    (">=1.1,<2", "1.0.0", False),
    (">=1.1,<2", "1.1.0", True),
    (">=1.1,<2", "1.99.3", True),
    (">=1.1,<2", "2.0.0", False),
    (">=1.1,<2", "2.0.0rc1", False),        # a pre-release of the bound is not below it
    ("<2.0rc2", "2.0.0rc1", True),          # ... unless the bound is a pre-release
    ("==1.1.*", "1.1", True),
    ("==1.1.*", "1.1.7rc1", True),
    ("==1.1.*", "1.10.0", False),
    ("!=1.1.*", "1.2.0", True),
    ("==1.1", "1.1.0", True),               # trailing zeros do not count
    ("==1.1", "1.1.0+local.7", True),       # a local label is ignored unless asked for
    ("==1.1+local.7", "1.1.0+local.7", True),
    ("~=1.4.2", "1.4.9", True),
    ("~=1.4.2", "1.5.0", False),
    ("~=1.4", "1.9", True),
    (">1.0", "1.0.post1", False),           # a post-release is not above its release
    (">1.0.post1", "1.0.post2", True),
    (">1.0", "1.0+local", False),
    ("<=1.0", "1.0.post1", False),
    (">=1.0.dev0", "1.0a1", True),          # 1.0.dev0 < 1.0a1 < 1.0
    ("===1.0.0", "1.0.0", True),
    ("===1.0", "1.0.0", False),
    (" >= 1.1 , < 2 ", "1.2", True),
    (">=1.1,", "1.2", True),                # an empty clause is ignored, as pip does
])
def test_examples(spec: str, version: str, expected: bool) -> None:
    assert parse_specifier(spec).matches(version) is expected
    assert packaging.SpecifierSet(spec).contains(version, prereleases=True) is expected


@pytest.mark.parametrize(("spec", "message"), [
    ("", "empty: write a version specifier, e.g. >=1.1,<2"),
    ("1.1", "'1.1' is not a version clause: write an operator (==, !=, <=, >=, <, >, ~=) "
            "and a version, e.g. >=1.1, and join clauses with commas"),
    (">=1.1 <2", "'>=1.1 <2' is not a version clause: write an operator (==, !=, <=, >=, <, "
                 ">, ~=) and a version, e.g. >=1.1, and join clauses with commas"),
    (">=1.*", "'>=1.*': a .* wildcard only follows == or !="),
    ("==1.1rc1.*", "'==1.1rc1.*': a .* wildcard follows release numbers only"),
    ("~=1", "'~=1': ~= needs two numbers or more, e.g. ~=1.1"),
    (">=1.0+abc", "'>=1.0+abc': a local version (+...) only follows == or !="),
    (">=one", "'one' is not a version (PEP 440: 1.1, 1.1.0rc1, 2!1.0.post1)"),
])
def test_invalid_specifiers_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(VersionError) as exc:
        parse_specifier(spec)
    assert str(exc.value) == message
    with pytest.raises(packaging.InvalidSpecifier):
        packaging.SpecifierSet(spec or "!")


NUMBERS = st.integers(min_value=0, max_value=3)
VERSIONS = st.builds(
    lambda epoch, release, pre, post, dev, local: "".join([
        f"{epoch}!" if epoch else "", ".".join(map(str, release)),
        f"{pre[0]}{pre[1]}" if pre else "", f".post{post}" if post is not None else "",
        f".dev{dev}" if dev is not None else "", f"+{local}" if local else ""]),
    st.sampled_from([0, 0, 0, 1]), st.lists(NUMBERS, min_size=1, max_size=3),
    st.none() | st.tuples(st.sampled_from(["a", "b", "rc"]), NUMBERS),
    st.none() | NUMBERS, st.none() | NUMBERS,
    st.sampled_from(["", "", "", "abc", "7", "abc.7"]))
RELEASES = st.lists(NUMBERS, min_size=1, max_size=3).map(lambda r: ".".join(map(str, r)))
CLAUSES = st.one_of(
    st.tuples(st.sampled_from(["<", ">", "<=", ">="]), VERSIONS.map(lambda v: v.split("+")[0]))
    .map("".join),
    st.tuples(st.sampled_from(["==", "!="]), VERSIONS).map("".join),
    st.tuples(st.sampled_from(["==", "!="]), RELEASES).map(lambda t: f"{t[0]}{t[1]}.*"),
    st.lists(NUMBERS, min_size=2, max_size=3).map(lambda r: "~=" + ".".join(map(str, r))),
)
SPECIFIERS = st.lists(CLAUSES, min_size=1, max_size=3).map(",".join)


@settings(max_examples=1500, deadline=None)
@given(SPECIFIERS, VERSIONS)
def test_matching_agrees_with_packaging(spec: str, version: str) -> None:
    expected = packaging.SpecifierSet(spec).contains(version, prereleases=True)
    assert parse_specifier(spec).matches(version) is expected


@settings(max_examples=1500, deadline=None)
@given(VERSIONS, VERSIONS)
def test_ordering_agrees_with_packaging(a: str, b: str) -> None:
    ours = parse_version(a).key() < parse_version(b).key()
    theirs = packaging_version.Version(a) < packaging_version.Version(b)
    assert ours is theirs
