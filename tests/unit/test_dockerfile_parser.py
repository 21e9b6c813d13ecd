"""mkgen.dockerfile_parser (with dockerfile_words and dockerfile_heredocs): Dockerfile syntax
as BuildKit reads it, with exact expected values for each feature. tests/adopt checks the same
parser against BuildKit's own on a corpus of real-project shapes and on random files."""
from __future__ import annotations

import pytest

from mkgen.dockerfile_heredocs import Heredoc
from mkgen.dockerfile_instructions import FromClause, from_clause
from mkgen.dockerfile_parser import (
    Directive,
    DockerfileSyntaxError,
    Instruction,
    ParseWarning,
    parse,
    parse_steps,
)
from mkgen.dockerfile_words import Flag


def one(text: str) -> Instruction:
    """The instruction after `FROM a` in `FROM a\\n` + text."""
    return parse("FROM a\n" + text).instructions[1]


def error(text: str) -> tuple[int, str]:
    with pytest.raises(DockerfileSyntaxError) as info:
        parse(text)
    return info.value.line, info.value.message


# --- lines, continuations, comments ----------------------------------------------------------

def test_instructions_keep_lines_and_source() -> None:
    text = "# comment\nFROM alpine AS base\n\n  run echo a \\\n    && echo b\nCMD [\"sh\"]"
    df = parse(text)
    assert [(i.keyword, i.start_line, i.end_line) for i in df.instructions] == [
        ("FROM", 2, 2), ("RUN", 4, 5), ("CMD", 6, 6)]
    run = df.instructions[1]
    assert run.line == "run echo a     && echo b"
    assert run.value == ("echo a     && echo b",)
    assert run.source == "  run echo a \\\n    && echo b\n"
    assert df.instructions[2].source == 'CMD ["sh"]'
    assert "".join(df.lines) == text


def test_comment_and_blank_lines_inside_a_continuation() -> None:
    df = parse("FROM a\nRUN apt-get install \\\n  # tools\n\n    git \\\n  \n    curl\n")
    run = df.instructions[1]
    assert (run.line, run.start_line, run.end_line) == ("RUN apt-get install     git     curl",
                                                        2, 7)
    assert run.source.count("\n") == 6
    assert df.warnings == (ParseWarning(4, "empty continuation line"),
                           ParseWarning(6, "empty continuation line"))


def test_escaped_escape_at_line_end_is_no_continuation() -> None:
    df = parse("FROM a\nRUN echo a\\\\\nRUN echo b\n")
    assert [i.value for i in df.instructions[1:]] == [("echo a\\\\",), ("echo b",)]


def test_continuation_with_trailing_blanks_and_a_lone_escape_line() -> None:
    assert one("RUN x\\ \t\ny\n").line == "RUN xy"
    assert one("RUN a\\\n\\\nb\n").value == ("ab",)


def test_continuation_at_end_of_file_is_accepted() -> None:
    run = one("RUN echo \\")
    assert (run.line, run.value, run.end_line) == ("RUN echo ", ("echo",), 2)


def test_crlf_and_byte_order_mark() -> None:
    df = parse("\ufeffFROM a\r\nRUN b \\\r\n c\r\n")
    assert [i.line for i in df.instructions] == ["FROM a", "RUN b  c"]
    assert df.instructions[0].source == "\ufeffFROM a\r\n"


def test_lower_case_keywords() -> None:
    df = parse("from a as Build\nrun echo\n")
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN"]
    assert from_clause(df.instructions[0]) == FromClause("a", "Build", None)


# --- parser directives and the escape character ----------------------------------------------

def test_directives_at_the_top() -> None:
    df = parse("# syntax=docker/dockerfile:1.10\n#escape = `  \n# check=skip=all\nFROM a\n")
    assert df.directives == (Directive("syntax", "docker/dockerfile:1.10", 1),
                             Directive("escape", "`", 2),
                             Directive("check", "skip=all", 3))
    assert (df.escape, df.directive("check"), df.directive("nope")) == ("`", "skip=all", None)


@pytest.mark.parametrize("text", ["\n# escape=`\nFROM a\n", "# hello\n# escape=`\nFROM a\n",
                                  "FROM a\n# escape=`\n", "# foo=bar\n# escape=`\nFROM a\n"])
def test_directives_end_at_the_first_other_line(text: str) -> None:
    df = parse(text)
    assert (df.directives, df.escape) == ((), "\\")


def test_check_directive_before_escape_still_counts() -> None:
    # Current BuildKit knows `check`; v0.12.5 (the `dockerfile` package) stopped at it.
    df = parse("# check=error=true\n# escape=`\nFROM a\nRUN x `\n y\n")
    assert df.instructions[1].line == "RUN x  y"


def test_backtick_escape_keeps_backslashes() -> None:
    df = parse("# escape=`\nFROM a\nRUN dir C:\\ `\n    /s\nCOPY a C:\\b\\\n")
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
    ("ARG A=1\nRUN echo\nFROM a\n", (2, "no build stage in current context")),
])
def test_errors_buildkit_raises(text: str, expected: tuple[int, str]) -> None:
    assert error(text) == expected


def test_parser_errors_come_before_instruction_errors() -> None:
    # BuildKit parses the whole file before it checks instructions.
    assert error("FROM a\nFOO bar\nRUN <<EOF\n") == (3, "unterminated heredoc")


# --- flags and arguments ----------------------------------------------------------------------

def test_flags_in_order_with_quotes_and_bare_names() -> None:
    copy = one('COPY --from=0 --chown="app user" --link /src /dst\n')
    assert copy.flags == (Flag("from", "0"), Flag("chown", "app user"), Flag("link", None))
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


# --- heredocs ---------------------------------------------------------------------------------

def test_run_heredoc() -> None:
    df = parse("FROM a\nRUN <<EOF\nset -e\necho $HOME\nEOF\nCMD x\n")
    run = df.instructions[1]
    assert run.heredocs == (Heredoc("EOF", "set -e\necho $HOME\n", False, False, 0, 3, 5),)
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
    df = parse("FROM a\nRUN <<EOF\nFROM evil\nRUN rm -rf /\nEOF\nUSER app\n")
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN", "USER"]


def test_terminator_must_be_the_whole_line() -> None:
    run = one("RUN cat <<EOF\nEOF  \n  EOF\nEOF\n")
    assert run.heredocs[0].body == "EOF  \n  EOF\n"


def test_heredocs_only_where_buildkit_reads_them() -> None:
    df = parse('FROM a\nENV A=<<EOF\nRUN ["cat", "<<EOF"]\nRUN echo "<<EOF"\nUSER x\n')
    assert [i.heredocs for i in df.instructions] == [()] * 5


def test_onbuild_heredoc() -> None:
    ins = one("ONBUILD RUN <<EOF\necho hi\nEOF\n")
    assert ins.trigger is not None and ins.trigger.keyword == "RUN"
    assert ins.heredocs == ins.trigger.heredocs == (
        Heredoc("EOF", "echo hi\n", False, False, 0, 3, 4),)


def test_an_unclosed_quote_hides_heredocs_as_in_buildkit() -> None:
    assert error("FROM a\nRUN echo it's <<EOF\nx\nEOF\n") == (3, "unknown instruction: x")


def test_heredoc_with_crlf_keeps_the_body_bytes() -> None:
    assert one("RUN cat <<EOF\r\nx\r\nEOF\r\n").heredocs[0].body == "x\r\n"


# --- fragments: a stage's steps ----------------------------------------------------------------

def test_steps_keep_unknown_keywords_and_never_read_heredoc_bodies() -> None:
    steps = parse_steps("RUNN x\nRUN <<EOF\nFROM x\nCOPY --from=evil a b\nEOF\nUSER app")
    assert [(i.keyword, i.start_line) for i in steps.instructions] == [
        ("RUNN", 1), ("RUN", 2), ("USER", 6)]
    assert steps.problems == steps.warnings == ()


def test_steps_report_what_buildkit_refuses_and_warns_about_every_time() -> None:
    steps = parse_steps("ENV A\nRUN a \\\n\n  b\nONBUILD ONBUILD RUN x\nENV B=1 C\n")
    assert steps.problems == (
        ParseWarning(1, "ENV must have two arguments"),
        ParseWarning(5, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
        ParseWarning(6, 'Syntax error - can\'t find = in "C". Must be of the form: name=value'))
    assert steps.warnings == (ParseWarning(3, "empty continuation line"),)


@pytest.mark.parametrize("text, problem", [
    ("RUN make \\", ParseWarning(1, "ends inside a line continuation ('\\' at the end of a "
                                     "line)")),
    ("RUN a \\\n  # the rest\n", ParseWarning(2, "ends inside a line continuation ('\\' at "
                                                 "the end of a line)")),
    ("RUN <<EOF\necho hi\n", ParseWarning(1, "unterminated heredoc")),
])
def test_steps_must_end_where_their_last_instruction_ends(text: str,
                                                          problem: ParseWarning) -> None:
    assert parse_steps(text).problems == (problem,)


def test_steps_with_the_backtick_escape() -> None:
    steps = parse_steps("RUN dir C:\\ `\n  /s\nRUN x `", escape="`")
    assert [i.line for i in steps.instructions] == ["RUN dir C:\\   /s", "RUN x "]
    assert [p.line for p in steps.problems] == [3]
