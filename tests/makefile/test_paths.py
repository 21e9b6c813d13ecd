"""Where the rendered Makefile finds the project: checkouts in folders with blanks, brackets,
glob characters, backslashes and `$` in their names, reached through `make -C`, through
`make -f` from another folder, or through a symlink to the Makefile. GNU make on the flagship
Makefile in a fake TensorRT-LLM checkout, the recording docker stand-in asserting exact argv."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from mkgen.testing import make_checkout
from tests.makefile.trtllm import CODE, HOST_PLATFORM, build, build_args, inspect, me, ok, run
from tests.support import JENKINS_IMAGE, REPO, TRTLLM_REPO, Tree, invoke, make_tree

# Folder names that make's word functions split (blanks), $(wildcard) globs, or make would
# expand if it ever took a path for make syntax.
AWKWARD_FOLDERS = ["my repo", "proj[old]", "back\\slash", "star*and?mark", "two  blanks",
                   "tab\there", "a,b(c)", "~tilde", "d$ollar", "x$(shell touch PWNED)y"]


@pytest.fixture(params=AWKWARD_FOLDERS)
def awkward(request: pytest.FixtureRequest, tmp_path: Path) -> Tree:
    """The flagship's committed docker/ in a checkout whose folder has an awkward name."""
    return make_tree(tmp_path / request.param / "trt", REPO / "docker")


def make_f(tree: Tree, makefile: str, cwd: Path, *args: str) -> list[list[str]]:
    """`make -f MAKEFILE ARGS` run from `cwd`, the docker calls it made."""
    tree.log.write_text("")
    result = subprocess.run(["make", "-f", makefile, *args], cwd=cwd, env=tree.env(),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return tree.calls()


def test_a_checkout_folder_with_blanks_or_glob_characters_builds_and_runs(
        awkward: Tree) -> None:
    tree = awkward
    assert ok(tree, "release_build") == [
        build(tree, "release", "tensorrt_llm/release:latest", build_args(tree))]
    assert ok(tree, "devel_run") == [inspect("tensorrt_llm/devel:latest"),
                                     run(tree, "devel", "tensorrt_llm/devel:latest")]
    assert list(tree.root.parent.parent.rglob("PWNED*")) == []


@pytest.mark.parametrize("how", ["absolute", "relative"])
def test_make_f_from_another_folder_finds_a_checkout_with_an_awkward_name(
        awkward: Tree, how: str) -> None:
    tree = awkward
    elsewhere = tree.root.parent.parent / "elsewhere"
    elsewhere.mkdir()
    makefile = tree.docker_dir / "Makefile"
    name = str(makefile) if how == "absolute" else f"../{makefile.relative_to(elsewhere.parent)}"
    commit = f"GIT_COMMIT={tree.git('rev-parse', 'HEAD')}"
    assert make_f(tree, name, elsewhere, "release_build", commit) == [
        build(tree, "release", "tensorrt_llm/release:latest", build_args(tree))]
    assert make_f(tree, name, elsewhere, "devel_run") == [
        inspect("tensorrt_llm/devel:latest"), run(tree, "devel", "tensorrt_llm/devel:latest")]


def test_a_home_with_a_blank_still_shares_its_cache(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "trt", REPO / "docker")
    home = tmp_path / "my home [1]"
    (home / ".cache").mkdir(parents=True)
    calls = ok(tree, "devel_run", "LOCAL_USER=1", env=tree.env(HOME=str(home)))
    volumes = [calls[-1][i + 1] for i, a in enumerate(calls[-1]) if a == "--volume"]
    assert volumes == [f"{tree.root}:{CODE}", f"{home}/.cache:/home/{me()[1]}/.cache"]


@pytest.mark.parametrize("folder", ["plain", "my repo"])
def test_a_symlink_to_the_makefile_finds_the_project_it_points_into(
        tmp_path: Path, folder: str) -> None:
    tree = make_tree(tmp_path / folder / "trt", REPO / "docker")
    (tree.root / "Makefile").symlink_to("docker/Makefile")
    expected = [build(tree, "release", "tensorrt_llm/release:latest", build_args(tree))]
    assert make_f(tree, "Makefile", tree.root, "release_build") == expected
    commit = f"GIT_COMMIT={tree.git('rev-parse', 'HEAD')}"
    if " " not in str(tree.root):  # through a name with blanks, make cannot follow a link
        assert make_f(tree, str(tree.root / "Makefile"), tmp_path, "release_build",
                      commit) == expected


def test_an_output_outside_the_project_expands_nothing_from_the_project_path(
        tmp_path: Path) -> None:
    """With `output: ../out/docker` the Makefile names the project folder relative to itself
    (`../../NAME`): that name is text, never make syntax."""
    base = tmp_path / "w"
    root = base / "p$(shell touch PWNED2)"
    root.mkdir(parents=True)
    (root / "stages.yaml").write_text(
        "project: {name: app, output: ../out/docker}\n"
        "variables: {VERSION: {file: version.txt, key: VERSION, build_arg: true}}\n"
        "stages: {app: {from: debian:12, args: [VERSION]}}\n")
    (root / "version.txt").write_text("VERSION = 1.2.3\n")
    assert invoke("render", "-c", str(root / "stages.yaml"))[0] == 0
    docker = base / "out" / "docker"
    for goal in ([], ["-n", "app_build"]):
        result = subprocess.run(["make", "--no-print-directory", "-C", str(docker), *goal],
                                cwd=base, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.rglob("PWNED*")) == []
    assert "--build-arg 'VERSION=1.2.3'" in result.stdout


# ---- Where shell: values run -------------------------------------------------------------

def test_shell_values_run_at_the_project_root_wherever_make_starts(tmp_path: Path) -> None:
    """`make -f ~/proj/docker/Makefile` inside another repository records the project's
    commit and branch, not that repository's."""
    tree = make_tree(tmp_path / "trt", REPO / "docker")
    other = make_checkout(tmp_path / "other", None, REPO / "examples" / "hello" / "docker",
                          branch="not-this-one")
    tag = f"{TRTLLM_REPO}:feature_x-1-{HOST_PLATFORM}"
    assert make_f(tree, str(tree.docker_dir / "Makefile"), other.root, "trtllm_build") == [
        build(tree, "release", tag, build_args(tree, DEVEL_IMAGE=JENKINS_IMAGE))]


def test_a_shell_value_reads_files_of_the_project_under_make_c(tmp_path: Path) -> None:
    """Under `make -C docker` make runs in docker/: `cat VERSION` must still find the
    project's VERSION (it was silently empty, so the build argument was dropped)."""
    project = tmp_path / "src"
    project.mkdir()
    (project / "stages.yaml").write_text(
        "project: {name: app}\n"
        "variables: {VER: {shell: cat VERSION, build_arg: true}}\n"
        "stages: {app: {from: debian:12, args: [VER]}}\n")
    (project / "VERSION").write_text("1.0\n")
    assert invoke("render", "-c", str(project / "stages.yaml"))[0] == 0
    tree = make_checkout(tmp_path / "repo", project, project / "docker")
    assert ok(tree, "app_build") == [
        ["buildx", "build", "--target", "app", "--build-arg", "VER=1.0", "--file",
         f"{tree.docker_dir}/Dockerfile.multi", "--tag", "app/app:latest", str(tree.root)]]


def test_a_cache_the_caller_cannot_write_is_not_shared(tmp_path: Path) -> None:
    """Read-only for the caller: root is refused writing only by a read-only mount (`unshare`
    gives this make a private one), anyone else by the folder's mode."""
    tree = make_tree(tmp_path / "trt", REPO / "docker")
    cache = tmp_path / "home" / ".cache"
    cache.mkdir(parents=True)
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        prefix = ("unshare", "--mount", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"',
                  str(cache))
    else:
        cache.chmod(0o555)
    result = tree.make("devel_run", "LOCAL_USER=1", env=tree.env(HOME=str(cache.parent)),
                       prefix=prefix)
    assert result.returncode == 0, result.stderr
    run = tree.calls()[-1]
    assert run[:2] == ["run", "--rm"]
    volumes = [run[i + 1] for i, a in enumerate(run) if a == "--volume"]
    assert volumes == [f"{tree.root}:{CODE}"]
    cache.chmod(0o755)
