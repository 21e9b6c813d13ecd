"""mkgen.dockerfile_syntax: Dockerfile syntax as BuildKit reads it.

Unit tests with exact expected values for each feature, then the corpus of real-project shapes
in tests/adopt: each file's claims are checked against what the parser finds in it, and every
file is read by BuildKit's own parser too, which must agree instruction by instruction (or, for
tests/adopt/rejected, refuse it with the same message).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from mkgen import dockerfile_syntax as ds
from mkgen import dockerfile_text as old
from mkgen.builtin_variables import builtin_variables
from mkgen.model import Project
from mkgen.validate_variables import CREDENTIAL
from tests.adopt import crosscheck

ADOPT = Path(__file__).resolve().parent.parent / "adopt"
CASES = sorted((ADOPT / "cases").glob("*.Dockerfile"))
REJECTED = sorted((ADOPT / "rejected").glob("*.Dockerfile"))
needs_buildkit = pytest.mark.skipif(crosscheck.dockerfile is None,
                                    reason="the `dockerfile` package (test extra) is missing")


def one(text: str) -> ds.Instruction:
    """The instruction after `FROM a` in `FROM a\\n` + text."""
    return ds.parse("FROM a\n" + text).instructions[1]


def error(text: str) -> tuple[int, str]:
    with pytest.raises(ds.DockerfileSyntaxError) as info:
        ds.parse(text)
    return info.value.line, info.value.message


# --- lines, continuations, comments ----------------------------------------------------------

def test_instructions_keep_lines_and_source() -> None:
    text = "# comment\nFROM alpine AS base\n\n  run echo a \\\n    && echo b\nCMD [\"sh\"]"
    df = ds.parse(text)
    assert [(i.keyword, i.start_line, i.end_line) for i in df.instructions] == [
        ("FROM", 2, 2), ("RUN", 4, 5), ("CMD", 6, 6)]
    run = df.instructions[1]
    assert run.line == "run echo a     && echo b"
    assert run.value == ("echo a     && echo b",)
    assert run.source == "  run echo a \\\n    && echo b\n"
    assert df.instructions[2].source == 'CMD ["sh"]'
    assert "".join(df.lines) == text


def test_comment_and_blank_lines_inside_a_continuation() -> None:
    df = ds.parse("FROM a\nRUN apt-get install \\\n  # tools\n\n    git \\\n  \n    curl\n")
    run = df.instructions[1]
    assert (run.line, run.start_line, run.end_line) == ("RUN apt-get install     git     curl",
                                                        2, 7)
    assert run.source.count("\n") == 6
    assert df.warnings == (ds.ParseWarning(4, "empty continuation line"),
                           ds.ParseWarning(6, "empty continuation line"))


def test_escaped_escape_at_line_end_is_no_continuation() -> None:
    df = ds.parse("FROM a\nRUN echo a\\\\\nRUN echo b\n")
    assert [i.value for i in df.instructions[1:]] == [("echo a\\\\",), ("echo b",)]


def test_continuation_with_trailing_blanks_and_a_lone_escape_line() -> None:
    assert one("RUN x\\ \t\ny\n").line == "RUN xy"
    assert one("RUN a\\\n\\\nb\n").value == ("ab",)


def test_continuation_at_end_of_file_is_accepted() -> None:
    run = one("RUN echo \\")
    assert (run.line, run.value, run.end_line) == ("RUN echo ", ("echo",), 2)


def test_crlf_and_byte_order_mark() -> None:
    df = ds.parse("\ufeffFROM a\r\nRUN b \\\r\n c\r\n")
    assert [i.line for i in df.instructions] == ["FROM a", "RUN b  c"]
    assert df.instructions[0].source == "\ufeffFROM a\r\n"


def test_lower_case_keywords() -> None:
    df = ds.parse("from a as Build\nrun echo\n")
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN"]
    assert ds.from_clause(df.instructions[0]) == ds.FromClause("a", "Build", None)


# --- parser directives and the escape character ----------------------------------------------

def test_directives_at_the_top() -> None:
    df = ds.parse("# syntax=docker/dockerfile:1.10\n#escape = `  \n# check=skip=all\nFROM a\n")
    assert df.directives == (ds.Directive("syntax", "docker/dockerfile:1.10", 1),
                             ds.Directive("escape", "`", 2),
                             ds.Directive("check", "skip=all", 3))
    assert (df.escape, df.directive("check"), df.directive("nope")) == ("`", "skip=all", None)


@pytest.mark.parametrize("text", ["\n# escape=`\nFROM a\n", "# hello\n# escape=`\nFROM a\n",
                                  "FROM a\n# escape=`\n", "# foo=bar\n# escape=`\nFROM a\n"])
def test_directives_end_at_the_first_other_line(text: str) -> None:
    df = ds.parse(text)
    assert (df.directives, df.escape) == ((), "\\")


def test_check_directive_before_escape_still_counts() -> None:
    # Current BuildKit knows `check`; v0.12.5 (the `dockerfile` package) stopped at it.
    df = ds.parse("# check=error=true\n# escape=`\nFROM a\nRUN x `\n y\n")
    assert df.instructions[1].line == "RUN x  y"


def test_backtick_escape_keeps_backslashes() -> None:
    df = ds.parse("# escape=`\nFROM a\nRUN dir C:\\ `\n    /s\nCOPY a C:\\b\\\n")
    assert [i.line for i in df.instructions] == ["FROM a", "RUN dir C:\\     /s", "COPY a C:\\b\\"]
    assert df.instructions[2].value == ("a", "C:\\b\\")


@pytest.mark.parametrize("text, expected", [
    ("# escape=`\n# escape=`\nFROM a\n", (2, "only one escape parser directive can be used")),
    ("# syntax=a\n# syntax=b\nFROM a\n", (2, "only one syntax parser directive can be used")),
    ("# escape=^\nFROM a\n", (1, "invalid escape token '^' does not match ` or \\")),
])
def test_directive_errors(text: str, expected: tuple[int, str]) -> None:
    assert error(text) == expected


# --- errors BuildKit raises -------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("FROM a\nRUNN echo\n", (2, "unknown instruction: RUNN")),
    ("FROM golang:1.23 AS build extra\n", (1, "FROM requires either one or three arguments")),
    ("FROM a b\n", (1, "FROM requires either one or three arguments")),
    ("FROM\n", (1, "FROM requires either one or three arguments")),
    ("FROM a AS 1st\n", (1, 'invalid name for build stage: "1st", name can\'t start with a '
                            "number or contain symbols")),
    ("FROM a\nRUN <<EOF\nx\n", (2, "unterminated heredoc")),
    ("# only a comment\n\n", (2, "file with no instructions")),
    ("", (1, "file with no instructions")),
    ("FROM a\nENV A\n", (2, "ENV must have two arguments")),
    ("FROM a\nENV A=1 B\n", (2, 'Syntax error - can\'t find = in "B". Must be of the form: '
                                "name=value")),
    ("FROM a\nRUN [\"a\", 1]\n", (2, "when using JSON array syntax, arrays must be comprised of "
                                     "strings only")),
    ("FROM a\nONBUILD\n", (2, "ONBUILD requires at least one argument")),
    ("FROM a\nONBUILD ONBUILD RUN x\n", (2, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't "
                                            "allowed")),
    ("FROM a\nONBUILD FROM b\n", (2, "FROM isn't allowed as an ONBUILD trigger")),
])
def test_errors_buildkit_raises(text: str, expected: tuple[int, str]) -> None:
    assert error(text) == expected


def test_parser_errors_come_before_instruction_errors() -> None:
    # BuildKit parses the whole file before it checks instructions.
    assert error("FROM a\nFOO bar\nRUN <<EOF\n") == (3, "unterminated heredoc")


# --- flags and arguments ----------------------------------------------------------------------

def test_flags_in_order_with_quotes_and_bare_names() -> None:
    copy = one('COPY --from=0 --chown="app user" --link /src /dst\n')
    assert copy.flags == (ds.Flag("from", "0"), ds.Flag("chown", "app user"), ds.Flag("link", None))
    assert [f.text for f in copy.flags] == ["--from=0", "--chown=app user", "--link"]
    assert (copy.arguments, copy.value, copy.flag("from")) == ("/src /dst", ("/src", "/dst"), "0")


def test_several_mounts_and_the_end_of_flags() -> None:
    run = one("RUN --mount=type=cache,target=/a --mount=type=bind,target=. --network=none "
              "-- --x y\n")
    assert run.flag_values("mount") == ("type=cache,target=/a", "type=bind,target=.")
    assert run.flag("network") == "none"
    assert run.arguments == "--x y"


def test_exec_and_shell_forms() -> None:
    cmd = one('CMD ["python", "-m", "app"]\n')
    assert (cmd.json, cmd.exec_form, cmd.value) == (True, ("python", "-m", "app"),
                                                    ("python", "-m", "app"))
    shell = one("CMD python -m app\n")
    assert (shell.json, shell.exec_form, shell.value) == (False, None, ("python -m app",))
    assert one('ENTRYPOINT ["a",\n').value == ('["a",',)  # not JSON: the shell form
    health = one('HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://x/"]\n')
    assert (health.value, health.exec_form) == (("CMD", "curl", "-f", "http://x/"),
                                                ("curl", "-f", "http://x/"))


def test_json_with_trailing_text_is_the_shell_form() -> None:
    # Current BuildKit decodes the whole text (json.Unmarshal); v0.12.5 stopped after the list.
    assert one('CMD ["a"] b\n').json is False


def test_list_and_string_instructions() -> None:
    assert one("EXPOSE 80  443/tcp\n").value == ("80", "443/tcp")
    assert one('VOLUME ["/a", "/b"]\n').value == ("/a", "/b")
    assert one("VOLUME /c /d\n").value == ("/c", "/d")
    assert one("USER  app:app \n").value == ("app:app",)
    assert one("WORKDIR /srv/my app\n").value == ("/srv/my app",)


def test_env_and_label_pairs_in_both_forms() -> None:
    assert ds.env_pairs(one('ENV A="x y" B=2\n')) == (("A", '"x y"'), ("B", "2"))
    assert ds.env_pairs(one("ENV LANG C.UTF-8 extra  words\n")) == (("LANG",
                                                                       "C.UTF-8 extra  words"),)
    assert ds.env_pairs(one('LABEL "org.title"="a b" version=\n')) == (('"org.title"', '"a b"'),
                                                                         ("version", ""))


def test_arg_declarations_keep_no_default_apart_from_empty() -> None:
    decls = ds.arg_declarations(one("ARG a=1 b c=\"\" d='x y' e=\n"))
    assert decls == (ds.ArgDecl("a", "1"), ds.ArgDecl("b", None), ds.ArgDecl("c", '""'),
                     ds.ArgDecl("d", "'x y'"), ds.ArgDecl("e", ""))
    assert [d.value({}) for d in decls] == ["1", None, "", "x y", ""]


def test_arg_default_referring_to_other_args() -> None:
    df = ds.parse("ARG GO=1.22\nARG BASE=golang:${GO}-alpine\nFROM ${BASE}\n")
    go, base = (ds.arg_declarations(i)[0] for i in df.instructions[:2])
    assert ds.references(base.default or "") == ("GO",)
    assert base.value({"GO": go.value({}) or ""}) == "golang:1.22-alpine"


# --- FROM ------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    ("FROM --platform=$BUILDPLATFORM golang:1.23 AS Build",
     ds.FromClause("golang:1.23", "Build", "$BUILDPLATFORM")),
    ("FROM --platform=${JS_PLATFORM} ${JS_IMAGE} as js",
     ds.FromClause("${JS_IMAGE}", "js", "${JS_PLATFORM}")),
    ("FROM scratch", ds.FromClause("scratch", None, None)),
])
def test_from_clause(line: str, expected: ds.FromClause) -> None:
    assert ds.from_clause(ds.parse(line).instructions[0]) == expected


def test_stage_names_match_case_insensitively() -> None:
    assert ds.from_clause(ds.parse("FROM a AS Builder").instructions[0]).key == "builder"


# --- heredocs ---------------------------------------------------------------------------------

def test_run_heredoc() -> None:
    df = ds.parse("FROM a\nRUN <<EOF\nset -e\necho $HOME\nEOF\nCMD x\n")
    run = df.instructions[1]
    assert run.heredocs == (ds.Heredoc("EOF", "set -e\necho $HOME\n", False, False, 0, 3, 5),)
    assert (run.value, run.end_line, df.instructions[2].start_line) == (("<<EOF",), 5, 6)
    assert run.source == "RUN <<EOF\nset -e\necho $HOME\nEOF\n"


def test_tab_stripping_heredoc() -> None:
    run = one("RUN <<-EOT\n\tfirst\n\t\tsecond\n\tEOT\n")
    doc = run.heredocs[0]
    assert (doc.body, doc.content, doc.strip_tabs) == ("\tfirst\n\t\tsecond\n", "first\nsecond\n",
                                                       True)


@pytest.mark.parametrize("word, name, quoted", [
    ("<<'EOF'", "EOF", True), ('<<"EOF"', "EOF", True), ('<<E"O"F', "EOF", True),
    ("<<'E F'", "E F", True), ("<<\\EOF", "EOF", False), ("<<EOF", "EOF", False),
])
def test_heredoc_delimiters(word: str, name: str, quoted: bool) -> None:
    doc = one(f"RUN cat {word}\nbody\n{name}\n").heredocs[0]
    assert (doc.name, doc.quoted, doc.body) == (name, quoted, "body\n")


def test_several_heredocs_in_one_instruction() -> None:
    copy = one("COPY <<robots.txt <<humans.txt /usr/share/html/\nUser-agent: *\nrobots.txt\n"
               "team\nhumans.txt\n")
    assert [(h.name, h.body, h.start_line, h.end_line) for h in copy.heredocs] == [
        ("robots.txt", "User-agent: *\n", 3, 4), ("humans.txt", "team\n", 5, 6)]
    assert copy.value == ("<<robots.txt", "<<humans.txt", "/usr/share/html/")


def test_copy_heredoc_file_descriptor_and_empty_body() -> None:
    assert one("COPY <<EOT /etc/motd\nhello\nEOT\n").value == ("<<EOT", "/etc/motd")
    run = one("RUN cat 3<<EOF <<X\nEOF\nX\n")
    assert [(h.fd, h.body, h.start_line, h.end_line) for h in run.heredocs] == [
        (3, "", 3, 3), (0, "", 4, 4)]


def test_heredoc_bodies_are_never_instructions() -> None:
    df = ds.parse("FROM a\nRUN <<EOF\nFROM evil\nRUN rm -rf /\nEOF\nUSER app\n")
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN", "USER"]


def test_terminator_must_be_the_whole_line() -> None:
    run = one("RUN cat <<EOF\nEOF  \n  EOF\nEOF\n")
    assert run.heredocs[0].body == "EOF  \n  EOF\n"


def test_heredocs_only_where_buildkit_reads_them() -> None:
    df = ds.parse('FROM a\nENV A=<<EOF\nRUN ["cat", "<<EOF"]\nRUN echo "<<EOF"\nUSER x\n')
    assert [i.heredocs for i in df.instructions] == [()] * 5


def test_onbuild_heredoc() -> None:
    ins = one("ONBUILD RUN <<EOF\necho hi\nEOF\n")
    assert ins.trigger is not None and ins.trigger.keyword == "RUN"
    assert ins.heredocs == ins.trigger.heredocs == (
        ds.Heredoc("EOF", "echo hi\n", False, False, 0, 3, 4),)


def test_an_unclosed_quote_hides_heredocs_as_in_buildkit() -> None:
    assert error("FROM a\nRUN echo it's <<EOF\nx\nEOF\n") == (3, "unknown instruction: x")


def test_heredoc_with_crlf_keeps_the_body_bytes() -> None:
    assert one("RUN cat <<EOF\r\nx\r\nEOF\r\n").heredocs[0].body == "x\r\n"


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
    assert ds.parse_mount(spec).fields == fields


def test_mount_type_defaults_to_bind() -> None:
    assert ds.parse_mount("target=.").type == "bind"


@pytest.mark.parametrize("spec, expected", [
    ("type=secret,id=hf_token,env=HF_TOKEN", ds.Secret("hf_token", "HF_TOKEN", None, False)),
    ("type=secret,id=npmrc,target=/root/.npmrc", ds.Secret("npmrc", None, "/root/.npmrc", False)),
    ("type=secret,id=pip,required", ds.Secret("pip", None, "/run/secrets/pip", True)),
    ("type=secret,id=a,required=false", ds.Secret("a", None, "/run/secrets/a", False)),
    ("type=secret,target=/run/secrets/token", ds.Secret("token", None, "/run/secrets/token",
                                                         False)),
    ("type=secret,src=s3,target=/root/.aws/credentials",
     ds.Secret("s3", None, "/root/.aws/credentials", False)),
    ("type=secret,source=gpg,env=GPG_KEY,target=/k", ds.Secret("gpg", "GPG_KEY", "/k", False)),
])
def test_secret(spec: str, expected: ds.Secret) -> None:
    assert ds.secret(ds.parse_mount(spec)) == expected


def test_secrets_of_a_run() -> None:
    run = one("RUN --mount=type=cache,target=/c --mount=type=secret,id=a,env=A "
              "--mount=type=secret,id=b x\n")
    assert [s.id for s in ds.secrets(run)] == ["a", "b"]
    assert ds.secret(ds.parse_mount("type=cache,target=/c")) is None


# --- variables --------------------------------------------------------------------------------

@pytest.mark.parametrize("word, names", [
    ("$X", ("X",)), ("${X}", ("X",)), ("a${X:-w}b", ("X",)), ("${X:+w}", ("X",)),
    ("${X-w}", ("X",)), ("${X:-${Y}}$Z", ("X", "Y", "Z")), ("\\$X", ()), ("'$X'", ()),
    ('"$X"', ("X",)), ("$1 $", ()), ("${X}${X}", ("X",)), ("${X#*.}", ("X",)),
])
def test_references(word: str, names: tuple[str, ...]) -> None:
    assert ds.references(word) == names


def test_references_with_backtick_escape() -> None:
    assert ds.references("`$X $Y", escape="`") == ("Y",)
    assert ds.references("\\$X", escape="`") == ("X",)


@pytest.mark.parametrize("word, expected", [
    ("${X}", "1"), ("${E:-w}", "w"), ("${E-w}", ""), ("${U-w}", "w"), ("${X:+w}", "w"),
    ("${E:+w}", ""), ("${E+w}", "w"), ("${U+w}", ""), ("${U:-${X}0}", "10"), ("'$X'", "$X"),
    ('"a $X"', "a 1"), ("\\$X", "$X"), ('"\\"$X\\""', '"1"'), ("$U", ""), ("a\\ b", "a b"),
])
def test_expand(word: str, expected: str) -> None:
    assert ds.expand(word, {"X": "1", "E": ""}) == expected


@pytest.mark.parametrize("word", ["${X:?must be set}", "${X", "${X#pat}", "'open", "${}"])
def test_expand_errors(word: str) -> None:
    with pytest.raises(ds.ExpansionError):
        ds.expand(word, {})


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
    df = ds.parse(text if text.startswith(("FROM", "ARG")) else "FROM a\n" + text)
    assert ds.uses(df.instructions[-1]) == names


def test_automatic_platform_args() -> None:
    assert ds.AUTOMATIC_ARGS == {"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
                                 "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT"}
    assert "RUN" not in ds.EXPANDS and {"FROM", "COPY", "ARG", "ONBUILD"} <= ds.EXPANDS


# --- the functions of mkgen.dockerfile --------------------------------------------------------

STEPS = """\
# build
RUN apt-get update \\
    && apt-get install -y git
COPY --from=build /out /app
RUN --mount=type=bind,from=deps,target=/d --mount=type=secret,id=tok x
ARG A=1 B
WORKDIR /app"""


def test_compat_agrees_with_the_old_splitter_where_it_was_right() -> None:
    assert [(o, ds.keyword(t)) for o, t in ds.instructions(STEPS)] == [
        (o, old.keyword(t)) for o, t in old.instructions(STEPS)]
    for (_, new), (_, was) in zip(ds.instructions(STEPS), old.instructions(STEPS), strict=True):
        assert ds.stage_references(new) == old.stage_references(was)
        assert ds.secret_ids(new) == old.secret_ids(was)
        assert ds.declared_args(new) == old.declared_args(was)


def test_compat_keeps_unknown_keywords_and_never_reads_heredoc_bodies() -> None:
    text = "RUNN x\nRUN <<EOF\nFROM x\nCOPY --from=evil a b\nEOF\nUSER app"
    assert ds.instructions(text) == [(0, "RUNN x"), (1, "RUN <<EOF"), (5, "USER app")]
    assert ds.INSTRUCTIONS == old.INSTRUCTIONS


def test_compat_improvements() -> None:
    assert ds.declared_args('ARG A="x y" B') == ["A", "B"]
    assert ds.secret_ids("RUN --mount=type=secret,target=/run/secrets/npm_token x") == ["npm_token"]
    assert ds.stage_references('COPY --chown=a --from="build" x y') == ["build"]
    assert ds.stage_references("COPY a b --from=x") == []
    assert ds.instructions("RUN a \\\n\n  b\nRUN c \\") == [(0, "RUN a   b"), (3, "RUN c ")]


# --- the corpus: claims ------------------------------------------------------------------------

def _covers(path: Path) -> set[int]:
    m = re.search(r"^# Covers: ([\d, ]+)$", path.read_text(), re.MULTILINE)
    assert m, f"{path.name} has no '# Covers:' line"
    return {int(n) for n in m.group(1).split(",")}


class Stage:
    def __init__(self, index: int, base: ds.Instruction) -> None:
        self.index, self.base, self.body = index, base, []  # type: list[ds.Instruction]
        self.clause = ds.from_clause(base)
        self.parent: Stage | None = None

    def lineage(self) -> list[Stage]:
        return [self] + (self.parent.lineage() if self.parent else [])

    def declared(self) -> set[str]:
        return {d.name for i in self.body for d in ds.arg_declarations(i)}

    def env_names(self) -> set[str]:
        return {k for i in self.body if i.keyword == "ENV" for k, _ in ds.env_pairs(i)}


def _split(df: ds.Dockerfile) -> tuple[list[ds.ArgDecl], list[Stage]]:
    globals_: list[ds.ArgDecl] = []
    stages: list[Stage] = []
    for ins in df.instructions:
        if ins.keyword == "FROM":
            stages.append(Stage(len(stages), ins))
        elif stages:
            stages[-1].body.append(ins)
        else:
            globals_ += ds.arg_declarations(ins)
    env = _global_env(globals_, df.escape)
    for stage in stages:
        stage.parent = _stage_named(ds.expand(stage.clause.image, env, df.escape), stages,
                                    stage.index)
    return globals_, stages


def _global_env(decls: list[ds.ArgDecl], escape: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for decl in decls:
        env[decl.name] = decl.value(env, escape) or ""
    return env


def _stage_named(ref: str, stages: list[Stage], before: int) -> Stage | None:
    if ref.isdigit():
        return stages[int(ref)] if int(ref) < before else None
    return next((s for s in stages[:before] if s.clause.key == ref.lower()), None)


def _references(stage: Stage) -> list[str]:
    refs = [v for i in stage.body for v in i.flag_values("from")]
    return refs + [m.get("from") or "" for i in stage.body for m in ds.mounts(i) if m.get("from")]


def _inherits(stage: Stage) -> bool:
    """Item 6: the stage uses a name its parent stage declared with ARG, or ENV set."""
    env: set[str] = {n for s in stage.lineage()[1:] for n in s.env_names()}
    parent_args = {n for s in stage.lineage()[1:] for n in s.declared()}
    for ins in stage.body:
        used = set(ds.uses(ins)) - stage.declared()
        if used & (env | parent_args - ds.AUTOMATIC_ARGS):
            return True
        env |= {k for k, _ in ds.env_pairs(ins)} if ins.keyword == "ENV" else set()
    return False


def _stage_reference_shapes(df: ds.Dockerfile, stages: list[Stage],
                            globals_: list[ds.ArgDecl]) -> bool:
    """Item 7: a stage named by index, in another case, or through an ARG."""
    env = _global_env(globals_, df.escape)
    for stage in stages:
        for ref in _references(stage) + [stage.clause.image]:
            expanded = ds.expand(ref, env, df.escape)
            if ref.isdigit() or (ref != expanded and _stage_named(expanded, stages, stage.index)):
                return True
            target = _stage_named(ref, stages, stage.index)
            if target and target.clause.name != ref:
                return True
    return False


def _undeclared_use(stage: Stage, args: set[str]) -> bool:
    """Item 13: a stage uses an ARG of the file that neither it nor its parents declare."""
    known = {n for s in stage.lineage() for n in s.declared() | s.env_names()}
    return any((set(ds.uses(i)) & args) - known for i in stage.body)


def _depends(stage: Stage, stages: list[Stage]) -> set[int]:
    """Indexes of the stages `stage` needs: its parents and what it copies or mounts from."""
    direct = [_stage_named(r, stages, stage.index) for r in _references(stage)]
    found = {s.index for s in stage.lineage()[1:]} | {s.index for s in direct if s}
    for index in list(found):
        found |= _depends(stages[index], stages)
    return found


def _order_is_free(stages: list[Stage]) -> bool:
    """Item 10: three stages or more, two of them independent, so that only the file says
    which comes first."""
    needs = [_depends(s, stages) for s in stages]
    return len(stages) >= 3 and any(i not in needs[j] for j in range(len(stages))
                                    for i in range(j))


def exhibits(df: ds.Dockerfile) -> set[int]:
    """The items 1-13 of the adoption issue that a parsed Dockerfile actually shows."""
    globals_, stages = _split(df)
    every_arg = globals_ + [d for s in stages for i in s.body for d in ds.arg_declarations(i)]
    all_uses = {n for i in df.instructions for n in ds.uses(i, df.escape)}
    builtins = {v.name for v in builtin_variables(Project(name="x"))}
    args = {d.name for d in every_arg}
    found = {
        1: any("$" in (s.clause.platform or "") for s in stages),
        2: any(i.heredocs for i in df.instructions),
        3: bool(all_uses & ds.AUTOMATIC_ARGS),
        4: any(d.default and ds.references(d.default, df.escape) for d in every_arg),
        5: any(ds.secrets(i) for i in df.instructions),
        6: any(_inherits(s) for s in stages),
        7: _stage_reference_shapes(df, stages, globals_),
        8: bool(df.warnings),
        9: bool(df.directives),
        10: _order_is_free(stages),
        11: any(s.clause.name is None for s in stages)
        or any(d.default is not None and not ds.references(d.default) and d.value({}) == ""
               for d in every_arg)
        or any(d.default is None for d in globals_),
        12: bool({d.name for d in globals_} & builtins),
        13: any(CREDENTIAL.search(d.name) for d in every_arg)
        or any(_undeclared_use(s, args) for s in stages),
    }
    return {item for item, shown in found.items() if shown}


def test_corpus_size() -> None:
    assert len(CASES) >= 28
    assert 3 <= len(REJECTED) <= 4


@pytest.mark.parametrize("path", CASES + REJECTED, ids=lambda p: p.name)
def test_corpus_file_is_realistic_and_says_what_it_is(path: Path) -> None:
    text = path.read_text()
    assert 10 <= len(text.splitlines()) <= 80
    head = text.split("\nFROM", 1)[0].split("\nARG", 1)[0]
    assert re.search(r"^# (Shape|Rejected): \S", head, re.MULTILINE), path.name


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_corpus_file_shows_what_it_claims(path: Path) -> None:
    claimed = _covers(path)
    assert claimed <= exhibits(ds.parse(path.read_text()))


def test_corpus_covers_every_item_several_times() -> None:
    counts = {item: sum(item in _covers(p) for p in CASES) for item in range(1, 14)}
    assert min(counts.values()) >= 2, counts


# --- the corpus: against BuildKit's parser ----------------------------------------------------

@needs_buildkit
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_agrees_with_buildkit(path: Path) -> None:
    text = path.read_text()
    ours, theirs = crosscheck.our_view(text), crosscheck.buildkit_view(text)
    for mine, buildkit in zip(ours, theirs, strict=True):
        assert mine == buildkit
    assert crosscheck.buildkit_error(text) is None


@needs_buildkit
@pytest.mark.parametrize("path", REJECTED, ids=lambda p: p.name)
def test_rejected_by_both(path: Path) -> None:
    text = path.read_text()
    assert crosscheck.our_error(text) is not None
    assert crosscheck.our_error(text) == crosscheck.buildkit_error(text)


@needs_buildkit
@pytest.mark.parametrize("text", [
    "FROM a\nCOPY --from=0 --chown=\"a b\" /x /y\nRUN --mount=type=secret,id=a\\ b x\n",
    "FROM a\nONBUILD COPY --from=x a b\nONBUILD --y=1 RUN x\n",
    "FROM a\nHEALTHCHECK NONE\nHEALTHCHECK --interval=5s CMD [\"a\",\"b\"]\nCMD []\nCMD\n",
    "FROM a\nRUN cat <<EOF <<EOF\nx\nEOF\ny\nEOF\nRUN 2<<-\"EOF\" x\n\t\tbody\n\t\tEOF\n",
    "FROM a\nRUN cat ${X:-a <<EOF}\nx\nEOF}\nRUN cat <<EOF\\ X\nx\nEOF X\n",
    "FROM a\nRUN x \\\n\\ \n y\nRUN a\\\n\\\nb\n\tRUN \\\n\t\ty\n",
    "FROM a\nARG A=\"x\\\"y\" B='a\\b' C=\\ d\nENV \"A=1\"\nLABEL a=\nMAINTAINER  a  b \n",
    "  # escape=`\nFROM a\nRUN x `\n y\n",
    "FROM a\nRUN --x=\"a\nRUN ---x e\nRUN -- --x e\nEXPOSE\t80\x0b81\n",
])
def test_edge_cases_agree_with_buildkit(text: str) -> None:
    assert crosscheck.our_view(text) == crosscheck.buildkit_view(text)
