"""Hypothesis strategies that assemble random multi-stage Dockerfiles from the features real
projects use: parser directives (the backtick escape too), global and stage ARG chains with
empty and missing defaults, `FROM --platform=...`, named (mixed-case) and unnamed stages, stage
references by name in another case (COPY, mounts) and by index, secret/cache/bind mounts,
heredocs (several per instruction, `<<-`, quoted delimiters, bodies with near-miss
terminators) and continuation lines holding blank and comment lines.

Each example also says what it put where (stage names, heredocs), so a test can check
the parse against the generator as well as against BuildKit. The generator stays inside what
BuildKit's current parser and the v0.12.5 one in the `dockerfile` package read the same way:
ASCII flags, no JSON list followed by more text, `# check=` never before a backtick escape.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

IMAGES = ["alpine:3.20", "debian:bookworm-slim", "golang:1.23", "nvidia/cuda:12.4.1-base",
          "ghcr.io/org/tool@sha256:" + "a" * 64, "scratch"]
PLATFORMS = ["$BUILDPLATFORM", "${BUILDPLATFORM}", "${TARGETPLATFORM:-linux/amd64}",
             "linux/arm64"]
AUTOMATIC = ["TARGETOS", "TARGETARCH", "TARGETPLATFORM", "BUILDPLATFORM", "TARGETVARIANT"]

names = st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True)
arg_names = st.from_regex(r"[A-Z][A-Z0-9_]{0,6}", fullmatch=True)
# Words of shell text: no quotes or escapes that could end a line or leave a quote open.
plain_words = st.from_regex(r"[a-z0-9./:=_-]{1,8}", fullmatch=True)
delimiters = st.sampled_from(["EOF", "EOT", "SCRIPT", "end", "robots.txt", "PY"])


def mixed_case(draw: st.DrawFn, name: str) -> str:
    """The name as written somewhere else: BuildKit matches stage names in any case."""
    return draw(st.sampled_from([name, name.upper(), name.capitalize(), name.swapcase()]))


@dataclass
class Generated:
    escape: str = "\\"
    lines: list[str] = field(default_factory=list)
    stages: list[str | None] = field(default_factory=list)  # names as written
    # Every heredoc, in order: (delimiter, strips tabs, quoted, body).
    heredocs: list[tuple[str, bool, bool, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.lines)


@st.composite
def directives(draw: st.DrawFn, out: Generated) -> None:
    escape = draw(st.sampled_from(["", "\\", "`"]))
    found = []
    if draw(st.booleans()):
        found.append(f"# syntax=docker/dockerfile:{draw(st.sampled_from(['1', '1.7', '1.10']))}")
    if escape:
        found.append(draw(st.sampled_from([f"# escape={escape}", f"#escape = {escape}"])))
        out.escape = escape
    if draw(st.booleans()):
        check = "# check=skip=SecretsUsedInArgOrEnv;error=true"
        # BuildKit v0.12.5 stops reading directives at `check`; put it last unless harmless.
        at = len(found) if out.escape == "`" else draw(st.integers(0, len(found)))
        found.insert(at, check)
    out.lines += [line + "\n" for line in found]


@st.composite
def continued(draw: st.DrawFn, out: Generated, words: list[str]) -> str:
    """`words` as one instruction, maybe spread over continuation lines with blank and
    comment lines among them; ends with a line end."""
    text = words[0]
    for word in words[1:]:
        if draw(st.integers(0, 3)) == 0:
            gap = draw(st.sampled_from(["", "\n", "    # why this flag\n", "\n\n", "  \t\n"]))
            text += f" {out.escape}\n{gap}    {word}"
        else:
            text += f" {word}"
    return text + "\n"


@st.composite
def arg_line(draw: st.DrawFn, known: list[str], unique: bool = False) -> str:
    """An ARG line; `unique`: each name new (global ARGs, which mkgen writes once each)."""
    decls = []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(arg_names.filter(lambda n: not unique or n not in known))
        default = draw(st.sampled_from(["none", "empty", "plain", "quoted", "chain", "escapes"]))
        if default == "chain" and known:
            decls.append(f"{name}={draw(plain_words)}-${{{draw(st.sampled_from(known))}}}")
        elif default == "escapes":  # a Windows path, an escaped `$`, a backtick
            decls.append(draw(st.sampled_from([f"{name}=C:\\{draw(plain_words)}",
                                               f"{name}=\\$HOME", f'{name}="a`b \\"c\\""'])))
        elif default == "plain":
            decls.append(f"{name}={draw(plain_words)}")
        elif default == "quoted":
            decls.append(f'{name}="{draw(plain_words)} {draw(plain_words)}"')
        else:
            decls.append(f'{name}=""' if default == "empty" else name)
        known.append(name)
    return "ARG " + " ".join(decls)


@st.composite
def from_line(draw: st.DrawFn, out: Generated, globals_: list[str]) -> list[str]:
    words = ["FROM"]
    if draw(st.booleans()):
        words.append(f"--platform={draw(st.sampled_from(PLATFORMS + _refs(globals_)))}")
    choices = [*IMAGES, *_refs(globals_)]
    named = [n for n in out.stages if n]
    if named and draw(st.booleans()):
        # A FROM finds a stage by its lower-case name only (COPY --from in any case).
        words.append(draw(st.sampled_from(named)).lower())
    else:
        words.append(draw(st.sampled_from(choices)))
    name = None
    if draw(st.integers(0, 3)):
        name = mixed_case(draw, draw(names.filter(lambda n: n not in map(_lower, out.stages))))
        words += [draw(st.sampled_from(["AS", "as", "As"])), name]
    out.stages.append(name)
    return words


def _refs(globals_: list[str]) -> list[str]:
    return [f"${{{g}}}" for g in globals_]


def _lower(name: str | None) -> str | None:
    return name.lower() if name else None


@st.composite
def mount_flags(draw: st.DrawFn, out: Generated) -> list[str]:
    flags = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["secret", "cache", "bind"]))
        if kind == "secret":
            spec = f"type=secret,id={draw(names)}"
            spec += draw(st.sampled_from(["", f",env={draw(arg_names)}", ",target=/run/s/x",
                                          ",required=true", ",required"]))
        elif kind == "cache":
            spec = f"type=cache,target=/root/.cache/{draw(names)},sharing=locked"
        else:
            spec = f"type=bind,target=/mnt,{_from_field(draw, out)}source=/"
        flags.append(f"--mount={spec}")
    return flags


def _from_field(draw: st.DrawFn, out: Generated) -> str:
    earlier = [n for n in out.stages[:-1] if n]
    return f"from={mixed_case(draw, draw(st.sampled_from(earlier)))}," if earlier else ""


@st.composite
def heredoc(draw: st.DrawFn, out: Generated) -> tuple[str, str]:
    """(the `<<WORD` on the instruction line, the lines after it up to the terminator)."""
    name = draw(delimiters)
    strip = draw(st.booleans())
    quote = draw(st.sampled_from(["", "'", '"']))
    tricky = [f"{name} ", f" {name}", f"{name}x", "FROM evil", "RUN echo $HOME \\",
              f"{out.escape}", '"unclosed']
    lines = draw(st.lists(st.one_of(st.sampled_from(tricky), plain_words,
                                    st.just("echo ${TARGETARCH} '$KEEP'")), max_size=4))
    lines = [line for line in lines if line != name]  # that line would end the heredoc
    tabs = ["\t" * draw(st.integers(0, 2)) if strip else "" for _ in lines]
    body = "".join(f"{t}{line}\n" for t, line in zip(tabs, lines, strict=True))
    out.heredocs.append((name, strip, bool(quote), body))
    terminator = ("\t" if strip and draw(st.booleans()) else "") + name
    return f"<<{'-' if strip else ''}{quote}{name}{quote}", body + terminator + "\n"


@st.composite
def run_line(draw: st.DrawFn, out: Generated, known: list[str]) -> str:
    words = ["RUN", *draw(mount_flags(out))]
    docs = [draw(heredoc(out)) for _ in range(draw(st.integers(0, 2)))]
    command = [draw(plain_words), f"${{{draw(st.sampled_from(known + AUTOMATIC))}}}",
               draw(st.sampled_from(["'$KEEP'", '"a b"', "&&", "x"]))]
    if docs and draw(st.booleans()):
        words += [docs[0][0], "cat", *(d[0] for d in docs[1:]), *command]
    else:
        words += [*command, *(d[0] for d in docs)]
    return draw(continued(out, words)) + "".join(d[1] for d in docs)


@st.composite
def copy_line(draw: st.DrawFn, out: Generated) -> str:
    words = ["COPY"]
    earlier = [(i, n) for i, n in enumerate(out.stages[:-1])]
    if earlier and draw(st.booleans()):
        index, name = draw(st.sampled_from(earlier))
        ref = mixed_case(draw, name) if name and draw(st.booleans()) else str(index)
        words.append(f"--from={ref}")
    words += draw(st.sampled_from([[], ["--link"], ["--chmod=755"], ["--chown=1000:1000"]]))
    if draw(st.booleans()):
        doc = draw(heredoc(out))
        return draw(continued(out, [*words, doc[0], "/etc/app.conf"])) + doc[1]
    return draw(continued(out, [*words, draw(plain_words), "/app/"]))


@st.composite
def step(draw: st.DrawFn, out: Generated, known: list[str]) -> str:
    kind = draw(st.sampled_from(["run", "run", "copy", "arg", "env", "other"]))
    if kind == "run":
        return draw(run_line(out, known))
    if kind == "copy":
        return draw(copy_line(out))
    if kind == "arg":
        return draw(st.sampled_from([f"ARG {a}\n" for a in AUTOMATIC])) if draw(
            st.booleans()) else draw(arg_line(known)) + "\n"
    if kind == "env":
        name, value = draw(arg_names), draw(plain_words)
        known.append(name)
        return draw(st.sampled_from([f'ENV {name}="{value} x" PATH=/x:$PATH\n',
                                     f"ENV {name} {value} more words\n"]))
    return draw(st.sampled_from([
        "WORKDIR /app\n", "USER 1000:1000\n", "EXPOSE 8080 9090/udp\n",
        'CMD ["/app", "--port", "8080"]\n', "ENTRYPOINT /bin/sh -c start\n",
        "HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1\n",
        "LABEL org.opencontainers.image.title=\"app\" version=1\n"]))


@st.composite
def dockerfiles(draw: st.DrawFn) -> Generated:
    out = Generated()
    draw(directives(out))
    globals_: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        out.lines.append(draw(arg_line(globals_, unique=True)) + "\n")
    if draw(st.booleans()):
        out.lines.append("\n# stages\n")
    for _ in range(draw(st.integers(1, 4))):
        out.lines.append(draw(continued(out, draw(from_line(out, globals_)))))
        known = list(globals_)
        for _ in range(draw(st.integers(0, 4))):
            out.lines.append(draw(step(out, known)))
        out.lines.append(draw(st.sampled_from(["", "\n", "# next\n"])))
    return out
