"""Checks of a rendered Dockerfile through BuildKit's own parser (the `dockerfile` package)."""
from __future__ import annotations

import dockerfile


def stage_order(text: str) -> list[str]:
    """The stage names of `text` in file order, after checking with BuildKit's parser that
    each FROM, COPY --from and RUN --mount=...,from= naming a stage names an earlier one."""
    commands = dockerfile.parse_string(text)
    every = {c.value[2] for c in commands if c.cmd == "FROM"}
    names: list[str] = []
    for command in commands:
        if command.cmd == "FROM":
            base, as_word, name = command.value
            assert as_word.upper() == "AS", command.original
            assert name not in names, f"stage {name} is declared twice"
            assert base not in every or base in names, f"{name} is built from a later {base}"
            names.append(name)
        for ref in references(command):
            assert ref not in every or ref in names[:-1], f"{names[-1]} uses a later {ref}"
    return names


def references(command: dockerfile.Command) -> list[str]:
    """Stages or images a COPY/ADD --from= or RUN --mount=...,from= names."""
    out = []
    for flag in command.flags:
        if command.cmd in ("COPY", "ADD") and flag.startswith("--from="):
            out.append(flag[len("--from="):])
        if command.cmd == "RUN" and flag.startswith("--mount="):
            fields = dict(f.partition("=")[::2] for f in flag[len("--mount="):].split(","))
            if "from" in fields:
                out.append(fields["from"])
    return out
