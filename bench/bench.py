"""Benchmarks and budgets (issue 6, "Fast enough to forget", and "Performance budgets for
the bigger product"), measured in one run.

    python bench/bench.py            # every figure, 15 runs each (about 15 s)
    python bench/bench.py --quick    # fewer runs (CI)
    python bench/bench.py --check    # exit 1 when a process count is over budget

Process counts are deterministic, so `--check` fails on them; times are noisy on shared
machines, so they are reported (with "over" marks) but never fail a run. Prints a markdown
table and writes it, with the raw figures, to .bench/results.md and .bench/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from mkgen.testing import Checkout, make_checkout

REPO = Path(__file__).resolve().parents[1]
FLAGSHIP = REPO / "stages.yaml"
# The fake TensorRT-LLM checkout the tests use too (version.py, the Jenkins file).
TRTLLM_FILES = REPO / "tests" / "fixtures" / "trtllm"

# The hand-written TensorRT-LLM docker/Makefile, as measured in the issue (2026-11-27).
HAND_WRITTEN = {"help": None, "-n release_build": 102, "-n trtllm_push": 180}
# Processes of `make -n TARGET`: a build target, and any other target (push, run, pull, bake,
# manifest, the recipes), for every target of the flagship (`mkgen list --json`).
BUILD_BUDGET = 4
OTHER_BUDGET = 5
BUILD_ACTIONS = ("build", "user")  # `user` builds the local-user layer
PROCESS_BUDGETS = {"help": 1, "-n release_build": BUILD_BUDGET, "-n trtllm_push": OTHER_BUDGET}
RENDER_RATIO_BUDGET = 1.2
CHECK_RATIO_BUDGET = 3.0
GROWTH_SECONDS_BUDGET = 1.0
GROWTH_RATIO_BUDGET = 10.0
BIG_HELP_SECONDS_BUDGET = 0.3


@dataclass
class Figure:
    """One measured figure, its budget, and whether it is deterministic (checked) or a time."""

    name: str
    value: float
    budget: float
    unit: str
    checked: bool
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.value <= self.budget


# ---- Process counts ------------------------------------------------------------------

def programs(tree: Checkout, args: list[str], trace_dir: Path, folder: str = "docker") -> list[str]:
    """Programs of the successful execve calls of one make run (make itself included).

    `-ff` writes one file per process, so an execve is never split into an "unfinished" and
    a "resumed" line by another process's output. A recipe that stops on an empty required
    value (`mkgen: T needs V; give V=...`) is run again with V given, as a user would.
    """
    for _ in range(10):
        shutil.rmtree(trace_dir, ignore_errors=True)
        trace_dir.mkdir(parents=True)
        result = subprocess.run(["strace", "-f", "-ff", "-qq", "-e", "trace=execve", "-e",
                                 "signal=none", "-o", str(trace_dir / "t"), "make", "-C",
                                 folder, *args], cwd=tree.root, env=tree.env(),
                                stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=60)
        needed = re.search(r"mkgen: \S+ needs (\w+); give", result.stderr)
        if result.returncode == 0 or not needed:
            break
        args = [*args, f"{needed[1]}=bench"]
    if result.returncode != 0:
        raise RuntimeError(f"make {' '.join(args)} failed: {result.stderr.strip()}")
    found = []
    for path in sorted(trace_dir.iterdir(), key=lambda p: int(p.suffix[1:])):
        for line in path.read_text().splitlines():
            if line.startswith("execve(") and line.rstrip().endswith("= 0"):
                found.append(Path(line.split('"', 2)[1]).name)
    return found


def process_figures(tree: Checkout, work: Path) -> list[Figure]:
    out = []
    for goal, budget in PROCESS_BUDGETS.items():
        seen = programs(tree, goal.split(), work / "trace")
        before = HAND_WRITTEN[goal]
        note = " ".join(seen) + (f"; hand-written: {before}" if before else "")
        out.append(Figure(f"processes: make {goal}", len(seen), budget, "processes", True,
                          note))
    return out


def flagship_targets(project: Path) -> dict[str, list[str]]:
    """The flagship's targets by kind, as `mkgen list --json` names them: build targets and
    every other one (help and doctor aside: make help has its own figure)."""
    listed = subprocess.run([sys.executable, "-m", "mkgen", "list", "--json"], cwd=project,
                            capture_output=True, text=True, check=True).stdout
    targets = json.loads(listed)["targets"]
    action = {t["name"]: t["action"] for t in targets}
    kinds: dict[str, list[str]] = {"build": [], "other": []}
    for t in targets:
        kind = action.get(t.get("alias_of") or "", t["action"])
        if kind is not None:
            kinds["build" if kind in BUILD_ACTIONS else "other"].append(t["name"])
    return kinds


def every_target_figures(tree: Checkout, project: Path, work: Path) -> list[Figure]:
    """The most processes any build target, and any other target, starts under `make -n`."""
    out = []
    kinds = flagship_targets(project)
    titles = {"build": ("every build target", BUILD_BUDGET),
              "other": ("every push, run, pull, bake, manifest and recipe target", OTHER_BUDGET)}
    for kind, names in kinds.items():
        counts = {name: programs(tree, ["-n", name], work / "trace") for name in names}
        worst = max(counts, key=lambda n: len(counts[n]))
        title, budget = titles[kind]
        out.append(Figure(f"processes: make -n, {title} (the most)", len(counts[worst]),
                          budget, "processes", True, f"{len(names)} targets; the most: "
                          f"{worst} ({' '.join(counts[worst])})"))
    return out


# ---- mkgen render versus the imports it cannot avoid ----------------------------------

def timed(argv: list[str], cwd: Path, env: dict[str, str],
          before: Callable[[], None] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user and system, of the child) of one command."""
    if before:
        before()
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime


def python_env(work: Path) -> dict[str, str]:
    """Python bytecode and mkgen's template cache in private, empty folders.

    Bytecode is cached as for an installed wheel (pip compiles it): an editable install
    under PYTHONDONTWRITEBYTECODE would otherwise compile mkgen's sources on every run,
    which no user pays. The template cache starts empty: the first render fills it.
    """
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "MKGEN_CONFIG")}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["TMPDIR"] = str(work / "tmp")  # Jinja's bytecode cache lives in the temp folder
    (work / "tmp").mkdir(exist_ok=True)
    return env


def ratios(project: Path, runs: int, commands: dict[str, list[str]], budget: float,
           before: Callable[[], None] | None = None) -> tuple[list[Figure], dict]:
    """Each command but the first against the first, over `runs` interleaved rounds: the
    median of the rounds' ratios, each of two runs made one after the other (a busy spell
    of a shared machine slows both, so it cancels), with the median wall times and the
    ratio of median CPU times in the notes. Round 0 warms caches and is returned apart."""
    env = python_env(project.parent)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs + 1):
        for name, argv in commands.items():
            samples[name].append(timed(argv, project, env, before))
    base_name = next(iter(commands))
    base = samples[base_name][1:]
    wall = {n: statistics.median(s[0] for s in samples[n][1:]) for n in commands}
    cpu = {n: statistics.median(s[1] for s in samples[n][1:]) for n in commands}
    figures = [Figure(f"time: {name} / {base_name}",
                      statistics.median(t[0] / b[0] for t, b in zip(samples[name][1:], base,
                                                                     strict=True)),
                      budget, "x", False,
                      f"{wall[name] * 1000:.0f} ms vs {wall[base_name] * 1000:.0f} ms "
                      f"(median walls), median of {runs} rounds' ratios; CPU time "
                      f"{cpu[name] / cpu[base_name]:.2f}x")
               for name in commands if name != base_name]
    return figures, samples


def render_figures(project: Path, runs: int) -> list[Figure]:
    """mkgen render against the imports it cannot do without."""
    script = Path(sys.executable).parent / "mkgen"  # not a version manager's shim
    commands = {  # run in the project folder, as users do: stages.yaml is the default
        "imports": [sys.executable, "-c", "import jinja2, yaml, click"],
        "python -m mkgen render": [sys.executable, "-m", "mkgen", "render"],
    }
    if script.exists():
        commands["mkgen render (console script)"] = [str(script), "render"]

    def fresh() -> None:  # every render writes its files, as the first one after an edit does
        shutil.rmtree(project / "docker", ignore_errors=True)

    # Compile every module once, as pip does at install time; templates stay uncompiled.
    subprocess.run([sys.executable, "-c", "import compileall, os, mkgen, jinja2, yaml, click; "
                    "compileall.compile_dir(os.path.dirname(mkgen.__file__), quiet=1)"],
                   env=python_env(project.parent), check=True)
    figures, samples = ratios(project, runs, commands, RENDER_RATIO_BUDGET, fresh)
    first = samples["python -m mkgen render"][0][0]
    figures[0].note += (f"; first run, templates not yet cached: {first * 1000:.0f} ms vs "
                        f"{samples['imports'][0][0] * 1000:.0f} ms")
    return figures


def check_figures(project: Path, runs: int) -> list[Figure]:
    """mkgen check on a freshly rendered tree against starting Python (`pass`)."""
    subprocess.run([sys.executable, "-m", "mkgen", "render"], cwd=project, check=True,
                   env=python_env(project.parent), capture_output=True)
    script = Path(sys.executable).parent / "mkgen"
    commands = {"python -c pass": [sys.executable, "-c", "pass"],
                "python -m mkgen check": [sys.executable, "-m", "mkgen", "check"]}
    if script.exists():
        commands["mkgen check (console script)"] = [str(script), "check"]
    return ratios(project, runs, commands, CHECK_RATIO_BUDGET)[0]


# ---- Growth: synthetic configurations -------------------------------------------------

def synthetic_config(stages: int) -> str:
    """A project with `stages` stages: chains of 10 from an image, each stage copying from
    a stage two back, a family for every tenth stage, shell and file variables."""
    lines = ["project:", "  name: synth", "  output: out", "  source_mount: /src", "",
             "variables:"]
    for i in range(20):
        lines += [f"  ARG_{i}:", f"    default: value-{i}", f"    help: Argument {i}.",
                  "    build_arg: true"]
    lines += ["  COMMIT:", "    shell: git rev-parse HEAD", "    help: The commit.",
              "    build_arg: true",
              "  VERSION:", "    file: version.py", "    key: __version__",
              "    help: The version.", "", "stages:"]
    for i in range(stages):
        base = "debian:12" if i % 10 == 0 else f"s{i - 1}"
        lines += [f"  s{i}:", f"    from: {base}", f"    help: Stage number {i}.",
                  f"    args: [ARG_{i % 20}]", "    steps: |",
                  f"      RUN echo ${{ARG_{i % 20}}} > /s{i}"]
        if i % 10 >= 2:
            lines.append(f"      COPY --from=s{i - 2} /s{i - 2} /s{i - 2}")
    lines += ["", "targets:"]
    for i in range(0, stages, 10):
        lines += [f"  fam{i}:", f"    stage: s{i}", f"    help: Family of stage {i}.",
                  "    variables:", f"      IMAGE_TAG: t{i}-$(ARG_{i % 20})"]
    return "\n".join(lines) + "\n"


def render_in_process(config_path: Path) -> float:
    """Seconds to load, validate and render (not write) one configuration."""
    from mkgen.api import load_config
    from mkgen.render import render_all

    start = time.perf_counter()
    render_all(load_config(config_path))
    return time.perf_counter() - start


def growth_figures(work: Path, runs: int) -> tuple[list[Figure], Path]:
    """`mkgen render` of 1000 stages, and against 100 stages, as the budget's issue measured
    them: whole commands, each writing its files afresh (alternated, medians). The in-process
    times (load, validate, render; best of `runs`) are in the notes: their ratio is the
    cost per stage, which stays linear."""
    paths = {}
    for n in (100, 1000):
        folder = work / f"synth{n}"
        folder.mkdir()
        (folder / "stages.yaml").write_text(synthetic_config(n))
        paths[n] = folder / "stages.yaml"
    env = python_env(work)
    commands = {n: [sys.executable, "-m", "mkgen", "render", "-c", str(path)]
                for n, path in paths.items()}
    walls: dict[int, list[float]] = {100: [], 1000: []}
    inside: dict[int, list[float]] = {100: [], 1000: []}
    render_in_process(paths[100])  # warm-up: imports
    for _ in range(runs + 1):  # round 0 fills the template cache and is left out
        for n, argv in commands.items():
            out = paths[n].parent / "out"
            walls[n].append(timed(argv, work, env, lambda out=out: shutil.rmtree(out, True))[0])
            inside[n].append(render_in_process(paths[n]))
    small, big = (statistics.median(walls[n][1:]) for n in (100, 1000))
    small_in, big_in = (min(inside[n]) for n in (100, 1000))
    return [
        Figure("time: mkgen render, 1000 stages", big, GROWTH_SECONDS_BUDGET, "s", False,
               f"median of {runs}; in-process (load, validate, render): {big_in * 1000:.0f} ms"),
        Figure("time: mkgen render, 1000 stages / 100 stages", big / small,
               GROWTH_RATIO_BUDGET, "x", False,
               f"{big * 1000:.0f} ms / {small * 1000:.0f} ms; in-process "
               f"{big_in * 1000:.0f} ms / {small_in * 1000:.0f} ms = "
               f"{big_in / small_in:.1f}x (linear: 10x)"),
    ], paths[1000].parent / "out"


def big_help_figures(out_dir: Path, runs: int) -> list[Figure]:
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(["make", "-C", str(out_dir), "help"], check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    median = statistics.median(times[1:])
    lines = (out_dir / "Makefile").read_text().count("\n")
    return [Figure("time: make help, 1000-stage Makefile", median, BIG_HELP_SECONDS_BUDGET, "s",
                   False, f"median of {runs}; Makefile of {lines} lines")]


def big_help_processes(out_dir: Path, trace_dir: Path) -> Figure:
    tree = Checkout(root=out_dir.parent, bin=trace_dir / "no-bin", log=trace_dir / "no-log")
    seen = programs(tree, ["help"], trace_dir / "big", folder=out_dir.name)
    return Figure("processes: make help, 1000-stage Makefile", len(seen), 1, "processes", True,
                  " ".join(seen))


# ---- Report ---------------------------------------------------------------------------

def table(figures: list[Figure]) -> str:
    rows = ["| figure | measured | budget | ratio to budget | status | notes |",
            "|---|---:|---:|---:|---|---|"]
    for f in figures:
        value = f"{f.value:.0f}" if f.unit == "processes" else f"{f.value:.3g}"
        status = "ok" if f.ok else ("OVER (fails --check)" if f.checked else "over (not checked)")
        rows.append(f"| {f.name} | {value} {f.unit} | {f.budget:g} {f.unit} | "
                    f"{f.value / f.budget:.2f} | {status} | {f.note} |")
    return "\n".join(rows) + "\n"


def over_budget(figures: list[Figure]) -> list[str]:
    """Names of the deterministic figures over budget: the only ones that fail --check."""
    return [f.name for f in figures if f.checked and not f.ok]


def measure(quick: bool, work: Path) -> list[Figure]:
    runs = 3 if quick else 15
    project = work / "flagship"
    project.mkdir()
    shutil.copy(FLAGSHIP, project / "stages.yaml")
    subprocess.run([sys.executable, "-m", "mkgen", "render", "-c", str(project / "stages.yaml")],
                   check=True, capture_output=True)
    tree = make_checkout(work / "trt", TRTLLM_FILES, project / "docker", branch="feature/x-1")
    figures = process_figures(tree, work)
    figures += every_target_figures(tree, project, work)
    figures += render_figures(project, runs)
    figures += check_figures(project, runs)
    # The bake file's figures need a BuildKit fleet and root: bench_fleet.py measures them.
    growth, big_out = growth_figures(work, 2 if quick else 7)
    figures += growth
    figures.append(big_help_processes(big_out, work))
    figures += big_help_figures(big_out, runs)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (CI)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a process count is over budget (times never fail)")
    parser.add_argument("--out", type=Path, default=REPO / ".bench",
                        help="folder for results.md and results.json (default: .bench)")
    args = parser.parse_args(argv)
    if not shutil.which("strace") or not shutil.which("make"):
        print("bench: strace and GNU make are needed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mkgen-bench-") as tmp:
        figures = measure(args.quick, Path(tmp))
    text = table(figures)
    print(text, end="")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(text)
    (args.out / "results.json").write_text(json.dumps(
        {"quick": args.quick, "figures": [asdict(f) | {"ok": f.ok} for f in figures]},
        indent=2) + "\n")
    over = over_budget(figures)
    if args.check and over:
        print("bench: over budget: " + ", ".join(over), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
