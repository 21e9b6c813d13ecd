"""mkgen.dockerfile_variables: variable references as BuildKit's shell lexer reads them."""
from __future__ import annotations

import pytest

from mkgen.dockerfile_parser import parse
from mkgen.dockerfile_variables import (
    AUTOMATIC_ARGS,
    EXPANDS,
    ExpansionError,
    expand,
    references,
    uses,
)

# --- variables --------------------------------------------------------------------------------

@pytest.mark.parametrize("word, names", [
    ("$X", ("X",)), ("${X}", ("X",)), ("a${X:-w}b", ("X",)), ("${X:+w}", ("X",)),
    ("${X-w}", ("X",)), ("${X:-${Y}}$Z", ("X", "Y", "Z")), ("\\$X", ()), ("'$X'", ()),
    ('"$X"', ("X",)), ("$1 $", ()), ("${X}${X}", ("X",)), ("${X#*.}", ("X",)),
])
def test_references(word: str, names: tuple[str, ...]) -> None:
    assert references(word) == names


def test_references_with_backtick_escape() -> None:
    assert references("`$X $Y", escape="`") == ("Y",)
    assert references("\\$X", escape="`") == ("X",)


@pytest.mark.parametrize("word, expected", [
    ("${X}", "1"), ("${E:-w}", "w"), ("${E-w}", ""), ("${U-w}", "w"), ("${X:+w}", "w"),
    ("${E:+w}", ""), ("${E+w}", "w"), ("${U+w}", ""), ("${U:-${X}0}", "10"), ("'$X'", "$X"),
    ('"a $X"', "a 1"), ("\\$X", "$X"), ('"\\"$X\\""', '"1"'), ("$U", ""), ("a\\ b", "a b"),
])
def test_expand(word: str, expected: str) -> None:
    assert expand(word, {"X": "1", "E": ""}) == expected


@pytest.mark.parametrize("word", ["${X:?must be set}", "${X", "${X#pat}", "'open", "${}"])
def test_expand_errors(word: str) -> None:
    with pytest.raises(ExpansionError):
        expand(word, {})


@pytest.mark.parametrize("text, names", [
    ("FROM --platform=$BUILDPLATFORM golang:${GO} AS b", ("BUILDPLATFORM", "GO")),
    ("ARG BASE=golang:${GO_VERSION}", ("GO_VERSION",)),
    ("ENV PATH=$PNPM_HOME:$PATH", ("PNPM_HOME", "PATH")),
    ("COPY --chown=${UID} --from=${SRC} a /b", ("UID", "SRC")),
    ("RUN --mount=type=cache,id=$CACHE,target=/c sh -c 'echo $TARGETARCH'",
     ("CACHE", "TARGETARCH")),
    ("RUN <<EOF\necho ${VERSION}\nEOF", ("VERSION",)),
    ("COPY <<'EOF' /x\n$NOT_EXPANDED\nEOF", ()),
    ("COPY <<EOF /x\n$EXPANDED\nEOF", ("EXPANDED",)),
    ("CMD echo $RUNTIME_ONLY", ()),
    ("ONBUILD COPY --from=$BASE a b", ("BASE",)),
])
def test_uses(text: str, names: tuple[str, ...]) -> None:
    df = parse(text if text.startswith(("FROM", "ARG")) else "FROM a\n" + text)
    assert uses(df.instructions[-1]) == names


def test_automatic_platform_args() -> None:
    assert AUTOMATIC_ARGS == {"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
                                 "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT"}
    assert "RUN" not in EXPANDS and {"FROM", "COPY", "ARG", "ONBUILD"} <= EXPANDS
