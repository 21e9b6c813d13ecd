"""mkgen.adopt and mkgen.adopt_yaml: what `mkgen init --from` makes of each shape of Dockerfile
(tests/adopt checks whole files against BuildKit's parser)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mkgen.adopt import read_dockerfile
from mkgen.adopt_yaml import adopted_yaml
from tests.adopt.roundtrip import ARG_QUOTES, ARG_SPLIT, UNNAMED_STAGE, adopt, differences

PROJECT = {"name": "x", "output": ".", "context": ".", "dockerfile": "Dockerfile"}


def stages_yaml(text: str) -> dict:
    adoption = read_dockerfile(text, Path("Dockerfile"))
    return yaml.safe_load(adopted_yaml(adoption, PROJECT, "Dockerfile").text)


def test_line_ends_and_a_byte_order_mark_are_normalised() -> None:
    text = "\ufeffARG V=1\r\nFROM alpine AS a\r\nRUN echo a \\\r\n    b\r\n"
    assert stages_yaml(text)["stages"]["a"]["steps"] == "RUN echo a \\\n    b\n"
    assert differences(text, adopt(text).rendered) == set()


def test_steps_keep_their_bytes_indentation_and_blank_lines() -> None:
    body = "\tRUN a  \n\n  \t\n    COPY . /x\n# trailing comment"
    data = stages_yaml(f"FROM alpine AS a\n{body}\n\n\nFROM a AS b\n")
    assert data["stages"]["a"]["steps"] == body + "\n"


def test_steps_yaml_cannot_carry_as_a_block_go_in_a_quoted_scalar() -> None:
    text = "FROM alpine AS a\nRUN printf 'a\x0bb\u2028c'\n"
    assert stages_yaml(text)["stages"]["a"]["steps"] == "RUN printf 'a\x0bb\u2028c'"
    assert differences(text, adopt(text).rendered) == set()


def test_global_args_become_build_arguments_with_their_help() -> None:
    variables = stages_yaml("""\
# The Go toolchain.
ARG GO=1.23
ARG BASE=golang:${GO} EMPTY="" BLANK= NONE QUOTED='a b'
ARG PATH=/usr/bin
ARG GO=1.24
FROM ${BASE}
""")["variables"]
    assert variables == {
        "GO": {"help": "The Go toolchain.", "default": "1.24", "build_arg": True},
        "BASE": {"arg_default": "golang:${GO}", "build_arg": True},
        "EMPTY": {"arg_default": '""', "build_arg": True},
        "BLANK": {"arg_default": "", "build_arg": True},
        "NONE": {"build_arg": True},
        "QUOTED": {"default": "a b", "build_arg": True},
        "ARG_PATH": {"arg": "PATH", "default": "/usr/bin", "build_arg": True},
    }


def test_a_line_of_several_global_args_is_written_one_per_line() -> None:
    text = "ARG A=1 B=2\nFROM alpine:${A}.${B}\n"
    assert differences(text, adopt(text).rendered) == {ARG_SPLIT, UNNAMED_STAGE}


def test_builtin_names_are_given_to_the_args_and_the_builtins_renamed() -> None:
    data = stages_yaml("ARG PLATFORM=linux/amd64\nARG DOCKER_PLATFORM=x\nARG DOCKER=podman\n"
                       "FROM --platform=$PLATFORM alpine\n")
    assert data["builtins"] == {"PLATFORM": "MK_PLATFORM", "DOCKER": "DOCKER_DOCKER"}
    assert list(data["variables"]) == ["PLATFORM", "DOCKER_PLATFORM", "DOCKER"]


def test_secrets_are_named_after_their_variable_or_id() -> None:
    data = stages_yaml("""\
ARG HF_TOKEN
FROM alpine AS a
RUN --mount=type=secret,id=hf_token,env=HF_TOKEN --mount=type=secret,id=pip-conf,required \\
    --mount=type=secret,target=/root/.npmrc --mount=type=secret,src=aws,env=PATH x
RUN --mount=type=secret,id=hf_token,target=/t y
""")
    assert data["variables"] == {
        "HF_TOKEN": {"build_arg": True},
        "HF_TOKEN_SECRET": {"help": "Secret hf_token, exposed as $HF_TOKEN.",
                            "secret_id": "hf_token"},
        "PIP_CONF": {"help": "Secret pip-conf, mounted at /run/secrets/pip-conf.",
                     "secret_id": "pip-conf"},
        "NPMRC": {"help": "Secret .npmrc, mounted at /root/.npmrc.", "secret_id": ".npmrc"},
        "AWS": {"help": "Secret aws, exposed as $PATH.", "secret_id": "aws"}}


def test_unnamed_stages_get_free_names_and_args_right_after_from() -> None:
    data = stages_yaml("""\
ARG V
FROM alpine
FROM alpine AS stage1
ARG V
ARG W
RUN x
FROM alpine
# not right after FROM
ARG V
""")
    assert list(data["stages"]) == ["stage0", "stage1", "stage2"]
    assert data["stages"]["stage1"] == {"from": "alpine", "args": ["V"],
                                        "steps": "ARG W\nRUN x\n"}
    assert data["stages"]["stage2"]["steps"] == "# not right after FROM\nARG V\n"


@pytest.mark.parametrize("text, found", [
    ("ARG B=base\nFROM alpine AS base\nFROM ${B} AS app\n", ("base", "B")),
    ('ARG B="base"\nFROM alpine AS base\nFROM $B AS app\n', ("base", "B")),
    ("ARG B=alpine\nFROM alpine AS base\nFROM ${B} AS app\n", ("${B}", None)),
])
def test_an_arg_naming_a_stage_above_becomes_from_arg(text: str, found: tuple) -> None:
    app = stages_yaml(text)["stages"]["app"]
    assert (app["from"], app.get("from_arg")) == found


def test_defaults_are_read_with_the_files_escape_character() -> None:
    text = "# escape=`\nARG TOOLS=C:\\tools-`$HOME\nARG Q=\"C:\\a b\"\nFROM servercore:${TOOLS}\n"
    assert stages_yaml(text)["variables"] == {
        "TOOLS": {"default": "C:\\tools-$$HOME", "build_arg": True},
        "Q": {"default": "C:\\a b", "build_arg": True}}
    assert differences(text, adopt(text).rendered) == {UNNAMED_STAGE, ARG_QUOTES}


def test_a_secret_id_that_is_a_global_args_name_gets_a_variable_of_its_own() -> None:
    text = ("ARG GITHUB_TOKEN\nFROM alpine AS a\n"
            "RUN --mount=type=secret,id=GITHUB_TOKEN git clone x\n")
    variables = stages_yaml(text)["variables"]
    assert variables["GITHUB_TOKEN"] == {"build_arg": True}
    assert variables["GITHUB_TOKEN_SECRET"]["secret_id"] == "GITHUB_TOKEN"
    assert differences(text, adopt(text).rendered) == set()
