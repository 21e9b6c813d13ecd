"""The corpus of real-project shapes (tests/adopt/cases, tests/adopt/rejected): each file says
what it models and which items of the adoption issue it covers, and the parse shows them; every
file is read by BuildKit's own parser too, which must agree instruction by instruction (or, for
tests/adopt/rejected, refuse it with the same message)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from mkgen import dockerfile_instructions as di
from mkgen import dockerfile_parser as dp
from mkgen import dockerfile_variables as dv
from mkgen.builtin_variables import builtin_variables
from mkgen.model import Project
from mkgen.validate_variables import CREDENTIAL
from tests.adopt import crosscheck

ADOPT = Path(__file__).resolve().parent
CASES = sorted((ADOPT / "cases").glob("*.Dockerfile"))
REJECTED = sorted((ADOPT / "rejected").glob("*.Dockerfile"))
needs_buildkit = pytest.mark.skipif(crosscheck.dockerfile is None,
                                    reason="the `dockerfile` package (test extra) is missing")


def _covers(path: Path) -> set[int]:
    m = re.search(r"^# Covers: ([\d, ]+)$", path.read_text(), re.MULTILINE)
    assert m, f"{path.name} has no '# Covers:' line"
    return {int(n) for n in m.group(1).split(",")}


class Stage:
    def __init__(self, index: int, base: dp.Instruction) -> None:
        self.index, self.base, self.body = index, base, []  # type: list[dp.Instruction]
        self.clause = di.from_clause(base)
        self.parent: Stage | None = None

    def lineage(self) -> list[Stage]:
        return [self] + (self.parent.lineage() if self.parent else [])

    def declared(self) -> set[str]:
        return {d.name for i in self.body for d in di.arg_declarations(i)}

    def env_names(self) -> set[str]:
        return {k for i in self.body if i.keyword == "ENV" for k, _ in di.env_pairs(i)}


def _split(df: dp.Dockerfile) -> tuple[list[di.ArgDecl], list[Stage]]:
    globals_: list[di.ArgDecl] = []
    stages: list[Stage] = []
    for ins in df.instructions:
        if ins.keyword == "FROM":
            stages.append(Stage(len(stages), ins))
        elif stages:
            stages[-1].body.append(ins)
        else:
            globals_ += di.arg_declarations(ins)
    env = _global_env(globals_, df.escape)
    for stage in stages:
        stage.parent = _stage_named(dv.expand(stage.clause.image, env, df.escape), stages,
                                    stage.index)
    return globals_, stages


def _global_env(decls: list[di.ArgDecl], escape: str) -> dict[str, str]:
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
    return refs + [m.get("from") or "" for i in stage.body for m in di.mounts(i) if m.get("from")]


def _inherits(stage: Stage) -> bool:
    """Item 6: the stage uses a name its parent stage declared with ARG, or ENV set."""
    env: set[str] = {n for s in stage.lineage()[1:] for n in s.env_names()}
    parent_args = {n for s in stage.lineage()[1:] for n in s.declared()}
    for ins in stage.body:
        used = set(dv.uses(ins)) - stage.declared()
        if used & (env | parent_args - dv.AUTOMATIC_ARGS):
            return True
        env |= {k for k, _ in di.env_pairs(ins)} if ins.keyword == "ENV" else set()
    return False


def _stage_reference_shapes(df: dp.Dockerfile, stages: list[Stage],
                            globals_: list[di.ArgDecl]) -> bool:
    """Item 7: a stage named by index, in another case, or through an ARG."""
    env = _global_env(globals_, df.escape)
    for stage in stages:
        for ref in _references(stage) + [stage.clause.image]:
            expanded = dv.expand(ref, env, df.escape)
            if ref.isdigit() or (ref != expanded and _stage_named(expanded, stages, stage.index)):
                return True
            target = _stage_named(ref, stages, stage.index)
            if target and target.clause.name != ref:
                return True
    return False


def _undeclared_use(stage: Stage, args: set[str]) -> bool:
    """Item 13: a stage uses an ARG of the file that neither it nor its parents declare."""
    known = {n for s in stage.lineage() for n in s.declared() | s.env_names()}
    return any((set(dv.uses(i)) & args) - known for i in stage.body)


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


def exhibits(df: dp.Dockerfile) -> set[int]:
    """The items 1-13 of the adoption issue that a parsed Dockerfile actually shows."""
    globals_, stages = _split(df)
    every_arg = globals_ + [d for s in stages for i in s.body for d in di.arg_declarations(i)]
    all_uses = {n for i in df.instructions for n in dv.uses(i, df.escape)}
    builtins = {v.name for v in builtin_variables(Project(name="x"))}
    args = {d.name for d in every_arg}
    found = {
        1: any("$" in (s.clause.platform or "") for s in stages),
        2: any(i.heredocs for i in df.instructions),
        3: bool(all_uses & dv.AUTOMATIC_ARGS),
        4: any(d.default and dv.references(d.default, df.escape) for d in every_arg),
        5: any(di.secrets(i) for i in df.instructions),
        6: any(_inherits(s) for s in stages),
        7: _stage_reference_shapes(df, stages, globals_),
        8: bool(df.warnings),
        9: bool(df.directives),
        10: _order_is_free(stages),
        11: any(s.clause.name is None for s in stages)
        or any(d.default is not None and not dv.references(d.default) and d.value({}) == ""
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
    assert claimed <= exhibits(dp.parse(path.read_text()))


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
