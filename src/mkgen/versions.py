"""PEP 440 versions and version specifiers: the part `requires:` needs, matched like pip does.

Operators `==`, `!=`, `<=`, `>=`, `<`, `>`, `~=`, `===`, clauses joined by `,`, and `.*`
wildcards after `==` and `!=`. mkgen matches its own, installed version, so a pre-release
matches like any other version (PEP 440: installed versions are not filtered), except where
the operators themselves exclude one (`<2` excludes 2.0.0rc1, `>1.0` excludes 1.0.post1),
as `packaging` 26 reads PEP 440.

Written here rather than taken from the `packaging` library: mkgen would gain a dependency
that pre-commit downloads into every hook environment, and an import that costs more than
this whole module; tests/unit/test_versions.py checks these rules against `packaging`.
"""
from __future__ import annotations

import re

from mkgen.records import dataclass, replace

# PEP 440's appendix, with its alternative spellings (1.0-RC1, v1.0, 1.0.post-1, 1.0-1).
_VERSION = re.compile(r"""
    v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?:[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
    (?:-(?P<post_n1>[0-9]+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?)?
    (?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    """, re.VERBOSE | re.IGNORECASE)
_PRE = {"alpha": "a", "a": "a", "beta": "b", "b": "b", "c": "rc", "pre": "rc", "preview": "rc",
        "rc": "rc"}
_CLAUSE = re.compile(r"^\s*(===|~=|==|!=|<=|>=|<|>)\s*(\S+?)\s*$")

_PRE_RANK = {"a": 0, "b": 1, "rc": 2}


class VersionError(ValueError):
    """Text that is not a PEP 440 version or specifier; the message says what is wrong."""


@dataclass(frozen=True)
class Version:
    """A parsed PEP 440 version."""

    text: str
    epoch: int
    release: tuple[int, ...]
    pre: tuple[str, int] | None
    post: int | None
    dev: int | None
    local: tuple[int | str, ...]

    @property
    def is_prerelease(self) -> bool:
        return self.pre is not None or self.dev is not None

    @property
    def public(self) -> Version:
        return Version(self.text.split("+")[0], self.epoch, self.release, self.pre, self.post,
                       self.dev, ())

    def key(self) -> tuple[object, ...]:
        """Sorts versions as PEP 440 orders them: 1.0.dev0 < 1.0a1 < 1.0rc1 < 1.0 < 1.0+x
        < 1.0.post1 (a dev release without a pre-release sorts before its pre-releases)."""
        if self.pre is not None:
            pre = (_PRE_RANK[self.pre[0]], self.pre[1])
        else:
            pre = (-1, 0) if self.post is None and self.dev is not None else (3, 0)
        post = -1 if self.post is None else self.post
        dev = (1, 0) if self.dev is None else (0, self.dev)
        # Local labels: numbers sort after words, any label after none.
        local = (1, tuple((1, p, "") if isinstance(p, int) else (0, 0, p)
                          for p in self.local)) if self.local else (0,)
        return self.epoch, _strip_zeros(self.release), pre, post, dev, local


def _strip_zeros(release: tuple[int, ...]) -> tuple[int, ...]:
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]
    return release


def _number(text: str | None) -> int:
    return int(text) if text else 0


def parse_version(text: str) -> Version:
    m = _VERSION.fullmatch(text.strip())
    if m is None:
        raise VersionError(f"'{text}' is not a version (PEP 440: 1.1, 1.1.0rc1, 2!1.0.post1)")
    pre = (_PRE[m["pre_l"].lower()], _number(m["pre_n"])) if m["pre_l"] else None
    post = None
    if m["post_n1"] or m["post_l"]:
        post = _number(m["post_n1"] or m["post_n2"])
    local = tuple(int(p) if p.isdigit() else p.lower()
                  for p in re.split(r"[-_.]", m["local"])) if m["local"] else ()
    return Version(text.strip(), _number(m["epoch"]),
                   tuple(int(n) for n in m["release"].split(".")), pre, post,
                   _number(m["dev_n"]) if m["dev_l"] else None, local)


@dataclass(frozen=True)
class Clause:
    """One `OPERATOR VERSION` of a specifier."""

    operator: str
    version: str  # as written, `.*` included

    def matches(self, candidate: Version) -> bool:
        if self.operator == "===":
            return candidate.text.lower() == self.version.lower()
        if self.version.endswith(".*"):
            prefix = _prefix_match(parse_version(self.version[:-2]), candidate)
            return prefix if self.operator == "==" else not prefix
        if self.operator == "~=":
            return _compatible(parse_version(self.version), candidate)
        return _COMPARE[self.operator](parse_version(self.version), candidate)


def _prefix_match(prefix: Version, candidate: Version) -> bool:
    """`==1.1.*`: the candidate's release, zero-padded, starts with 1.1 (pre-releases,
    post-releases and local versions of it included)."""
    if prefix.epoch != candidate.epoch:
        return False
    size = len(prefix.release)
    padded = candidate.release + (0,) * max(0, size - len(candidate.release))
    return padded[:size] == prefix.release


def _compatible(spec: Version, candidate: Version) -> bool:
    """`~=1.4.2` is `>=1.4.2, ==1.4.*`."""
    stem = Version("", spec.epoch, spec.release[:-1], None, None, None, ())
    return candidate.public.key() >= spec.key() and _prefix_match(stem, candidate)


def _equal(spec: Version, candidate: Version) -> bool:
    # A local label in the candidate is ignored unless the specifier names one.
    return (candidate if spec.local else candidate.public).key() == spec.key()


def _less(spec: Version, candidate: Version) -> bool:
    # `<2` does not let 2.0.0rc1 in: below a final release means below its first
    # pre-release (2.dev0); a pre-release bound is taken as written.
    bound = spec if spec.is_prerelease else _replace(spec, dev=0)
    return candidate.key() < bound.key()


def _greater(spec: Version, candidate: Version) -> bool:
    # `>1.0` lets neither 1.0+local nor 1.0.post1 in: above a release means above all of
    # its post-releases; above 1.0.post1 means 1.0.post2.dev0 or later.
    if spec.dev is not None:
        return candidate.key() >= _replace(spec, dev=spec.dev + 1).key()
    if spec.post is not None:
        return candidate.key() >= _replace(spec, post=spec.post + 1, dev=0).key()
    stem = (spec.epoch, _strip_zeros(spec.release), spec.pre)
    return (candidate.key() > spec.key()
            and (candidate.epoch, _strip_zeros(candidate.release), candidate.pre) != stem)


def _replace(version: Version, **changes: object) -> Version:
    return replace(version, local=(), **changes)


_COMPARE = {
    "==": _equal,
    "!=": lambda spec, candidate: not _equal(spec, candidate),
    "<=": lambda spec, candidate: candidate.public.key() <= spec.key(),
    ">=": lambda spec, candidate: candidate.public.key() >= spec.key(),
    "<": _less,
    ">": _greater,
}


def _clause(text: str) -> Clause:
    m = _CLAUSE.match(text)
    if m is None:
        raise VersionError(f"'{text.strip()}' is not a version clause: write an operator "
                           "(==, !=, <=, >=, <, >, ~=) and a version, e.g. >=1.1, and join "
                           "clauses with commas")
    operator, version = m.groups()
    if operator == "===":
        return Clause(operator, version)
    wildcard = version.endswith(".*")
    if wildcard and operator not in ("==", "!="):
        raise VersionError(f"'{text.strip()}': a .* wildcard only follows == or !=")
    parsed = parse_version(version[:-2] if wildcard else version)
    if wildcard and (parsed.pre or parsed.post is not None or parsed.dev is not None
                     or parsed.local):
        raise VersionError(f"'{text.strip()}': a .* wildcard follows release numbers only")
    if parsed.local and operator not in ("==", "!="):
        raise VersionError(f"'{text.strip()}': a local version (+...) only follows == or !=")
    if operator == "~=" and len(parsed.release) < 2:
        raise VersionError(f"'{text.strip()}': ~= needs two numbers or more, e.g. ~=1.1")
    return Clause(operator, version)


@dataclass(frozen=True)
class Specifier:
    """Comma-joined clauses; a version matches when it matches every one."""

    text: str
    clauses: tuple[Clause, ...]

    def matches(self, version: str) -> bool:
        candidate = parse_version(version)
        return all(c.matches(candidate) for c in self.clauses)


def parse_specifier(text: str) -> Specifier:
    """`>=1.1,<2` and the like; VersionError says what is wrong with anything else."""
    parts = [part for part in text.split(",") if part.strip()]  # `>=1.1,` is `>=1.1`, as in pip
    if not parts:
        raise VersionError("empty: write a version specifier, e.g. >=1.1,<2")
    return Specifier(text.strip(), tuple(_clause(part) for part in parts))
