"""Just enough Dockerfile reading for validation and the stage graph.

Steps are the user's own Dockerfile text; mkgen splits them into instructions (honouring
backslash continuations and comment lines) to check keywords and find stage references.
"""
from __future__ import annotations

import re

INSTRUCTIONS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})

# Variable references: $NAME, ${NAME}, ${NAME:-word}, ${NAME:+word}; `\$` is a literal $.
_DOCKER_REF = re.compile(r"\\\$|\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\})")
_COPY_FROM = re.compile(r"^\s*(?:COPY|ADD)\b.*?--from=(\S+)", re.IGNORECASE)
_MOUNT_FROM = re.compile(r"--mount=(\S+)")


def instructions(text: str) -> list[tuple[int, str]]:
    """(line offset, instruction text) for each instruction; comments and blanks dropped."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for offset, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comment lines inside a continuation are skipped by BuildKit too
        if not pending:
            start = offset
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        out.append((start, " ".join(p.strip() for p in pending if p.strip())))
        pending = []
    if pending:
        out.append((start, " ".join(p.strip() for p in pending if p.strip())))
    return out


def keyword(instruction: str) -> str:
    return instruction.split(None, 1)[0].upper() if instruction.strip() else ""


def stage_references(instruction: str) -> list[str]:
    """Stages (or images) named by `COPY --from=` and `RUN --mount=...,from=`."""
    found: list[str] = []
    m = _COPY_FROM.match(instruction)
    if m:
        found.append(m.group(1))
    if keyword(instruction) == "RUN":
        for mount in _MOUNT_FROM.findall(instruction):
            for field in mount.split(","):
                key, _, value = field.partition("=")
                if key.strip() == "from" and value:
                    found.append(value.strip())
    return found


def secret_ids(instruction: str) -> list[str]:
    """Ids of the secrets `RUN --mount=type=secret,id=...` mounts (the id defaults to the
    target's basename in BuildKit; mkgen asks for an explicit id, which is what it passes)."""
    if keyword(instruction) != "RUN":
        return []
    found = []
    for mount in _MOUNT_FROM.findall(instruction):
        fields = dict(f.strip().partition("=")[::2] for f in mount.split(","))
        if fields.get("type") == "secret" and fields.get("id"):
            found.append(fields["id"])
    return found


def declared_args(instruction: str) -> list[str]:
    """Names an `ARG` instruction declares (`ARG A=1 B`)."""
    if keyword(instruction) != "ARG":
        return []
    names = []
    for word in instruction.split()[1:]:
        names.append(word.split("=", 1)[0])
    return names


def variable_refs(text: str) -> list[str]:
    """Names of the build args / env vars a Dockerfile instruction text refers to."""
    return [m.group(1) or m.group(2) for m in _DOCKER_REF.finditer(text)
            if m.group(1) or m.group(2)]
