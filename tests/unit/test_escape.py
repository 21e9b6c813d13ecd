"""Escaping: the pure functions, then awkward values through real GNU make to docker's argv.

A value written in stages.yaml reaches docker exactly as written there, where `$(NAME)` is a
reference and `$$` a literal `$`. A value given on the make command line follows GNU make's
own rules, so a literal `$` is written `$$` there too; everything else passes unchanged.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mkgen import escape
from mkgen.cli import cli
from tests.support import Tree, install_standin

# (as written in stages.yaml, as docker must receive it)
AWKWARD = [
    ("two words", "two words"),
    ("it's", "it's"),
    ('say "hi"', 'say "hi"'),
    ("both ' and \"", "both ' and \""),
    ("$$HOME and $$(pwd)", "$HOME and $(pwd)"),
    ("cost $5", "cost $5"),  # a `$` not followed by `(NAME)` or `$` is literal too
    ("#not a comment", "#not a comment"),
    ("a # b", "a # b"),
    ("a\\#b", "a\\#b"),
    ("a;b && c | d", "a;b && c | d"),
    ("back\\slash", "back\\slash"),
    ("ends\\", "ends\\"),
    ("100% and %s", "100% and %s"),
    ("naïve ☃ 東京", "naïve ☃ 東京"),
    ("  leading and trailing  ", "  leading and trailing  "),
    ("tab\there", "tab\there"),
    ("a,b", "a,b"),
    ("(paren) )", "(paren) )"),
    ("*.py ?", "*.py ?"),
    ("`id`", "`id`"),
]


# ---- the pure functions -------------------------------------------------------------------

def test_make_literal_doubles_dollars_and_protects_hashes() -> None:
    assert escape.make_literal("a$b#c") == "a$$b\\#c"
    # A backslash run before `#` is halved by make, so it doubles first.
    assert escape.make_literal("a\\#") == "a\\\\\\#"


def test_make_value_keeps_references_and_guards_leading_and_trailing_blanks() -> None:
    assert escape.make_value("$(A)-$$-$x") == "$(A)-$$-$$x"
    assert escape.make_value(" x ") == "$(mkgen_empty) x $(mkgen_empty)"
    assert escape.make_value("x\\") == "x\\$(mkgen_empty)"


def test_dockerfile_arg_default_escapes_quote_dollar_and_backslash() -> None:
    assert escape.dockerfile_arg_default('a"$\\') == '"a\\"\\$\\\\"'


@pytest.mark.parametrize("function", [escape.make_literal, escape.make_value, escape.make_help,
                                      escape.dockerfile_arg_default,
                                      escape.make_define_body])
@pytest.mark.parametrize("text", ["a\nb", "a\rb"])
def test_every_context_rejects_newlines(function, text: str) -> None:
    with pytest.raises(ValueError):
        function(text)


# ---- through make ------------------------------------------------------------------------

def project(tmp_path: Path, values: list[str]) -> Tree:
    """A project whose build args V0..Vn default to `values`, rendered, with the stand-in."""
    variables = {f"V{i}": {"default": v, "build_arg": True} for i, v in enumerate(values)}
    variables["PIP_TOKEN"] = {"secret": True, "help": "Token of the private index."}
    config = {
        "project": {"name": "esc"},
        "variables": variables,
        "stages": {"app": {"from": "debian:12", "args": list(variables)[:-1],
                           "steps": "RUN --mount=type=secret,id=PIP_TOKEN true"}},
    }
    root = tmp_path / "p"
    root.mkdir()
    (root / "stages.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", "-c", str(root / "stages.yaml")])
    assert result.exit_code == 0, result.output
    tree = Tree(root=root, bin=tmp_path / "bin", log=tmp_path / "docker.log")
    install_standin(tree.bin)
    return tree


def build_args(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv) if a == "--build-arg"]


def test_awkward_stages_yaml_values_reach_docker_exactly(tmp_path: Path) -> None:
    tree = project(tmp_path, [written for written, _ in AWKWARD])
    result = tree.make("app_build")
    assert result.returncode == 0, result.stderr
    [argv] = tree.calls()
    assert build_args(argv) == [f"V{i}={want}" for i, (_, want) in enumerate(AWKWARD)]


def test_awkward_command_line_values_reach_docker_with_make_dollar_rules(tmp_path: Path) -> None:
    """On the make command line a literal `$` is written `$$`, and make drops leading blanks
    of a value (GNU make's rules for any assignment, not mkgen's); the rest passes as is."""
    wanted = [want for _, want in AWKWARD]
    tree = project(tmp_path, ["x"] * len(wanted))
    result = tree.make("app_build", *(f"V{i}={w.replace('$', '$$')}" for i, w in enumerate(wanted)))
    assert result.returncode == 0, result.stderr
    [argv] = tree.calls()
    assert build_args(argv) == [f"V{i}={w.lstrip(' ')}" for i, w in enumerate(wanted)]


def test_an_empty_value_passes_no_build_arg_at_all(tmp_path: Path) -> None:
    tree = project(tmp_path, ["kept", "dropped"])
    assert tree.make("app_build", "V1=").returncode == 0
    [argv] = tree.calls()
    assert build_args(argv) == ["V0=kept"]
    assert "" not in argv


def test_the_dockerfile_defaults_carry_the_literal_values(tmp_path: Path) -> None:
    import dockerfile
    tree = project(tmp_path, ['say "hi" $$x \\'])
    args = [c for c in dockerfile.parse_file(str(tree.docker_dir / "Dockerfile.multi"))
            if c.cmd == "ARG"]
    assert args[0].value == ('V0="say \\"hi\\" \\$x \\\\"',)


# ---- secrets -----------------------------------------------------------------------------

SECRET = "s3cr3t-V@lue"


@pytest.fixture
def secret_tree(tmp_path: Path) -> Tree:
    tree = project(tmp_path, ["1"])
    # A second stand-in that also records the secret's value from docker's environment.
    record = 'printf "%s\\n" "${PIP_TOKEN-unset}" >> "$MKGEN_DOCKER_LOG.env"\n'
    (tree.bin / "docker").write_text((tree.bin / "docker").read_text() + record)
    return tree


def secret_env(tree: Tree) -> Path:
    return Path(f"{tree.log}.env")


@pytest.mark.parametrize("where", ["command line", "environment"])
def test_a_secret_reaches_docker_as_secret_never_as_an_argument(secret_tree: Tree,
                                                                 where: str) -> None:
    args, env = (("app_build", f"PIP_TOKEN={SECRET}"), secret_tree.env()) \
        if where == "command line" else (("app_build",), secret_tree.env(PIP_TOKEN=SECRET))
    result = secret_tree.make(*args, env=env)
    assert result.returncode == 0, result.stderr
    [argv] = secret_tree.calls()
    assert argv[argv.index("--secret") + 1] == "id=PIP_TOKEN,env=PIP_TOKEN"
    assert not any(SECRET in a for a in argv)
    assert SECRET not in result.stdout + result.stderr
    assert secret_env(secret_tree).read_text() == f"{SECRET}\n"


@pytest.mark.parametrize("where", ["command line", "environment"])
@pytest.mark.parametrize("goal", [["-n", "app_build"], ["-n", "app_push"], ["help"], []])
def test_a_secret_is_never_printed(secret_tree: Tree, where: str, goal: list[str]) -> None:
    args, env = ((*goal, f"PIP_TOKEN={SECRET}"), secret_tree.env()) \
        if where == "command line" else (tuple(goal), secret_tree.env(PIP_TOKEN=SECRET))
    result = secret_tree.make(*args, env=env)
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert "PIP_TOKEN" in result.stdout  # the name is listed or passed, only the value is not
    assert secret_tree.calls() == []


def test_without_a_value_no_secret_flag_is_passed(secret_tree: Tree) -> None:
    assert secret_tree.make("app_build").returncode == 0
    [argv] = secret_tree.calls()
    assert "--secret" not in argv


def test_make_arg_keeps_commas_and_parentheses_out_of_the_function_call() -> None:
    assert escape.make_arg("80,(89)") == "80$(mkgen_comma)$(mkgen_lparen)89$(mkgen_rparen)"
    assert escape.make_arg("$(A),$$x #1") == "$(A)$(mkgen_comma)$$x \\#1"
