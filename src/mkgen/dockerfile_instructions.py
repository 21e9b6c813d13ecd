"""What Dockerfile instructions say: a FROM's image, name and platform, the names an ARG
declares, ENV pairs, RUN mounts and the secrets they ask for, and the stages an instruction
copies or mounts from.
"""
from __future__ import annotations

import posixpath
from collections.abc import Mapping

from mkgen.dockerfile_parser import Instruction, from_problem
from mkgen.dockerfile_variables import expand
from mkgen.records import dataclass


@dataclass(frozen=True)
class FromClause:
    image: str
    name: str | None  # as written
    platform: str | None

    @property
    def key(self) -> str | None:
        """The stage name as BuildKit keeps it: `AS Builder` is the stage `builder` (which
        `COPY --from=Builder` also finds; FROM finds it only as `builder`)."""
        return self.name.lower() if self.name is not None else None


def from_clause(ins: Instruction) -> FromClause:
    if ins.keyword != "FROM" or from_problem(ins.value):
        raise ValueError(f"not a valid FROM instruction: {ins.line!r}")
    name = ins.value[2] if len(ins.value) == 3 else None
    return FromClause(ins.value[0], name, ins.flag("platform"))


@dataclass(frozen=True)
class ArgDecl:
    name: str
    default: str | None  # as written, quotes kept: `ARG X=""` is '""', `ARG X` is None

    def value(self, env: Mapping[str, str], escape: str = "\\") -> str | None:
        """The default as BuildKit computes it: quotes removed, variables from `env`."""
        return None if self.default is None else expand(self.default, env, escape)


def arg_declarations(ins: Instruction) -> tuple[ArgDecl, ...]:
    if ins.keyword != "ARG":
        return ()
    out = []
    for word in ins.value:
        name, eq, default = word.partition("=")
        out.append(ArgDecl(name, default if eq else None))
    return tuple(out)


def env_pairs(ins: Instruction) -> tuple[tuple[str, str], ...]:
    """(name, value as written) of ENV and LABEL, in either form (`K=v ...`, `K v w`)."""
    if ins.keyword not in ("ENV", "LABEL"):
        return ()
    return tuple(zip(ins.value[::2], ins.value[1::2], strict=True))


@dataclass(frozen=True)
class Mount:
    fields: tuple[tuple[str, str | None], ...]  # in order; keys lower-case; None: bare key

    def get(self, key: str) -> str | None:
        return next((v for k, v in self.fields if k == key), None)

    def has(self, key: str) -> bool:
        return any(k == key for k, _ in self.fields)

    @property
    def type(self) -> str:
        return self.get("type") or "bind"  # BuildKit's default mount type


def parse_mount(spec: str) -> Mount:
    """A `--mount=` value: comma-separated `key=value` fields, CSV-quoted where needed."""
    if any(c in spec for c in '"\r\n'):
        import csv  # quoted fields only: importing csv would cost every render 0.5 ms

        row = next(csv.reader([spec]), [])
    else:
        row = spec.split(",") if spec else []
    fields = []
    for item in row:
        key, eq, value = item.partition("=")
        fields.append((key.lower(), value if eq else None))
    return Mount(tuple(fields))


def mounts(ins: Instruction) -> tuple[Mount, ...]:
    return tuple(parse_mount(v) for v in ins.flag_values("mount")) if ins.keyword == "RUN" else ()


@dataclass(frozen=True)
class Secret:
    id: str  # what the build asks the client for (`docker build --secret id=...`)
    env: str | None  # the variable it is exposed as, if any
    target: str | None  # the file it is mounted at, if any
    required: bool


def secret(mount: Mount) -> Secret | None:
    """The secret a `type=secret` mount asks for; its id defaults to the target's basename."""
    if mount.type != "secret":
        return None
    target = mount.get("target") or mount.get("dst") or mount.get("destination")
    ident = (mount.get("id") or mount.get("source") or mount.get("src")
             or (posixpath.basename(target) if target else ""))
    env = mount.get("env")
    if not target and not env:
        target = f"/run/secrets/{ident}"
    required = mount.has("required") and (mount.get("required") or "true").lower() in (
        "1", "t", "true")
    return Secret(ident, env, target, required)


def secrets(ins: Instruction) -> tuple[Secret, ...]:
    found = (secret(m) for m in mounts(ins))
    return tuple(s for s in found if s is not None)


# ---------------------------------------------------------------------------------------------
# Variables: BuildKit's shell lexer (frontend/dockerfile/shell/lex.go)


@dataclass(frozen=True)
class StageReference:
    """A stage (or image) an instruction reads from: `COPY --from=`, `ADD --from=` or
    `RUN --mount=...,from=`."""

    ref: str  # as written
    kind: str  # "copy" or "mount"


def stage_references(ins: Instruction) -> tuple[StageReference, ...]:
    if ins.keyword in ("COPY", "ADD"):
        return tuple(StageReference(v, "copy") for v in ins.flag_values("from") if v)
    return tuple(StageReference(m.get("from") or "", "mount") for m in mounts(ins)
                 if m.get("from"))
