"""mkgen.dockerfile_instructions: what FROM, ARG, ENV, LABEL and RUN mounts say."""
from __future__ import annotations

import pytest

from mkgen.dockerfile_instructions import (
    ArgDecl,
    FromClause,
    Secret,
    arg_declarations,
    env_pairs,
    from_clause,
    parse_mount,
    secret,
    secrets,
)
from mkgen.dockerfile_parser import Instruction, parse
from mkgen.dockerfile_variables import references


def one(text: str) -> Instruction:
    """The instruction after `FROM a` in `FROM a\\n` + text."""
    return parse("FROM a\n" + text).instructions[1]


# --- ENV, LABEL and ARG ----------------------------------------------------------------------

def test_env_and_label_pairs_in_both_forms() -> None:
    assert env_pairs(one('ENV A="x y" B=2\n')) == (("A", '"x y"'), ("B", "2"))
    assert env_pairs(one("ENV LANG C.UTF-8 extra  words\n")) == (("LANG",
                                                                       "C.UTF-8 extra  words"),)
    assert env_pairs(one('LABEL "org.title"="a b" version=\n')) == (('"org.title"', '"a b"'),
                                                                         ("version", ""))


def test_arg_declarations_keep_no_default_apart_from_empty() -> None:
    decls = arg_declarations(one("ARG a=1 b c=\"\" d='x y' e=\n"))
    assert decls == (ArgDecl("a", "1"), ArgDecl("b", None), ArgDecl("c", '""'),
                     ArgDecl("d", "'x y'"), ArgDecl("e", ""))
    assert [d.value({}) for d in decls] == ["1", None, "", "x y", ""]


def test_arg_default_referring_to_other_args() -> None:
    df = parse("ARG GO=1.22\nARG BASE=golang:${GO}-alpine\nFROM ${BASE}\n")
    go, base = (arg_declarations(i)[0] for i in df.instructions[:2])
    assert references(base.default or "") == ("GO",)
    assert base.value({"GO": go.value({}) or ""}) == "golang:1.22-alpine"


# --- FROM ------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    ("FROM --platform=$BUILDPLATFORM golang:1.23 AS Build",
     FromClause("golang:1.23", "Build", "$BUILDPLATFORM")),
    ("FROM --platform=${JS_PLATFORM} ${JS_IMAGE} as js",
     FromClause("${JS_IMAGE}", "js", "${JS_PLATFORM}")),
    ("FROM scratch", FromClause("scratch", None, None)),
])
def test_from_clause(line: str, expected: FromClause) -> None:
    assert from_clause(parse(line).instructions[0]) == expected


def test_stage_names_match_case_insensitively() -> None:
    assert from_clause(parse("FROM a AS Builder").instructions[0]).key == "builder"


# --- mounts and secrets -----------------------------------------------------------------------

@pytest.mark.parametrize("spec, fields", [
    ("type=secret,id=X,env=Y,required=true",
     (("type", "secret"), ("id", "X"), ("env", "Y"), ("required", "true"))),
    ("type=bind,from=build,source=/out,target=/in,readonly",
     (("type", "bind"), ("from", "build"), ("source", "/out"), ("target", "/in"),
      ("readonly", None))),
    ("Type=cache,target=/root/.cache,sharing=locked,id=pip",
     (("type", "cache"), ("target", "/root/.cache"), ("sharing", "locked"), ("id", "pip"))),
    ('type=bind,"target=/a,b"', (("type", "bind"), ("target", "/a,b"))),
])
def test_parse_mount(spec: str, fields: tuple) -> None:
    assert parse_mount(spec).fields == fields


@pytest.mark.parametrize("spec", ["", ",", "a,,b", "type=cache,target=/x,", " id = a , b",
                                  "target=/a b,from=x\\y", "k='a,b'", 'type=bind,"target=/a,b"',
                                  'a="b""c",d'])
def test_a_mount_is_split_as_csv_reads_it(spec: str) -> None:
    """The split without the csv module (no quote, no line break) reads as csv does."""
    import csv

    row = next(csv.reader([spec]), [])
    assert parse_mount(spec).fields == tuple((k.lower(), v if eq else None) for k, eq, v in
                                             (item.partition("=") for item in row))


def test_mount_type_defaults_to_bind() -> None:
    assert parse_mount("target=.").type == "bind"


@pytest.mark.parametrize("spec, expected", [
    ("type=secret,id=hf_token,env=HF_TOKEN", Secret("hf_token", "HF_TOKEN", None, False)),
    ("type=secret,id=npmrc,target=/root/.npmrc", Secret("npmrc", None, "/root/.npmrc", False)),
    ("type=secret,id=pip,required", Secret("pip", None, "/run/secrets/pip", True)),
    ("type=secret,id=a,required=false", Secret("a", None, "/run/secrets/a", False)),
    ("type=secret,target=/run/secrets/token", Secret("token", None, "/run/secrets/token",
                                                         False)),
    ("type=secret,src=s3,target=/root/.aws/credentials",
     Secret("s3", None, "/root/.aws/credentials", False)),
    ("type=secret,source=gpg,env=GPG_KEY,target=/k", Secret("gpg", "GPG_KEY", "/k", False)),
])
def test_secret(spec: str, expected: Secret) -> None:
    assert secret(parse_mount(spec)) == expected


def test_secrets_of_a_run() -> None:
    run = one("RUN --mount=type=cache,target=/c --mount=type=secret,id=a,env=A "
              "--mount=type=secret,id=b x\n")
    assert [s.id for s in secrets(run)] == ["a", "b"]
    assert secret(parse_mount("type=cache,target=/c")) is None
