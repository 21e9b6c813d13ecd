"""mkgen explain: every value with its origin, and the commands make would run; nothing runs."""
from __future__ import annotations

import grp
import os
import pwd
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from mkgen.testing import RECORDING_DOCKER, Checkout, install_recording_docker
from tests.support import FLAGSHIP, Tree, invoke


def me() -> tuple[str, str, str, str]:
    uid, gid = os.getuid(), os.getgid()
    return str(uid), pwd.getpwuid(uid).pw_name, str(gid), grp.getgrgid(gid).gr_name


def commands(out: str) -> str:
    return out.split("Commands (make -n; nothing was run):\n", 1)[1]


def test_each_value_says_where_it_comes_from(small: Path, monkeypatch) -> None:
    monkeypatch.setenv("NPM_TOKEN", "s3cr3t")
    code, out, err = invoke("explain", "-c", str(small), "nightly_push", "IMAGE_TAG=v1")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:3] == ["nightly_push: Build, then push the nightly image. (family nightly of "
                         "stage app)", "", "Variables:"]
    uid, user, _, _ = me()
    for line in [
        "  IMAGE_NAME         registry.local/small  [family nightly, push action]",
        "  IMAGE_TAG          v1  [command line]",
        "  IMAGE_WITH_TAG     registry.local/small/app:v1  [default]",
        "  DOCKER_RUN_OPTS    --rm  [default]",
        "  DOCKER_TTY         <-it when stdin is a terminal>  [make: test -t 0 (not run)]",
        f"  SOURCE_DIR         {small.parent}  [default]",
        f"  USER_ID            {uid}  [the caller (id, not run)]",
        f"  USER_NAME          {user}  [the caller (id, not run)]",
        "  GIT_COMMIT         <git rev-parse HEAD>  [shell: git rev-parse HEAD (not run)]",
        "  VERSION            1.2.3  [file: VERSION in version.txt]",
        "  NPM_TOKEN          <secret>  [secret, from the environment]",
    ]:
        assert line in lines
    assert commands(out) == f"""\
  mkgen: building registry.local/small/app:v1 (stage app)
  docker buildx build \\
  \t--target app --build-arg 'GIT_COMMIT=<git rev-parse HEAD>' --build-arg 'VERSION=1.2.3' --secret id=NPM_TOKEN,env=NPM_TOKEN \\
  \t--file '{small.parent}/docker/Dockerfile.multi' \\
  \t--tag 'registry.local/small/app:v1' \\
  \t'{small.parent}'
  docker push 'registry.local/small/app:v1'
"""


def test_a_family_value_beats_the_stage_and_the_command_line_beats_both(small: Path) -> None:
    code, out, _ = invoke("explain", "-c", str(small), "app_run", "WORK_DIR=/x")
    assert code == 0
    assert "  WORK_DIR           /x  [command line]" in out.splitlines()
    code, out, _ = invoke("explain", "-c", str(small), "app_run")
    assert "  WORK_DIR           /app  [stage app, run action]" in out.splitlines()
    assert "  NPM_TOKEN          (empty)  [secret, from the environment]" in out.splitlines()
    assert commands(out) == f"""\
  docker image inspect 'small/app:latest' >/dev/null 2>&1 || {{ echo 'mkgen: image small/app:latest is not here: run make app_build or make app_pull first, or add DOCKER_PULL=1.' >&2; exit 1; }}
  docker run --rm <-it when stdin is a terminal> \\
  \t--volume '{small.parent}:/code' \\
  \t--workdir '/app' \\
  \t'small/app:latest'
"""


def test_a_secret_is_never_printed(small: Path, monkeypatch) -> None:
    monkeypatch.setenv("NPM_TOKEN", "from-the-env")
    code, out, err = invoke("explain", "-c", str(small), "app_build", "NPM_TOKEN=from-the-line",
                            "DOCKER_BUILD_ARGS=--label t=$(NPM_TOKEN)")
    assert code == 0
    assert "from-the-env" not in out + err and "from-the-line" not in out + err
    assert "  NPM_TOKEN          <secret>  [command line]" in out.splitlines()
    assert "--label t=<secret>" in out


def test_a_typo_in_the_target_exits_2_with_a_did_you_mean(small: Path) -> None:
    assert invoke("explain", "-c", str(small), "nightly_psuh") == (
        2, "", f"mkgen: no target 'nightly_psuh' in {small}: did you mean 'nightly_push'?\n")
    assert invoke("explain", "-c", str(small), "zzz") == (
        2, "", f"mkgen: no target 'zzz' in {small}: 'mkgen list' shows every target\n")


def test_a_typo_in_a_variable_exits_2_with_a_did_you_mean(small: Path) -> None:
    assert invoke("explain", "-c", str(small), "app_run", "LOCAL_USR=1") == (
        2, "", f"mkgen: no variable 'LOCAL_USR' in {small}: did you mean 'LOCAL_USER'?\n")
    assert invoke("explain", "-c", str(small), "app_run", "app_build")[2] == (
        "mkgen: 'app_build' is not VARIABLE=value: explain takes one target, then variable "
        "assignments\n")


def test_a_make_error_is_reported_without_a_traceback(small: Path) -> None:
    (small.parent / "version.txt").write_text("OTHER = 1\n")
    code, out, err = invoke("explain", "-c", str(small), "app_build")
    assert (code, out) == (2, "")
    assert err == (f"mkgen: {small.parent}/version.txt does not set VERSION; "
                   "give VERSION=... on the command line.\n")


def _flagship_tree(tree: Tree) -> Path:
    shutil.copy(FLAGSHIP, tree.root / "stages.yaml")
    return tree.root / "stages.yaml"


def test_the_commands_are_the_ones_make_runs(tree: Tree) -> None:
    """Real run: the printed commands, split like sh would, are the docker calls make makes."""
    config = _flagship_tree(tree)
    given = (f"GIT_COMMIT={tree.git('rev-parse', 'HEAD')}", "GIT_BRANCH_TAG=feature-x-1")
    code, out, err = invoke("explain", "-c", str(config), "trtllm_push", *given)
    assert (code, err) == (0, "")
    text = "\n".join(line[2:] for line in commands(out).splitlines()).replace("\\\n", " ")
    printed = [shlex.split(line) for line in text.splitlines() if not line.startswith("mkgen:")]
    assert tree.make("trtllm_push", *given).returncode == 0
    assert printed == [["docker", *call] for call in tree.calls()]


def test_values_made_of_the_stage_or_family_name_show_the_target_s(tree: Tree) -> None:
    """STEM (a family's or stage's name) in a value: the table shows it as make expands it
    for the target, not for explain's own look at the values."""
    code, out, _ = invoke("explain", "-c", str(_flagship_tree(tree)), "jenkins_run")
    assert code == 0
    [container] = [line.split()[1] for line in out.splitlines()
                   if line.startswith("  CONTAINER ")]
    assert container.startswith("tensorrt_llm-jenkins-")


def test_explain_starts_no_process_but_make(tree: Tree) -> None:
    """strace: the only program mkgen explain starts is make (no sh, git, id, docker)."""
    if not shutil.which("strace"):
        pytest.skip("strace is not installed")
    config = _flagship_tree(tree)
    trace = tree.root.parent / "trace"
    result = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=execve", "-e", "signal=none", "-o", str(trace),
         "mkgen", "explain", "-c", str(config), "trtllm_run", "LOCAL_USER=1"],
        env=tree.env(), stdin=subprocess.DEVNULL, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    programs = [line.split('execve("', 1)[1].split('"', 1)[0]
                for line in trace.read_text().splitlines() if "execve(" in line and "= 0" in line]
    assert [Path(p).name for p in programs[1:]] == ["make"]
    assert tree.calls() == []
    assert f"{tree.root}/jenkins/L0_MergeRequest.groovy" not in result.stdout  # it was read
    assert "urm.nvidia.com/sw-tensorrt-docker/tensorrt-llm:pytorch" in result.stdout


SECRETS = """\
project:
  name: app
variables:
  GH_TOKEN:
    secret: true
    shell: echo gh_from_the_command
  NPM_TOKEN:
    secret: true
    file: .secrets.env
    key: NPM_TOKEN
  PIP_TOKEN:
    secret: true
stages:
  app:
    from: debian:12
    steps: |
      RUN --mount=type=secret,id=GH_TOKEN --mount=type=secret,id=NPM_TOKEN \\
          --mount=type=secret,id=PIP_TOKEN true
"""


def test_shell_and_file_secrets_are_shown_as_the_secrets_make_passes(
        tmp_path: Path, monkeypatch) -> None:
    """explain's commands are the recorded docker argv, and docker gets each secret's value
    in its environment, for `--secret id=NAME,env=NAME`; explain prints no value."""
    (tmp_path / "stages.yaml").write_text(SECRETS)
    (tmp_path / ".secrets.env").write_text('NPM_TOKEN = "npm_from_the_file"\n')
    assert invoke("render", "-c", str(tmp_path / "stages.yaml"))[0] == 0
    monkeypatch.setenv("PIP_TOKEN", "pip_from_the_env")
    code, out, err = invoke("explain", "-c", str(tmp_path / "stages.yaml"), "app_build")
    assert (code, err) == (0, "")
    for line in ["  GH_TOKEN           <secret>  [shell: echo gh_from_the_command (not run)]",
                 "  NPM_TOKEN          <secret>  [file: NPM_TOKEN in .secrets.env]",
                 "  PIP_TOKEN          <secret>  [secret, from the environment]"]:
        assert line in out.splitlines()
    assert "npm_from_the_file" not in out and "pip_from_the_env" not in out
    text = "\n".join(line[2:] for line in commands(out).splitlines()).replace("\\\n", " ")
    printed = [shlex.split(line) for line in text.splitlines() if not line.startswith("mkgen:")]
    checkout = Checkout(root=tmp_path, bin=tmp_path / "bin", log=tmp_path / "docker.log")
    install_recording_docker(checkout.bin)
    (checkout.bin / "docker").write_text(RECORDING_DOCKER + 'echo "$GH_TOKEN $NPM_TOKEN '
                                         '$PIP_TOKEN" >> "$MKGEN_DOCKER_LOG.env"\n')
    result = checkout.make("app_build", env=checkout.env(PIP_TOKEN="pip_from_the_env"))
    assert result.returncode == 0, result.stderr
    assert printed == [["docker", *call] for call in checkout.calls()]
    assert "--secret" in printed[0] and "id=GH_TOKEN,env=GH_TOKEN" in printed[0]
    assert "id=NPM_TOKEN,env=NPM_TOKEN" in printed[0] and "id=PIP_TOKEN,env=PIP_TOKEN" in \
        printed[0]
    assert (tmp_path / "docker.log.env").read_text() == \
        "gh_from_the_command npm_from_the_file pip_from_the_env\n"


def test_a_recipe_and_an_alias_are_explained_too(tree: Tree) -> None:
    config = _flagship_tree(tree)
    code, out, err = invoke("explain", "-c", str(config), "bolt_overlay", "BOLT_BASE_IMAGE=b:1")
    assert (code, err) == (0, "")
    assert out.startswith("bolt_overlay: Build docker/Dockerfile.bolt on BOLT_BASE_IMAGE as "
                          "BOLT_OUTPUT_IMAGE; BOLT_PUSH=1 pushes it. (recipe)\n")
    assert "  BOLT_OUTPUT_IMAGE                   b:1-bolt  [default]" in out.splitlines()
    assert f"--tag 'b:1-bolt' '{tree.root}'" in commands(out)
    code, out, _ = invoke("explain", "-c", str(config), "run")
    assert out.splitlines()[0] == ("run: Run the devel image in a new container. (alias of "
                                   "devel_run, stage devel)")
    assert "  CUDA_ARCHS                          (empty)  [select on PLATFORM]" in \
        invoke("explain", "-c", str(config), "release_build", "PLATFORM=amd64")[1].splitlines()


def test_the_makefile_snippet_is_not_run_by_explain(small: Path) -> None:
    text = small.read_text() + "makefile: |\n  $(shell touch PWNED)\n"
    small.write_text(text)
    code, _, err = invoke("explain", "-c", str(small), "app_build")
    assert (code, err) == (0, "")
    assert list(small.parent.rglob("PWNED")) == []


@pytest.mark.parametrize("folder", ["x$(shell touch PWNED1)y", "d$ollar"])
def test_explain_expands_nothing_from_the_project_path(tmp_path: Path, folder: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / folder
    root.mkdir()
    from tests.support import SMALL
    (root / "stages.yaml").write_text(SMALL)
    (root / "version.txt").write_text('VERSION = "1.2.3"\n')
    assert invoke("render", "-c", str(root / "stages.yaml"))[0] == 0
    monkeypatch.chdir(root)
    code, out, err = invoke("explain", "-c", str(root / "stages.yaml"), "app_build")
    assert (code, err) == (0, "")
    assert sorted(p.name for p in tmp_path.rglob("PWNED*")) == []
    assert f"\t--file '{root}/docker/Dockerfile.multi' \\" in commands(out)
    assert "  VERSION            1.2.3  [file: VERSION in version.txt]" in out.splitlines()
