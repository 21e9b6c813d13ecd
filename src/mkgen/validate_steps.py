"""Validate the steps of a stage: Dockerfile text that BuildKit reads between the stage's FROM
and the next one. What BuildKit refuses is an error; what it builds but most likely not as
meant (a build argument the stage never declares, a secret no variable passes, a typo of a
stage name) is a warning.
"""
from __future__ import annotations

from mkgen.checker import Checker, did_you_mean, near_miss
from mkgen.dockerfile_instructions import (
    StageReference,
    arg_declarations,
    env_pairs,
    secrets,
    stage_references,
)
from mkgen.dockerfile_parser import (
    KEYWORDS,
    OPEN_CONTINUATION,
    UNTERMINATED_HEREDOC,
    Instruction,
    parse_steps,
)
from mkgen.dockerfile_variables import AUTOMATIC_ARGS, ExpansionError, uses
from mkgen.errors import ERROR, WARNING, Problem
from mkgen.keys import IMAGE_REF
from mkgen.loader import MarkedDict, MarkedList
from mkgen.model import Stage
from mkgen.records import dataclass
from mkgen.stage_graph import referenced_stage

STEP_KEYWORDS = sorted(KEYWORDS - {"FROM"})
# What a step's problem is about, for its hint: the text after the step would run into the
# next stage's FROM.
_SWALLOWS = "as it is, the next stage's FROM would become part of it"

Finding = tuple[str, str, str]  # message, hint, severity


def _step_at(c: Checker, node: MarkedDict, index: int, line: int, path: str,
             finding: Finding) -> None:
    """A finding at `line` (1-based) of step `index`, whether steps are a block or a list."""
    raw = node.get("steps")
    mark = raw.item_marks[index] if isinstance(raw, MarkedList) else \
        node.value_marks.get("steps", node.mark)
    message, hint, severity = finding
    c.problems.append(Problem(c.file, mark.line + line - 1, mark.col, f"{path}.steps", message,
                              hint, severity))


def _syntax_hint(message: str, escape: str) -> str:
    if message == UNTERMINATED_HEREDOC:
        return f"end it with a line that is exactly its delimiter; {_SWALLOWS}"
    if message.startswith(OPEN_CONTINUATION):
        return f"remove the '{escape}' at the end of the last line; {_SWALLOWS}"
    return "BuildKit refuses this instruction"


def _keyword_problem(ins: Instruction) -> Finding | None:
    if ins.keyword == "FROM":
        return ("FROM is not allowed in steps",
                "a stage's base is its 'from'; declare another stage for another FROM", ERROR)
    if not ins.line.strip():
        return None  # the escape character alone ends the steps: a continuation, reported so
    if ins.keyword not in KEYWORDS:
        word = ins.line.split(None, 1)[0]
        return (f"'{word}' is not a Dockerfile instruction",
                did_you_mean(ins.keyword, STEP_KEYWORDS)
                or "start each instruction with RUN, COPY, ENV, ...", ERROR)
    return None


def read_steps(c: Checker, node: MarkedDict, path: str, escape: str) -> tuple[str, ...]:
    """The steps' texts, with what BuildKit would refuse or warn about in them."""
    raw = node.get("steps")
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
        c.at(node, "steps", f"{path}.steps", "must be Dockerfile text or a list of instructions")
        return ()
    out = []
    for i, text in enumerate(items):
        text = text.rstrip("\n")
        steps = parse_steps(text, escape)
        for ins in steps.instructions:
            problem = _keyword_problem(ins)
            if problem:
                _step_at(c, node, i, ins.start_line, path, problem)
        for p in steps.problems:
            _step_at(c, node, i, p.line, path, (p.message, _syntax_hint(p.message, escape),
                                                ERROR))
        for w in steps.warnings:
            _step_at(c, node, i, w.line, path, (w.message, "delete the blank line; BuildKit "
                                                "warns about it too", WARNING))
        out.append(text)
    return tuple(out)


@dataclass(frozen=True)
class StepContext:
    """What the checks of a stage's steps need to know about the rest of the configuration."""

    stages: tuple[Stage, ...]  # in declaration order
    build_args: frozenset[str]  # the ARG names of the build arguments
    secret_ids: frozenset[str]
    secrets: frozenset[str]  # the variables that are secrets
    escape: str
    positions: dict[str, int]  # stage name -> its place in declaration order (`in` is O(1))
    computed_args: frozenset[str] = frozenset()  # build arguments with an `arg_default`


def declared_names(ins: Instruction) -> set[str]:
    """Names an instruction makes visible to the instructions after it: ARG and ENV."""
    if ins.keyword == "ARG":
        return {d.name for d in arg_declarations(ins)}
    return {name for name, _ in env_pairs(ins)} if ins.keyword == "ENV" else set()


def stage_declares(stage: Stage, escape: str) -> set[str]:
    """Every name a stage declares (its `args`, ARG and ENV): what a stage built FROM it
    sees without declaring it again."""
    names = set(stage.args)
    for text in stage.steps:
        for ins in parse_steps(text, escape).instructions:
            names |= declared_names(ins)
    return names


def reference_problem(ref: StageReference, stage: Stage, ctx: StepContext) -> Finding | None:
    """What is wrong with `COPY --from=ref` or `--mount=...,from=ref` in `stage`."""
    if "$" in ref.ref:
        return None
    if ref.ref.isdigit():
        return _number_problem(ref, ctx.positions[stage.name])
    target = referenced_stage(ref.ref, ref.kind, ctx.stages, ctx.positions,
                              ctx.positions[stage.name])
    if target is not None:
        return ("a stage cannot copy from itself", "copy from another stage or an image",
                ERROR) if target.name == stage.name else None
    if not IMAGE_REF.match(ref.ref):
        return f"'{ref.ref}' is neither a stage nor a valid image reference", "", ERROR
    typo = near_miss(ref.ref.lower(), ctx.positions)
    if typo and not any(ch in ref.ref for ch in "/:@"):
        return (f"refers to '{ref.ref}', which is no stage, so BuildKit pulls that image",
                f"did you mean '{typo}'?", WARNING)
    return None


def _number_problem(ref: StageReference, position: int) -> Finding | None:
    if ref.kind == "mount":
        return (f"from={ref.ref} names an image, not a stage: only COPY --from takes a stage's "
                "number", "name the stage", ERROR)
    if int(ref.ref) >= position:
        return (f"refers to stage number {ref.ref}, which is not declared before this stage",
                "BuildKit copies only from the stages above; name the stage, or count from 0 "
                "in stages.yaml's order", ERROR)
    return None


def _secret_problems(ins: Instruction, ctx: StepContext) -> list[Finding]:
    found = []
    for secret in secrets(ins):
        if secret.id and secret.id not in ctx.secret_ids:
            found.append((f"mounts secret '{secret.id}', which no variable passes",
                          did_you_mean(secret.id, ctx.secret_ids)
                          or f"declare it: variables: {{NAME: {{secret_id: {secret.id}}}}}",
                          WARNING))
    return found


def _use_problems(ins: Instruction, declared: set[str], ctx: StepContext) -> list[Finding]:
    exposed = {s.env for s in secrets(ins) if s.env}  # a secret mounted as a variable
    found = []
    for name in uses(ins, ctx.escape):
        if name in declared or name in exposed:
            continue
        if name in AUTOMATIC_ARGS:
            found.append((f"uses ${{{name}}}, which BuildKit defines for FROM lines only",
                          f"add 'ARG {name}' before this line to read it in the stage",
                          WARNING))
        elif name in ctx.build_args:
            found.append((f"uses ${{{name}}} but does not declare it",
                          f"add {name} to this stage's 'args': a stage sees a global ARG only "
                          "once it declares it", WARNING))
        elif name in ctx.secrets:
            found.append((f"uses ${{{name}}}, a secret, which is never a build argument",
                          f"mount it: RUN --mount=type=secret,id={name},env={name} ...",
                          WARNING))
    return found


def check_steps(c: Checker, node: MarkedDict, path: str, stage: Stage, ctx: StepContext,
                inherited: set[str]) -> None:
    """The stage references, secrets and variables of a stage's steps. `inherited`: what the
    stage's parent stages declare, which BuildKit hands on to it."""
    declared = set(stage.args) | inherited
    for i, text in enumerate(stage.steps):
        for ins in parse_steps(text, ctx.escape).instructions:
            try:
                found = [p for r in stage_references(ins)
                         for p in [reference_problem(r, stage, ctx)] if p]
                found += _secret_problems(ins, ctx) + _use_problems(ins, declared, ctx)
                declared |= declared_names(ins)
            except ExpansionError as exc:  # what BuildKit refuses as it expands the words
                found = [(f"{ins.keyword} cannot be read: {exc}",
                          f"close the quote, or write the quote character after '{ctx.escape}'",
                          ERROR)]
            for finding in found:
                _step_at(c, node, i, ins.start_line, path, finding)
