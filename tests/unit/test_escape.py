"""Escaping: the pure functions, then awkward values through real GNU make to docker's argv.

A value written in stages.yaml reaches docker exactly as written there, where `$(NAME)` is a
reference and `$$` a literal `$`. A value given on the make command line follows GNU make's
own rules, so a literal `$` is written `$$` there too; everything else passes unchanged.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

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
    ('make test; echo "#done"', 'make test; echo "#done"'),
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


def test_make_literal_value_expands_nothing() -> None:
    assert escape.make_literal_value("../p$(shell x) #1 ") == \
        "../p$$(shell x) \\#1 $(mkgen_empty)"


def test_help_and_comment_texts_never_end_in_a_line_continuation() -> None:
    assert escape.make_help("C:\\tools\\ $x") == "C:\\tools\\ $$x"
    assert escape.make_help("C:\\tools\\") == "C:\\tools\\$(mkgen_empty)"
    assert escape.make_comment("C:\\tools\\") == "C:\\tools\\\\"
    assert escape.make_comment("even\\\\") == "even\\\\"


def test_dockerfile_arg_default_escapes_quote_dollar_and_backslash() -> None:
    assert escape.dockerfile_arg_default('a"$\\') == '"a\\"\\$\\\\"'
    assert escape.dockerfile_arg_default('a"$`\\', "`") == '"a`"`$``\\"'


@pytest.mark.parametrize("text", ["1.22", "nvcr.io/nvidia/pytorch", "a@sha256:00", "-O2",
                                  "linux/arm64,linux/amd64", "a=b"])
def test_dockerfile_arg_default_leaves_a_plain_word_as_it_is(text: str) -> None:
    assert escape.dockerfile_arg_default(text) == text


@given(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"),
               min_size=1), st.sampled_from(["\\", "`"]))
def test_dockerfile_arg_default_reads_back_as_the_text(text: str, escape_char: str) -> None:
    from mkgen.dockerfile_instructions import arg_declarations
    from mkgen.dockerfile_parser import parse

    directive = "" if escape_char == "\\" else "# escape=`\n"
    quoted = escape.dockerfile_arg_default(text, escape_char)
    [decl] = arg_declarations(parse(f"{directive}ARG X={quoted}\nFROM a\n").instructions[0])
    assert decl.value({}, escape_char) == text


@pytest.mark.parametrize("function", [escape.make_literal, escape.make_value,
                                      escape.make_target_value, escape.make_help,
                                      escape.make_comment, escape.make_literal_value,
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


# ---- target-specific values ----------------------------------------------------------------

def test_awkward_values_set_by_a_stage_reach_docker_exactly(tmp_path: Path) -> None:
    """A stage's `variables:` become `target: NAME = value` lines, where make ends the value
    at a `;` (it starts a recipe) and keeps what follows raw: `\\#` would reach docker."""
    tree = project(tmp_path, ["x"] * len(AWKWARD))
    config = yaml.safe_load((tree.root / "stages.yaml").read_text(encoding="utf-8"))
    config["stages"]["app"]["variables"] = {f"V{i}": written
                                            for i, (written, _) in enumerate(AWKWARD)}
    config["stages"]["app"]["run"] = {"variables": {"RUN_CMD": "sh -c 'make test; echo \"#done\"'"}}
    (tree.root / "stages.yaml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert CliRunner().invoke(cli, ["render", "-c", str(tree.root / "stages.yaml")]).exit_code == 0
    result = tree.make("app_build")
    assert result.returncode == 0, result.stderr
    [argv] = tree.calls()
    assert build_args(argv) == [f"V{i}={want}" for i, (_, want) in enumerate(AWKWARD)]
    result = tree.make("app_run", "DOCKER_PULL=1")
    assert result.returncode == 0, result.stderr
    assert tree.calls()[-1][-3:] == ["sh", "-c", 'make test; echo "#done"']


def test_awkward_values_set_by_a_recipe_reach_its_commands_exactly(tmp_path: Path) -> None:
    tree = project(tmp_path, ["x"] * len(AWKWARD))
    config = yaml.safe_load((tree.root / "stages.yaml").read_text(encoding="utf-8"))
    config["recipes"] = {"show": {
        "variables": {f"V{i}": written for i, (written, _) in enumerate(AWKWARD)},
        "commands": ["$(DOCKER) show" + "".join(f" $(call mkgen_q,$(V{i}))"
                                                for i in range(len(AWKWARD)))]}}
    (tree.root / "stages.yaml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert CliRunner().invoke(cli, ["render", "-c", str(tree.root / "stages.yaml")]).exit_code == 0
    result = tree.make("show")
    assert result.returncode == 0, result.stderr
    assert tree.calls() == [["show", *(want for _, want in AWKWARD)]]


# ---- help texts ----------------------------------------------------------------------------

def test_a_help_text_ending_in_a_backslash_swallows_no_line(tmp_path: Path) -> None:
    """A help text lands in Make comments, in `make help` (a define) and in Dockerfile
    comments; ending in `\\` it must not continue onto the next line in any of them."""
    import dockerfile
    tool = "Runs C:\\tools\\"
    config = {
        "project": {"name": "esc"},
        "variables": {"V0": {"default": "kept", "build_arg": True, "help": tool},
                      "V1": {"default": "ends\\", "help": tool}},
        "stages": {"app": {"from": "debian:12", "help": tool, "args": ["V0"]},
                   "other": {"from": "app", "help": tool}},
        "targets": {"fam": {"stage": "app", "help": tool, "actions": ["build"]}},
        "recipes": {"show": {"help": tool, "commands": ["$(DOCKER) show $(call mkgen_q,$(V1))"]}},
    }
    root = tmp_path / "p"
    root.mkdir()
    (root / "stages.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    assert CliRunner().invoke(cli, ["render", "-c", str(root / "stages.yaml")]).exit_code == 0
    tree = Tree(root=root, bin=tmp_path / "bin", log=tmp_path / "docker.log")
    install_standin(tree.bin)
    for goal in ("app_build", "fam_build"):
        result = tree.make(goal)
        assert result.returncode == 0, result.stderr
        assert tree.calls() == [["buildx", "build", "--target", "app", "--build-arg", "V0=kept",
                                 "--file", f"{tree.docker_dir}/Dockerfile.multi", "--tag",
                                 "esc/app:latest", str(root)]]
    assert tree.make("show").returncode == 0
    assert tree.calls() == [["show", "ends\\"]]
    lines = tree.make("help").stdout.splitlines()
    assert [line.split(maxsplit=1)[0] for line in lines if line.endswith(tool)] == [
        "app:", "other:", "show", "V0", "V1"]
    assert f"    fam: {tool} [stage app]" in lines
    assert any(line.endswith("default: ends\\") for line in lines)
    parsed = dockerfile.parse_file(str(tree.docker_dir / "Dockerfile.multi"))
    assert [(c.cmd, c.value) for c in parsed if c.cmd == "FROM"] == [
        ("FROM", ("debian:12", "AS", "app")), ("FROM", ("app", "AS", "other"))]


# ---- HCL (docker-bake.hcl) ------------------------------------------------------------------

HCL_AWKWARD = ["plain", "", "${NAME}", "$${NAME}", "$$", "$", "%{ if true }x%{ endif }",
               "%%{", 'say "hi"', "back\\slash", "trailing\\", "tab\there", "\x01ctl",
               "ünïcødé ✓", "a # b // c", "${", "%{", "{}", "$ {x}", "%", "\\${x}"]


def test_hcl_string_escapes_quotes_backslashes_controls_and_template_starts() -> None:
    assert escape.hcl_string('a"b\\c') == '"a\\"b\\\\c"'
    assert escape.hcl_string("${X} %{if}") == '"$${X} %%{if}"'
    assert escape.hcl_string("$${X}") == '"$$${X}"'
    assert escape.hcl_string("\t\x01") == '"\\t\\u0001"'
    assert escape.hcl_comment("one\ntwo\r\nthree") == "one two three"


def test_hcl_strings_read_back_as_written_by_real_bake(tmp_path: Path) -> None:
    """buildx's own HCL reader: each value, as a build argument, comes back unchanged."""
    from tests.bake_fields import real_docker

    docker = real_docker()
    body = "\n".join(f"    A{i} = {escape.hcl_string(text)}" for i, text in enumerate(HCL_AWKWARD))
    (tmp_path / "docker-bake.hcl").write_text(f'target "t" {{\n  args = {{\n{body}\n  }}\n}}\n')
    result = subprocess.run([docker, "buildx", "bake", "--file", "docker-bake.hcl", "--print",
                             "t"], cwd=tmp_path, capture_output=True, text=True,
                            env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    args = json.loads(result.stdout)["target"]["t"]["args"]
    # --print writes `${` as `$${` and `%{` as `%%{`, so that its output reads back as HCL.
    assert {k: v.replace("$${", "${").replace("%%{", "%{") for k, v in args.items()} == {
        f"A{i}": text for i, text in enumerate(HCL_AWKWARD)}


@settings(max_examples=300)
@given(st.text())
def test_hcl_literal_without_escapes_is_the_character_walk(text: str) -> None:
    """The shortcut for text with nothing to escape gives what escaping each character does."""
    walked = "".join(escape._HCL_CHARS.get(ch, f"\\u{ord(ch):04x}" if ord(ch) < 0x20 else ch)
                     for ch in text)
    assert escape.hcl_literal(text) == walked.replace("${", "$${").replace("%{", "%%{")
