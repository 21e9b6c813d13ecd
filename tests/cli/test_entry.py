"""The `mkgen` entry point: `check` and `render` answered from the stamps when they prove the
files fresh, with the words the full command prints, and click, YAML and Jinja not loaded;
every other command line, and every check the stamps do not settle, is the full one's."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mkgen.cli import cli
from mkgen.entry import quick_request
from tests.support import SMALL

QUICK = [
    (["check"], {}, ("check", "stages.yaml", False)),
    (["check", "-c", "a/s.yaml"], {}, ("check", "a/s.yaml", False)),
    (["check", "--config", "s.yaml"], {}, ("check", "s.yaml", False)),
    (["check", "--config=s.yaml"], {}, ("check", "s.yaml", False)),
    (["check"], {"MKGEN_CONFIG": "env.yaml"}, ("check", "env.yaml", False)),
    (["check", "-c", "s.yaml"], {"MKGEN_CONFIG": "env.yaml"}, ("check", "s.yaml", False)),
    (["check"], {"MKGEN_CONFIG": ""}, ("check", "stages.yaml", False)),
    (["render", "--check"], {}, ("check", "stages.yaml", False)),
    (["render", "-c", "s.yaml", "--check"], {}, ("check", "s.yaml", False)),
    (["render"], {}, ("render", "stages.yaml", False)),
    (["render", "--force", "-c", "s.yaml"], {}, ("render", "s.yaml", True)),
]
FULL = [[], ["--help"], ["--version"], ["check", "--help"], ["check", "-h"],
        ["check", "--force"], ["check", "x"], ["check", "-c"], ["check", "-cs.yaml"],
        ["check", "-c", "a", "-c", "b"], ["render", "--check", "--check"],
        ["render", "-c", "-x"], ["validate"], ["list"], ["checks"], ["-c", "s", "check"]]


@pytest.mark.parametrize(("args", "environ", "expected"), QUICK)
def test_simple_check_and_render_command_lines_are_quick(
        args: list[str], environ: dict[str, str], expected: tuple[str, str, bool]) -> None:
    assert quick_request(list(args), environ) == expected


@pytest.mark.parametrize(("args", "environ", "expected"), QUICK)
def test_click_reads_them_the_same_way(args: list[str], environ: dict[str, str],
                                       expected: tuple[str, str, bool],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MKGEN_CONFIG", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    group = cli.make_context("mkgen", list(args), resilient_parsing=True)
    command = cli.get_command(group, args[0])
    assert command is not None
    params = command.make_context(args[0], list(args[1:]), parent=group).params
    checking = args[0] == "check" or params.get("check_only")
    assert ("check" if checking else "render", str(params["config_path"]),
            params.get("force", False)) == (expected[0], str(Path(expected[1])), expected[2])


@pytest.mark.parametrize("args", FULL, ids=" ".join)
def test_anything_else_goes_to_the_full_command_line(args: list[str]) -> None:
    assert quick_request(list(args), {}) is None


def test_completion_and_folders_go_to_the_full_command_line(tmp_path: Path) -> None:
    assert quick_request(["check"], {"_MKGEN_COMPLETE": "bash_complete"}) is None
    assert quick_request(["check", "-c", str(tmp_path)], {}) is None  # click's usage error


def run(cwd: Path, *args: str, full: bool = False) -> subprocess.CompletedProcess[str]:
    """The installed entry point, or (full) the click command line it hands over to."""
    main = "mkgen.cli" if full else "mkgen.entry"
    code = f"import sys; sys.argv[0] = 'mkgen'; from {main} import main; main()"
    return subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if k != "MKGEN_CONFIG"})


def imported(result: subprocess.CompletedProcess[str]) -> set[str]:
    return {line.rsplit("|", 1)[1].strip().split(".")[0] for line in result.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "stages.yaml").write_text(SMALL)
    assert run(tmp_path, "render").returncode == 0
    return tmp_path


@pytest.mark.parametrize("args", [["check"], ["render", "--check"], ["render"],
                                  ["check", "-c", "stages.yaml"]])
def test_fresh_files_are_answered_without_click_yaml_or_jinja(project: Path,
                                                              args: list[str]) -> None:
    quick, full = run(project, *args), run(project, *args, full=True)
    assert (quick.returncode, quick.stdout) == (full.returncode, full.stdout) == \
        (0, "docker: fresh\n" if "check" in " ".join(args) else "docker: up to date\n")
    assert not imported(quick) & {"click", "yaml", "jinja2"}
    assert {"click", "yaml", "jinja2"} <= imported(full)


def test_stale_files_get_the_full_answer(project: Path) -> None:
    makefile = project / "docker" / "Makefile"
    makefile.write_text(makefile.read_text().replace("IMAGE_TAG      = latest", "IMAGE_TAG = x"))
    quick, full = run(project, "check"), run(project, "check", full=True)
    assert quick.returncode == full.returncode == 1
    assert quick.stdout == full.stdout
    assert "-IMAGE_TAG = x\n+IMAGE_TAG      = latest\n" in quick.stdout
    assert quick.stderr.splitlines()[-1] == full.stderr.splitlines()[-1] == \
        "docker is stale: run 'mkgen render' and commit the result."
    # Rendered and compared in full, still without the option parser.
    assert {"yaml", "jinja2"} <= imported(quick) and "click" not in imported(quick)


def test_a_version_only_difference_is_one_line(project: Path) -> None:
    for name in ("Makefile", "Dockerfile.multi", "Dockerfile.user", "docker-bake.hcl"):
        path = project / "docker" / name
        path.write_text(path.read_text().replace("# mkgen ", "# mkgen 0.", 1))
    import mkgen

    result = run(project, "check")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines()[-1] == (
        f"mkgen: docker: rendered by mkgen 0.{mkgen.__version__}, this is mkgen "
        f"{mkgen.__version__}, and nothing else differs: run 'mkgen render' and commit the "
        "result (requires: in stages.yaml pins one version for everyone).")


def test_a_stamp_only_difference_is_one_line(project: Path) -> None:
    (project / "stages.yaml").write_text(SMALL + "# a comment\n")
    result = run(project, "check")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines()[-1] == (
        "mkgen: docker: only the stamps differ (an input changed, no rendered line did): run "
        "'mkgen render' and commit the result.")
    assert run(project, "render").stdout.startswith("wrote ")
    assert run(project, "check").stdout == "docker: fresh\n"


@pytest.mark.parametrize(("request_code", "code", "err"), [(None, 0, ""), (3, 3, ""),
                                                           ("mkgen: bye", 1, "mkgen: bye\n")])
def test_a_command_leaves_without_tearing_the_interpreter_down(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        request_code: object, code: int, err: str) -> None:
    import atexit
    import threading

    from mkgen import entry

    left: list[int] = []
    monkeypatch.setattr(atexit, "_ncallbacks", lambda: 0)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(os, "_exit", left.append)
    entry._exit(SystemExit(request_code))
    assert left == [code] and capsys.readouterr().err == err


def test_an_atexit_callback_gets_the_interpreter_s_own_exit(tmp_path: Path) -> None:
    """Whoever registered to run at exit (coverage does) still runs, with the same code."""
    code = ("import atexit, sys; atexit.register(lambda: print('at exit')); "
            "sys.argv = ['mkgen', 'check', '-c', 'missing.yaml']; "
            "from mkgen.entry import main; main()")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert (result.returncode, result.stdout) == (2, "at exit\n")
    assert "missing.yaml" in result.stderr
