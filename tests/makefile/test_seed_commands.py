"""Every command of TensorRT-LLM's docker/README.md (the build system the flagship renders),
run by GNU make on the rendered flagship Makefile with a recording docker stand-in first on
PATH; exact argv asserted."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import JENKINS_IMAGE, VERSION, Tree, install_standin, make_tree

RUN_OPTS = ["--rm", "--ipc=host", "--ulimit", "memlock=-1", "--ulimit", "stack=67108864",
            "--gpus=all"]
NGC = "nvcr.io/nvidia/tensorrt-llm"
TRTLLM_REPO = "urm.nvidia.com/sw-tensorrt-docker/tensorrt-llm-staging/release"


def default_args(tree: Tree, *extra: str) -> list[str]:
    args = ["BASE_IMAGE=nvcr.io/nvidia/pytorch", "BASE_TAG=25.01-py3", *extra,
            "TRT_VERSION=10.8.0.43", "BUILD_JOBS=8", f"GIT_COMMIT={tree.git('rev-parse', 'HEAD')}",
            f"TRT_LLM_VER={VERSION}"]
    out: list[str] = []
    for arg in sorted(args, key=_declared_order):
        out += ["--build-arg", arg]
    return out


_ORDER = ["BASE_IMAGE", "BASE_TAG", "DEVEL_IMAGE", "PYTHON_VERSION", "TRT_VERSION", "CUDA_ARCHS",
          "BUILD_WHEEL_OPTS", "BUILD_JOBS", "GITHUB_MIRROR", "GIT_COMMIT", "TRT_LLM_VER"]


def _declared_order(arg: str) -> int:
    return _ORDER.index(arg.split("=", 1)[0])


def build(tree: Tree, stage: str, tag: str, build_args: list[str]) -> list[str]:
    return ["buildx", "build", "--pull", "--load", "--target", stage, *build_args,
            "--file", f"{tree.docker_dir}/Dockerfile.multi", "--tag", tag, str(tree.root)]


def run(tree: Tree, image: str, workdir: str, *tail: str, opts: list[str] = RUN_OPTS) -> list[str]:
    return ["run", *opts, "--volume", f"{tree.root}:/code/tensorrt_llm", "--workdir", workdir,
            *tail, image]


def inspect(image: str) -> list[str]:
    """The check every run makes first without DOCKER_PULL=1: is the image here?"""
    return ["image", "inspect", image]


def user_layer(tree: Tree, image: str, uid: int, name: str, gid: int, group: str) -> list[str]:
    return ["buildx", "build", "--load", "--build-arg", f"BASE_IMAGE_WITH_TAG={image}",
            "--build-arg", f"USER_ID={uid}", "--build-arg", f"USER_NAME={name}",
            "--build-arg", f"GROUP_ID={gid}", "--build-arg", f"GROUP_NAME={group}",
            "--file", f"{tree.docker_dir}/Dockerfile.user", "--tag", f"{image}-{name}",
            str(tree.docker_dir)]


def ok(tree: Tree, *args: str, **kw: object) -> list[list[str]]:
    result = tree.make(*args, **kw)  # type: ignore[arg-type]
    assert result.returncode == 0, result.stderr
    return tree.calls()


def me() -> tuple[int, str, int, str]:
    import grp
    uid, gid = os.getuid(), os.getgid()
    return uid, pwd.getpwuid(uid).pw_name, gid, grp.getgrgid(gid).gr_name


# ---- Building Docker Images with GNU make -----------------------------------------------

def test_release_push_builds_the_release_target_then_pushes_that_tag(tree: Tree) -> None:
    tag = "tensorrt_llm/release:latest"
    assert ok(tree, "release_push") == [
        build(tree, "release", tag, default_args(tree)),
        ["push", tag],
    ]


def test_release_run_mounts_the_source_and_has_no_tty_without_a_terminal(tree: Tree) -> None:
    assert ok(tree, "release_run") == [
        inspect("tensorrt_llm/release:latest"),
        run(tree, "tensorrt_llm/release:latest", "/app/tensorrt_llm"),
    ]


def test_run_cmd_gives_the_command(tree: Tree) -> None:
    calls = ok(tree, "devel_run", "RUN_CMD=python3 -c 'print(1)'")
    assert calls == [inspect("tensorrt_llm/devel:latest"),
                     run(tree, "tensorrt_llm/devel:latest", "/code/tensorrt_llm") +
                     ["python3", "-c", "print(1)"]]


def test_run_passes_it_when_a_terminal_is_attached(tree: Tree) -> None:
    main, secondary = os.openpty()
    try:
        tree.log.write_text("")
        result = subprocess.run(["make", "-C", "docker", "devel_run"], cwd=tree.root,
                                env=tree.env(), stdin=secondary, capture_output=True, text=True)
    finally:
        os.close(main)
        os.close(secondary)
    assert result.returncode == 0, result.stderr
    assert tree.calls() == [inspect("tensorrt_llm/devel:latest"),
                            run(tree, "tensorrt_llm/devel:latest", "/code/tensorrt_llm",
                                opts=[*RUN_OPTS, "-it"])]


# ---- Building and Running Options ---------------------------------------------------------

def test_image_with_tag_is_the_exact_name_built_and_pushed(tree: Tree) -> None:
    tag = "urm.nvidia.com/sw-tensorrt-docker/tensorrt-llm:dev"
    assert ok(tree, "devel_push", f"IMAGE_WITH_TAG={tag}") == [
        build(tree, "devel", tag, default_args(tree)),
        ["push", tag],
    ]


def test_image_name_and_tag_compose_the_default(tree: Tree) -> None:
    calls = ok(tree, "wheel_build", "IMAGE_NAME=registry.local/trt", "IMAGE_TAG=v1")
    assert calls == [build(tree, "wheel", "registry.local/trt/wheel:v1", default_args(tree))]


def test_local_user_builds_a_user_layer_and_runs_it(tree: Tree) -> None:
    uid, name, gid, group = me()
    image = "tensorrt_llm/devel:latest"
    calls = ok(tree, "devel_run", "LOCAL_USER=1", f"HOME_DIR={tree.root}/nohome")
    assert calls == [
        inspect(image),
        user_layer(tree, image, uid, name, gid, group),
        run(tree, f"{image}-{name}", "/code/tensorrt_llm"),
    ]


def test_local_user_shares_the_home_cache_when_it_exists(tree: Tree, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".cache").mkdir(parents=True)
    uid, name, gid, group = me()
    image = "tensorrt_llm/devel:latest"
    calls = ok(tree, "devel_run", "LOCAL_USER=1", f"HOME_DIR={home}")
    assert calls[2] == ["run", *RUN_OPTS, "--volume", f"{tree.root}:/code/tensorrt_llm",
                        "--volume", f"{home}/.cache:/home/{name}/.cache",
                        "--workdir", "/code/tensorrt_llm", f"{image}-{name}"]


@pytest.mark.skipif(os.getuid() != 0 or not shutil.which("setpriv"),
                    reason="switching to a non-root caller needs root and setpriv")
def test_local_user_works_for_a_non_root_caller(tmp_path: Path) -> None:
    from tests.support import REPO
    base = Path(os.environ.get("TMPDIR", "/tmp")) / f"mkgen-nonroot-{os.getpid()}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(mode=0o755)
    try:
        tree = make_tree(base / "trt", REPO / "docker")
        subprocess.run(["chmod", "-R", "a+rwX", str(base)], check=True)
        nobody = pwd.getpwnam("nobody")
        prefix = ("setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}",
                  "--clear-groups")
        env = tree.env(HOME=str(base))
        calls = ok(tree, "devel_run", "LOCAL_USER=1", env=env, prefix=prefix)
        import grp
        group = grp.getgrgid(nobody.pw_gid).gr_name
        image = "tensorrt_llm/devel:latest"
        assert calls == [
            inspect(image),
            user_layer(tree, image, nobody.pw_uid, "nobody", nobody.pw_gid, group),
            run(tree, f"{image}-nobody", "/code/tensorrt_llm"),
        ]
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_cuda_archs_reaches_the_build_unmangled(tree: Tree) -> None:
    tag = "tensorrt_llm/release:latest"
    assert ok(tree, "release_build", "CUDA_ARCHS=80-real;90-real") == [
        build(tree, "release", tag, default_args(tree, "CUDA_ARCHS=80-real;90-real")),
    ]


def test_docker_run_args_add_options(tree: Tree) -> None:
    calls = ok(tree, "devel_run", "DOCKER_RUN_ARGS=--volume /data:/data --env A=1")
    assert calls == [inspect("tensorrt_llm/devel:latest"),
                     run(tree, "tensorrt_llm/devel:latest", "/code/tensorrt_llm",
                         "--volume", "/data:/data", "--env", "A=1")]


def test_docker_and_the_build_command_are_overridable(tree: Tree) -> None:
    install_standin(tree.root / "alt")
    os.rename(tree.root / "alt" / "docker", tree.root / "alt" / "podman")
    calls = ok(tree, "devel_push", f"DOCKER={tree.root}/alt/podman", "DOCKER_BUILD=docker build",
               "DOCKER_BUILD_OPTS=--network=none")
    # `docker build` goes to the docker stand-in; push goes through $(DOCKER) (podman's log).
    assert calls == [
        ["build", "--network=none", "--target", "devel", *default_args(tree),
         "--file", f"{tree.docker_dir}/Dockerfile.multi", "--tag", "tensorrt_llm/devel:latest",
         str(tree.root)],
        ["push", "tensorrt_llm/devel:latest"],
    ]


# ---- NGC Integration -----------------------------------------------------------------------

@pytest.mark.parametrize("family", ["devel", "release"])
def test_ngc_run_with_local_user_and_pull(tree: Tree, family: str) -> None:
    uid, name, gid, group = me()
    image = f"{NGC}/{family}:latest"
    workdir = "/app/tensorrt_llm" if family == "release" else "/code/tensorrt_llm"
    calls = ok(tree, f"ngc-{family}_run", "LOCAL_USER=1", "DOCKER_PULL=1",
               f"HOME_DIR={tree.root}/nohome")
    assert calls == [
        ["pull", image],
        user_layer(tree, image, uid, name, gid, group),
        run(tree, f"{image}-{name}", workdir),
    ]


def test_ngc_image_tag_selects_the_version(tree: Tree) -> None:
    assert ok(tree, "ngc-release_run", "IMAGE_TAG=0.20.0", "DOCKER_PULL=1") == [
        ["pull", f"{NGC}/release:0.20.0"],
        run(tree, f"{NGC}/release:0.20.0", "/app/tensorrt_llm"),
    ]


# ---- Jenkins Integration -------------------------------------------------------------------

def test_jenkins_push_uses_llm_docker_image_from_the_groovy_file(tree: Tree) -> None:
    assert ok(tree, "jenkins_push") == [
        build(tree, "devel", JENKINS_IMAGE, default_args(tree)),
        ["push", JENKINS_IMAGE],
    ]


def test_jenkins_run_local_user(tree: Tree) -> None:
    uid, name, gid, group = me()
    calls = ok(tree, "jenkins_run", "LOCAL_USER=1", f"HOME_DIR={tree.root}/nohome")
    assert calls == [
        inspect(JENKINS_IMAGE),
        user_layer(tree, JENKINS_IMAGE, uid, name, gid, group),
        run(tree, f"{JENKINS_IMAGE}-{name}", "/code/tensorrt_llm"),
    ]


def test_jenkins_missing_file_stops_before_any_docker_call(tree: Tree) -> None:
    (tree.root / "jenkins" / "L0_MergeRequest.groovy").unlink()
    result = tree.make("jenkins_push")
    assert result.returncode == 2
    assert tree.calls() == []
    assert (f"mkgen: {tree.root}/jenkins/L0_MergeRequest.groovy not found (it should set "
            "LLM_DOCKER_IMAGE); give LLM_DOCKER_IMAGE=... on the command line.") in result.stderr


def test_jenkins_missing_variable_stops_before_any_docker_call(tree: Tree) -> None:
    groovy = tree.root / "jenkins" / "L0_MergeRequest.groovy"
    groovy.write_text('LLM_SBSA_DOCKER_IMAGE = "x:1"\n')
    result = tree.make("jenkins_run")
    assert result.returncode == 2
    assert tree.calls() == []
    assert (f"mkgen: {groovy} does not set LLM_DOCKER_IMAGE; give LLM_DOCKER_IMAGE=... on the "
            "command line.") in result.stderr


def test_trtllm_build_is_a_release_on_the_jenkins_image_tagged_by_branch(tree: Tree) -> None:
    tag = f"{TRTLLM_REPO}:feature-x-1"
    args = default_args(tree, f"DEVEL_IMAGE={JENKINS_IMAGE}", "CUDA_ARCHS=80-real;90-real")
    assert ok(tree, "trtllm_build", "CUDA_ARCHS=80-real;90-real") == [
        build(tree, "release", tag, args)]


def test_trtllm_push(tree: Tree) -> None:
    tag = f"{TRTLLM_REPO}:feature-x-1"
    args = default_args(tree, f"DEVEL_IMAGE={JENKINS_IMAGE}")
    assert ok(tree, "trtllm_push") == [build(tree, "release", tag, args), ["push", tag]]


def test_trtllm_run_local_user_and_pull(tree: Tree) -> None:
    uid, name, gid, group = me()
    tag = f"{TRTLLM_REPO}:feature-x-1"
    assert ok(tree, "trtllm_run", "LOCAL_USER=1", "DOCKER_PULL=1",
              f"HOME_DIR={tree.root}/nohome") == [
        ["pull", tag],
        user_layer(tree, tag, uid, name, gid, group),
        run(tree, f"{tag}-{name}", "/app/tensorrt_llm"),
    ]


# ---- Docker rootless -----------------------------------------------------------------------

ROOTLESS_MSG = "mkgen: assuming Docker rootless mode; set IS_ROOTLESS=0 if it is not."


def test_rootless_is_detected_from_a_per_user_docker_host(tree: Tree) -> None:
    env = tree.env(DOCKER_HOST="unix:///run/user/1000/docker.sock")
    result = tree.make("devel_run", env=env)
    assert result.returncode == 0
    assert result.stdout.splitlines()[1] == ROOTLESS_MSG
    assert tree.calls() == [inspect("tensorrt_llm/devel:latest"),
                            run(tree, "tensorrt_llm/devel:latest", "/code/tensorrt_llm")]


def test_is_rootless_overrides_the_heuristics(tree: Tree) -> None:
    env = tree.env(DOCKER_HOST="unix:///run/user/1000/docker.sock")
    assert ROOTLESS_MSG not in tree.make("devel_run", "IS_ROOTLESS=0", env=env).stdout
    assert ROOTLESS_MSG in tree.make("devel_run", "IS_ROOTLESS=1").stdout


def test_source_dir_and_home_dir_override_the_mounts(tree: Tree, tmp_path: Path) -> None:
    (tmp_path / "bindfs-home" / ".cache").mkdir(parents=True)
    uid, name, gid, group = me()
    calls = ok(tree, "devel_run", "IS_ROOTLESS=1", "LOCAL_USER=1",
               f"SOURCE_DIR={tmp_path}/bindfs-src", f"HOME_DIR={tmp_path}/bindfs-home")
    assert calls[2] == ["run", *RUN_OPTS, "--volume", f"{tmp_path}/bindfs-src:/code/tensorrt_llm",
                        "--volume", f"{tmp_path}/bindfs-home/.cache:/home/{name}/.cache",
                        "--workdir", "/code/tensorrt_llm", f"tensorrt_llm/devel:latest-{name}"]


# ---- What the hand-written original got wrong ----------------------------------------------

def test_help_is_the_default_goal_and_calls_no_docker(tree: Tree) -> None:
    result = tree.make()
    assert result.returncode == 0
    assert result.stderr == ""
    assert tree.calls() == []
    lines = result.stdout.splitlines()
    assert lines[0] == f"make: Entering directory '{tree.docker_dir}'"
    assert lines[1] == "  Usage: make -C docker TARGET [VARIABLE=value ...]"
    for target in ("release_push", "devel_run", "ngc-devel_run", "jenkins_push", "trtllm_build"):
        assert any(line.split()[:1] == [target] for line in lines), target
    assert "    CUDA_ARCHS         CUDA architectures of the wheel, e.g. \"80-real;90-real\"; " \
           "empty builds all." in lines


def test_a_typo_stops_with_the_known_stages_and_no_docker_call(tree: Tree) -> None:
    result = tree.make("relase_build")
    assert result.returncode == 2
    assert tree.calls() == []
    assert ("*** mkgen: no target 'relase_build'. No stage or family is named 'relase'. "
            "Stages: base devel wheel release. Families: ngc-devel ngc-release jenkins trtllm. "
            "Run 'make help' to list every target.  Stop.") in result.stderr


def test_a_stray_file_named_like_a_target_changes_nothing(tree: Tree) -> None:
    (tree.docker_dir / "devel_run").write_text("")
    assert ok(tree, "devel_run") == [inspect("tensorrt_llm/devel:latest"),
                                     run(tree, "tensorrt_llm/devel:latest", "/code/tensorrt_llm")]


def test_every_generated_target_is_phony(tree: Tree) -> None:
    result = subprocess.run(["make", "-pq", "-C", "docker", "help"], cwd=tree.root,
                            env=tree.env(), capture_output=True, text=True)
    phony = next(line for line in result.stdout.splitlines() if line.startswith(".PHONY:"))
    help_text = tree.make().stdout
    targets = {line.split()[0] for line in help_text.splitlines()
               if line.startswith("      ") and "_" in line.split()[0]}
    assert len(targets) == 25
    assert targets <= set(phony.split()[1:])


def test_shell_values_are_computed_only_when_needed_and_once(tree: Tree) -> None:
    if not shutil.which("strace"):
        pytest.skip("strace is not installed")
    trace = tree.root.parent / "trace"

    def programs(*args: str) -> list[str]:
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve", "-e", "signal=none",
                        "-o", str(trace), "make", "-C", "docker", *args], cwd=tree.root,
                       env=tree.env(), stdin=subprocess.DEVNULL, capture_output=True, check=True)
        return [line.split('execve("', 1)[1].split('"', 1)[0]
                for line in trace.read_text().splitlines()
                if "execve(" in line and "= 0" in line]

    assert [Path(p).name for p in programs("help")] == ["make"]
    assert [Path(p).name for p in programs("-n", "release_build")] == ["make", "sh", "git"]
