"""Every command of TensorRT-LLM's docker/README.md (the build system the flagship renders),
run by GNU make on the rendered flagship Makefile with a recording docker stand-in first on
PATH; exact argv asserted. tests/makefile/test_trtllm.py covers the rest of that system."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.makefile.trtllm import (
    CODE,
    HOST_PLATFORM,
    NGC,
    build,
    build_args,
    inspect,
    me,
    ok,
    run,
    run_opts,
    user_layer,
)
from tests.support import (
    GROOVY_JENKINS_IMAGE,
    JENKINS_IMAGE,
    TRTLLM_REPO,
    VERSION,
    Tree,
    install_standin,
    make_tree,
)

TRTLLM_TAG = f"{TRTLLM_REPO}:feature_x-1-{HOST_PLATFORM}"


# ---- Building Docker Images with GNU make -----------------------------------------------

def test_release_push_builds_the_release_target_then_pushes_that_tag(tree: Tree) -> None:
    tag = "tensorrt_llm/release:latest"
    assert ok(tree, "release_push") == [
        build(tree, "release", tag, build_args(tree)),
        ["push", tag],
    ]


def test_release_run_mounts_the_source_and_has_no_tty_without_a_terminal(tree: Tree) -> None:
    assert ok(tree, "release_run") == [
        inspect("tensorrt_llm/release:latest"),
        run(tree, "release", "tensorrt_llm/release:latest", "/app/tensorrt_llm"),
    ]


def test_run_cmd_gives_the_command(tree: Tree) -> None:
    calls = ok(tree, "devel_run", "RUN_CMD=python3 -c 'print(1)'")
    assert calls == [inspect("tensorrt_llm/devel:latest"),
                     run(tree, "devel", "tensorrt_llm/devel:latest") +
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
                            run(tree, "devel", "tensorrt_llm/devel:latest",
                                opts=run_opts("devel", tty=True))]


# ---- Building and Running Options ---------------------------------------------------------

def test_image_with_tag_is_the_exact_name_built_and_pushed(tree: Tree) -> None:
    tag = "urm.nvidia.com/sw-tensorrt-docker/tensorrt-llm:dev"
    assert ok(tree, "devel_push", f"IMAGE_WITH_TAG={tag}") == [
        build(tree, "devel", tag, build_args(tree)),
        ["push", tag],
    ]


def test_image_name_and_tag_compose_the_default(tree: Tree) -> None:
    calls = ok(tree, "wheel_build", "IMAGE_NAME=registry.local/trt", "IMAGE_TAG=v1")
    assert calls == [build(tree, "wheel", "registry.local/trt/wheel:v1", build_args(tree))]


def test_local_user_builds_a_user_layer_and_runs_it(tree: Tree) -> None:
    name = me()[1]
    image = "tensorrt_llm/devel:latest"
    calls = ok(tree, "devel_run", "LOCAL_USER=1", f"HOME_DIR={tree.root}/nohome")
    assert calls == [
        inspect(image),
        user_layer(tree, image),
        run(tree, "devel", f"{image}-{name}"),
    ]


def test_local_user_shares_the_home_cache_when_it_exists(tree: Tree, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".cache").mkdir(parents=True)
    name = me()[1]
    calls = ok(tree, "devel_run", "LOCAL_USER=1", f"HOME_DIR={home}")
    assert calls[2] == run(tree, "devel", f"tensorrt_llm/devel:latest-{name}",
                           volumes=("--volume", f"{home}/.cache:/home/{name}/.cache"))


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
        layer = user_layer(tree, image)
        uid, name, gid, mine = me()
        layer = [a.replace(f"USER_ID={uid}", f"USER_ID={nobody.pw_uid}")
                 .replace(f"USER_NAME={name}", "USER_NAME=nobody")
                 .replace(f"GROUP_ID={gid}", f"GROUP_ID={nobody.pw_gid}")
                 .replace(f"GROUP_NAME={mine}", f"GROUP_NAME={group}")
                 .replace(f"{image}-{name}", f"{image}-nobody") for a in layer]
        opts = [o.replace(f"-devel-{name}", "-devel-nobody") for o in run_opts("devel")]
        assert calls == [inspect(image), layer,
                         run(tree, "devel", f"{image}-nobody", opts=opts)]
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_cuda_archs_reaches_the_build_unmangled(tree: Tree) -> None:
    tag = "tensorrt_llm/release:latest"
    assert ok(tree, "release_build", "CUDA_ARCHS=80-real;90-real") == [
        build(tree, "release", tag, build_args(
            tree, BUILD_WHEEL_ARGS="--clean --benchmarks --extra-cmake-vars "
            'NVRTC_DYNAMIC_LINKING=ON --cuda_architectures "80-real;90-real"')),
    ]


def test_docker_run_args_add_options(tree: Tree) -> None:
    calls = ok(tree, "devel_run", "DOCKER_RUN_ARGS=--volume /data:/data --env A=1")
    assert calls == [inspect("tensorrt_llm/devel:latest"),
                     run(tree, "devel", "tensorrt_llm/devel:latest", CODE,
                         "--volume", "/data:/data", "--env", "A=1")]


def test_docker_and_the_build_command_are_overridable(tree: Tree) -> None:
    install_standin(tree.root / "alt")
    os.rename(tree.root / "alt" / "docker", tree.root / "alt" / "podman")
    calls = ok(tree, "devel_push", f"DOCKER={tree.root}/alt/podman", "DOCKER_BUILD=docker build",
               "DOCKER_BUILD_OPTS=--network=none")
    # `docker build` goes to the docker stand-in; push goes through $(DOCKER) (podman's log).
    assert calls == [
        ["build", "--network=none", "--target", "devel", *build_args(tree),
         "--file", f"{tree.docker_dir}/Dockerfile.multi", "--tag", "tensorrt_llm/devel:latest",
         str(tree.root)],
        ["push", "tensorrt_llm/devel:latest"],
    ]


# ---- NGC Integration -----------------------------------------------------------------------

@pytest.mark.parametrize("family", ["devel", "release"])
def test_ngc_run_with_local_user_and_pull(tree: Tree, family: str) -> None:
    name = me()[1]
    image = f"{NGC}/{family}:{VERSION}"
    workdir = "/app/tensorrt_llm" if family == "release" else CODE
    calls = ok(tree, f"ngc-{family}_run", "LOCAL_USER=1", "DOCKER_PULL=1",
               f"HOME_DIR={tree.root}/nohome")
    assert calls == [
        ["pull", image],
        user_layer(tree, image),
        run(tree, f"ngc-{family}", f"{image}-{name}", workdir),
    ]


def test_ngc_image_tag_selects_the_version(tree: Tree) -> None:
    assert ok(tree, "ngc-release_run", "IMAGE_TAG=0.20.0", "DOCKER_PULL=1") == [
        ["pull", f"{NGC}/release:0.20.0"],
        run(tree, "ngc-release", f"{NGC}/release:0.20.0", "/app/tensorrt_llm"),
    ]


# ---- Jenkins Integration -------------------------------------------------------------------

def test_jenkins_push_uses_llm_docker_image_from_the_jenkins_files(tree: Tree) -> None:
    assert ok(tree, "jenkins_push") == [
        build(tree, "tritondevel", JENKINS_IMAGE, build_args(tree)),
        ["push", JENKINS_IMAGE],
    ]


def test_without_the_properties_file_the_groovy_file_names_the_image(tree: Tree) -> None:
    """The seed's contract: the image is defined in jenkins/L0_MergeRequest.groovy."""
    (tree.root / "jenkins" / "current_image_tags.properties").unlink()
    assert ok(tree, "jenkins_push") == [
        build(tree, "tritondevel", GROOVY_JENKINS_IMAGE, build_args(tree)),
        ["push", GROOVY_JENKINS_IMAGE],
    ]


def test_jenkins_run_local_user(tree: Tree) -> None:
    name = me()[1]
    calls = ok(tree, "jenkins_run", "LOCAL_USER=1", f"HOME_DIR={tree.root}/nohome")
    assert calls == [
        inspect(JENKINS_IMAGE),
        user_layer(tree, JENKINS_IMAGE),
        run(tree, "jenkins", f"{JENKINS_IMAGE}-{name}"),
    ]


def test_jenkins_files_missing_stops_before_any_docker_call(tree: Tree) -> None:
    for name in ("current_image_tags.properties", "L0_MergeRequest.groovy"):
        (tree.root / "jenkins" / name).unlink()
    result = tree.make("jenkins_push")
    assert result.returncode == 2
    assert tree.calls() == []
    assert ("mkgen: none of jenkins/current_image_tags.properties jenkins/L0_MergeRequest.groovy "
            "sets LLM_DOCKER_IMAGE; give LLM_DOCKER_IMAGE=... on the command line.") \
        in result.stderr


def test_jenkins_missing_variable_stops_before_any_docker_call(tree: Tree) -> None:
    (tree.root / "jenkins" / "current_image_tags.properties").write_text("OTHER=x:1\n")
    (tree.root / "jenkins" / "L0_MergeRequest.groovy").write_text('OTHER = "x:1"\n')
    result = tree.make("jenkins_run")
    assert result.returncode == 2
    assert tree.calls() == []
    assert "sets LLM_DOCKER_IMAGE; give LLM_DOCKER_IMAGE=... on the command line" in result.stderr


def test_trtllm_build_is_a_release_on_the_jenkins_image_tagged_by_branch(tree: Tree) -> None:
    args = build_args(tree, DEVEL_IMAGE=JENKINS_IMAGE, BUILD_WHEEL_ARGS=(
        "--clean --benchmarks --extra-cmake-vars NVRTC_DYNAMIC_LINKING=ON "
        '--cuda_architectures "80-real;90-real"'))
    assert ok(tree, "trtllm_build", "CUDA_ARCHS=80-real;90-real") == [
        build(tree, "release", TRTLLM_TAG, args)]


def test_trtllm_push(tree: Tree) -> None:
    args = build_args(tree, DEVEL_IMAGE=JENKINS_IMAGE)
    assert ok(tree, "trtllm_push") == [build(tree, "release", TRTLLM_TAG, args),
                                       ["push", TRTLLM_TAG]]


def test_trtllm_run_local_user_and_pull(tree: Tree) -> None:
    name = me()[1]
    assert ok(tree, "trtllm_run", "LOCAL_USER=1", "DOCKER_PULL=1",
              f"HOME_DIR={tree.root}/nohome") == [
        ["pull", TRTLLM_TAG],
        user_layer(tree, TRTLLM_TAG),
        run(tree, "trtllm", f"{TRTLLM_TAG}-{name}", "/app/tensorrt_llm"),
    ]


# ---- Docker rootless -----------------------------------------------------------------------

ROOTLESS_MSG = "mkgen: assuming Docker rootless mode; set IS_ROOTLESS=0 if it is not."


def test_rootless_is_detected_from_a_per_user_docker_host(tree: Tree) -> None:
    env = tree.env(DOCKER_HOST="unix:///run/user/1000/docker.sock")
    result = tree.make("devel_run", env=env)
    assert result.returncode == 0
    assert result.stdout.splitlines()[1] == ROOTLESS_MSG
    assert tree.calls() == [inspect("tensorrt_llm/devel:latest"),
                            run(tree, "devel", "tensorrt_llm/devel:latest",
                                opts=run_opts("devel", memlock=False))]


def test_is_rootless_overrides_the_heuristics(tree: Tree) -> None:
    env = tree.env(DOCKER_HOST="unix:///run/user/1000/docker.sock")
    assert ROOTLESS_MSG not in tree.make("devel_run", "IS_ROOTLESS=0", env=env).stdout
    assert ROOTLESS_MSG in tree.make("devel_run", "IS_ROOTLESS=1").stdout


def test_source_dir_and_home_dir_override_the_mounts(tree: Tree, tmp_path: Path) -> None:
    (tmp_path / "bindfs-home" / ".cache").mkdir(parents=True)
    name = me()[1]
    calls = ok(tree, "devel_run", "IS_ROOTLESS=1", "LOCAL_USER=1",
               f"SOURCE_DIR={tmp_path}/bindfs-src", f"HOME_DIR={tmp_path}/bindfs-home")
    assert calls[2] == ["run", *run_opts("devel", memlock=False),
                        "--volume", f"{tmp_path}/bindfs-src:{CODE}",
                        "--volume", f"{tmp_path}/bindfs-home/.cache:/home/{name}/.cache",
                        "--workdir", CODE, f"tensorrt_llm/devel:latest-{name}"]


# ---- What the hand-written original got wrong ----------------------------------------------

def test_help_is_the_default_goal_and_calls_no_docker(tree: Tree) -> None:
    result = tree.make()
    assert result.returncode == 0
    assert result.stderr == ""
    assert tree.calls() == []
    lines = result.stdout.splitlines()
    assert lines[0] == f"make: Entering directory '{tree.docker_dir}'"
    assert lines[1] == "  Usage: make -C docker TARGET [VARIABLE=value ...]"
    for target in ("release_push", "devel_run", "ngc-devel_run", "jenkins_push", "trtllm_build",
                   "bolt_overlay", "build"):
        assert any(line.split()[:1] == [target] for line in lines), target
    assert "    CUDA_ARCHS                          CUDA architectures of the wheel, e.g. " \
           "\"80-real;90-real\"; empty builds all." in lines


def test_a_typo_stops_with_the_known_stages_and_no_docker_call(tree: Tree) -> None:
    result = tree.make("relase_build")
    assert result.returncode == 2
    assert tree.calls() == []
    assert ("*** mkgen: no target 'relase_build'. No stage or family is named 'relase'. "
            "Stages: base devel triton tritondevel wheel release tritonbuild tritonrelease. "
            "Families: jenkins jenkins-aarch64 jenkins-rockylinux8 rockylinux8 ubuntu22 "
            "ubuntu24 trtllm ngc-devel ngc-release. Run 'make help' to list every target.  "
            "Stop.") in result.stderr


def test_a_stray_file_named_like_a_target_changes_nothing(tree: Tree) -> None:
    (tree.docker_dir / "devel_run").write_text("")
    assert ok(tree, "devel_run") == [inspect("tensorrt_llm/devel:latest"),
                                     run(tree, "devel", "tensorrt_llm/devel:latest")]


def test_every_target_in_help_is_phony(tree: Tree) -> None:
    result = subprocess.run(["make", "-pq", "-C", "docker", "help"], cwd=tree.root,
                            env=tree.env(), capture_output=True, text=True)
    phony = next(line for line in result.stdout.splitlines() if line.startswith(".PHONY:"))
    help_text = tree.make().stdout
    targets = {line.split()[0] for line in help_text.splitlines()
               if line.startswith("      ") and line.split()[0] not in ("default:",)}
    # 6 actions (build, push, run, pull, user, bake) of 5 stages and 9 families, base_build,
    # tritonbuild_build, 3 recipes, 3 aliases, help and doctor.
    assert len(targets) == 6 * 14 + 2 + 3 + 3 + 2
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
