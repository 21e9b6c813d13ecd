"""TensorRT-LLM's whole build system, target for target and variable for variable: GNU make on
the rendered flagship Makefile in a fake TensorRT-LLM checkout, the recording docker stand-in
asserting exact argv. docs/trtllm.md maps each of these to the stages.yaml lines that give it;
test_seed_commands.py covers what TensorRT-LLM's docker/README.md documents."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.makefile.trtllm import (
    ARM64_CUDA_ARCHS,
    CODE,
    HOST_PLATFORM,
    NGC,
    NGC_STAGING,
    build,
    build_args,
    inspect,
    me,
    ok,
    run,
    run_opts,
    user_layer,
    wheel_args,
)
from tests.support import (
    JENKINS_IMAGE,
    ROCKY_PY310_IMAGE,
    ROCKY_PY312_IMAGE,
    SBSA_IMAGE,
    TRTLLM_REPO,
    URM,
    VERSION,
    Tree,
)

STAGES = ["devel", "tritondevel", "wheel", "release", "tritonrelease"]
WORKDIR = {"wheel": "/src/tensorrt_llm", "release": "/app/tensorrt_llm",
           "tritonrelease": "/app/tensorrt_llm"}
CUDA = "nvcr.io/nvidia/cuda"


def stage_args(tree: Tree, stage: str, **given: str) -> list[str]:
    """tritonrelease builds its release stage on tritondevel."""
    if stage == "tritonrelease":
        given.setdefault("DEVEL_IMAGE", "tritondevel")
    return build_args(tree, **given)


# ---- <stage>_build/_push/_pull/_run/_user ------------------------------------------------

@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_builds_pushes_pulls_runs_and_builds_its_user_layer(
        tree: Tree, stage: str) -> None:
    image = f"tensorrt_llm/{stage}:latest"
    args = stage_args(tree, stage)
    assert ok(tree, f"{stage}_build") == [build(tree, stage, image, args)]
    assert ok(tree, f"{stage}_push") == [build(tree, stage, image, args), ["push", image]]
    assert ok(tree, f"{stage}_pull") == [["pull", image]]
    assert ok(tree, f"{stage}_run") == [
        inspect(image), run(tree, stage, image, WORKDIR.get(stage, CODE))]
    assert ok(tree, f"{stage}_user") == [user_layer(tree, image)]


@pytest.mark.parametrize("alias", ["build", "push", "run"])
def test_build_push_and_run_are_the_devel_ones(tree: Tree, alias: str) -> None:
    assert ok(tree, alias) == ok(tree, f"devel_{alias}")


def test_internal_stages_build_alone(tree: Tree) -> None:
    assert ok(tree, "base_build") == [build(tree, "base", "tensorrt_llm/base:latest",
                                            build_args(tree))]
    assert ok(tree, "tritonbuild_build") == [
        build(tree, "tritonbuild", "tensorrt_llm/tritonbuild:latest", build_args(tree))]


# ---- Build arguments ---------------------------------------------------------------------

@pytest.mark.parametrize("variable, arg", [
    ("CUDA_VERSION", "CUDA_VER"), ("CUDNN_VERSION", "CUDNN_VER"), ("NCCL_VERSION", "NCCL_VER"),
    ("CUBLAS_VERSION", "CUBLAS_VER"), ("TRT_VERSION", "TRT_VER"),
    ("TRT_LLM_VERSION", "TRT_LLM_VER"),
])
def test_versions_reach_the_build_under_the_dockerfiles_names(
        tree: Tree, variable: str, arg: str) -> None:
    assert ok(tree, "devel_build", f"{variable}=9.9") == [
        build(tree, "devel", "tensorrt_llm/devel:latest", build_args(tree, **{arg: "9.9"}))]


@pytest.mark.parametrize("variable", ["BASE_IMAGE", "BASE_TAG", "TRITON_IMAGE",
                                      "TRITON_BASE_TAG", "GITHUB_MIRROR", "PYTHON_VERSION",
                                      "TORCH_INSTALL_TYPE", "BUILD_WHEEL_SCRIPT", "GIT_COMMIT"])
def test_build_arguments_of_the_same_name(tree: Tree, variable: str) -> None:
    assert ok(tree, "wheel_build", f"{variable}=x-1") == [
        build(tree, "wheel", "tensorrt_llm/wheel:latest", build_args(tree, **{variable: "x-1"}))]


def test_the_version_is_read_from_version_py(tree: Tree) -> None:
    (tree.root / "tensorrt_llm" / "version.py").write_text('__version__ = "1.2.0"\n')
    assert ok(tree, "release_build")[0] == build(
        tree, "release", "tensorrt_llm/release:latest", build_args(tree, TRT_LLM_VER="1.2.0"))


def test_build_wheel_args_are_the_default_then_nvrtc_then_archs_then_opts(tree: Tree) -> None:
    calls = ok(tree, "wheel_build", "CUDA_ARCHS=80-real;90-real", "BUILD_WHEEL_OPTS=--fast x")
    assert calls == [build(tree, "wheel", "tensorrt_llm/wheel:latest", build_args(
        tree, BUILD_WHEEL_ARGS=wheel_args("80-real;90-real", "--fast x")))]
    # Given whole, BUILD_WHEEL_ARGS is what it says.
    calls = ok(tree, "wheel_build", "BUILD_WHEEL_ARGS=--only this")
    assert calls == [build(tree, "wheel", "tensorrt_llm/wheel:latest",
                           build_args(tree, BUILD_WHEEL_ARGS="--only this"))]


def test_arm64_builds_for_hopper_blackwell_by_default_without_quotes_in_the_value(
        tree: Tree) -> None:
    calls = ok(tree, "release_build", "PLATFORM=arm64")
    assert calls == [build(tree, "release", "tensorrt_llm/release:latest", build_args(
        tree, BUILD_WHEEL_ARGS=wheel_args(ARM64_CUDA_ARCHS)))]
    assert ok(tree, "release_build", "PLATFORM=amd64") == [build(
        tree, "release", "tensorrt_llm/release:latest", build_args(
            tree, BUILD_WHEEL_ARGS=wheel_args()))]


def test_github_clone_token_becomes_a_build_secret(tree: Tree) -> None:
    env = tree.env(GITHUB_CLONE_TOKEN="ghp_s3cret")
    result = tree.make("wheel_build", env=env)
    assert result.returncode == 0, result.stderr
    assert tree.calls() == [build(tree, "wheel", "tensorrt_llm/wheel:latest", build_args(tree),
                                  secret=True)]
    assert "ghp_s3cret" not in result.stdout + result.stderr


def test_jenkins_devel_builds_on_the_jenkins_image(tree: Tree) -> None:
    assert ok(tree, "release_build", "JENKINS_DEVEL=1") == [build(
        tree, "release", "tensorrt_llm/release:latest",
        build_args(tree, DEVEL_IMAGE=JENKINS_IMAGE))]


# ---- Families ------------------------------------------------------------------------------

@pytest.mark.parametrize("family, image", [("jenkins", JENKINS_IMAGE),
                                           ("jenkins-aarch64", SBSA_IMAGE)])
def test_jenkins_families_build_tritondevel_as_the_jenkins_image(
        tree: Tree, family: str, image: str) -> None:
    args = build_args(tree)
    assert ok(tree, f"{family}_push") == [build(tree, "tritondevel", image, args),
                                          ["push", image]]
    assert ok(tree, f"{family}_run") == [inspect(image), run(tree, family, image)]
    assert ok(tree, f"{family}_user") == [user_layer(tree, image)]


@pytest.mark.parametrize("python, image", [("3.12.3", ROCKY_PY312_IMAGE),
                                           ("3.10.12", ROCKY_PY310_IMAGE),
                                           ("3.10", ROCKY_PY310_IMAGE)])
def test_jenkins_rockylinux8_image_follows_python_version(
        tree: Tree, python: str, image: str) -> None:
    args = build_args(tree, BASE_IMAGE=CUDA, BASE_TAG="13.3.1-devel-rockylinux8",
                      PYTHON_VERSION=python)
    assert ok(tree, "jenkins-rockylinux8_push", f"PYTHON_VERSION={python}") == [
        build(tree, "tritondevel", image, args), ["push", image]]


def test_jenkins_rockylinux8_refuses_another_python(tree: Tree) -> None:
    result = tree.make("jenkins-rockylinux8_build", "PYTHON_VERSION=3.11.2")
    assert result.returncode == 2
    assert tree.calls() == []
    assert ("mkgen: JENKINS_ROCKYLINUX8_IMAGE: PYTHON_VERSION is '3.11.2', which none of "
            "3.10% 3.12% matches; give JENKINS_ROCKYLINUX8_IMAGE=... on the command line") \
        in result.stderr


@pytest.mark.parametrize("family, os_tag", [("rockylinux8", "rockylinux8"),
                                            ("ubuntu22", "ubuntu22.04"),
                                            ("ubuntu24", "ubuntu24.04")])
def test_os_variants_build_tritondevel_on_cuda_as_their_own_images(
        tree: Tree, family: str, os_tag: str) -> None:
    image = f"tensorrt_llm/{family}:latest"  # not tritondevel:latest, which they would clobber
    args = build_args(tree, BASE_IMAGE=CUDA, BASE_TAG=f"13.3.1-devel-{os_tag}")
    assert ok(tree, f"{family}_build") == [build(tree, "tritondevel", image, args)]


def test_trtllm_is_never_staged(tree: Tree) -> None:
    tag = f"{TRTLLM_REPO}:feature_x-1-{HOST_PLATFORM}"
    args = build_args(tree, DEVEL_IMAGE=JENKINS_IMAGE)
    assert ok(tree, "trtllm_push", "PUSH_TO_STAGING=1") == [build(tree, "release", tag, args),
                                                           ["push", tag]]


def test_trtllm_tag_is_the_branch_with_underscores_and_the_platform(tree: Tree) -> None:
    tree.git("checkout", "-q", "-b", "user/jane/fix-1")
    tag = f"{TRTLLM_REPO}:user_jane_fix-1-arm64"
    assert ok(tree, "trtllm_pull", "PLATFORM=arm64") == [["pull", tag]]


def test_ngc_devel_builds_both_platforms_on_the_multi_builder(tree: Tree) -> None:
    image = f"{NGC_STAGING}/devel:{VERSION}"
    opts = ("--platform", "linux/arm64,linux/amd64", "--builder=multi-builder")
    args = build_args(tree)
    # Built alone, it keeps an output (--load); pushed, the build itself pushes.
    assert ok(tree, "ngc-devel_build") == [
        build(tree, "devel", image, args, opts=("--pull", "--load", *opts))]
    assert ok(tree, "ngc-devel_push") == [
        build(tree, "devel", image, args, opts=("--pull", "--push", *opts))]


def test_ngc_devel_bakes_and_joins_its_platforms_on_the_multi_builder(tree: Tree) -> None:
    image = f"{NGC_STAGING}/devel:{VERSION}"
    # imagetools takes its registry settings from a builder: the one bake ran on.
    assert ok(tree, "ngc-devel_bake") == [
        ["buildx", "bake", "--file", f"{tree.docker_dir}/docker-bake.hcl",
         "--builder=multi-builder", "--push", "ngc-devel-push"],
        ["buildx", "imagetools", "create", "--builder=multi-builder", "--tag", image,
         f"{image}-arm64", f"{image}-amd64"]]
    # Without a builder, both run on the current one (`docker buildx use`).
    assert ok(tree, "ngc-devel_bake", "BUILDER=") == [
        ["buildx", "bake", "--file", f"{tree.docker_dir}/docker-bake.hcl", "--push",
         "ngc-devel-push"],
        ["buildx", "imagetools", "create", "--tag", image, f"{image}-arm64", f"{image}-amd64"]]


@pytest.mark.parametrize("staging, repo", [("0", NGC), ("1", NGC_STAGING)])
def test_ngc_images_run_and_pull_from_ngc_or_staging(tree: Tree, staging: str,
                                                     repo: str) -> None:
    for family, workdir in (("ngc-devel", CODE), ("ngc-release", "/app/tensorrt_llm")):
        image = f"{repo}/{family[4:]}:{VERSION}"
        assert ok(tree, f"{family}_pull", f"NGC_USE_STAGING={staging}") == [["pull", image]]
        assert ok(tree, f"{family}_run", f"NGC_USE_STAGING={staging}", "DOCKER_PULL=1") == [
            ["pull", image], run(tree, family, image, workdir)]


@pytest.mark.parametrize("platform", ["amd64", "arm64"])
def test_ngc_release_builds_one_platform_on_the_ngc_devel_image(tree: Tree, platform: str) -> None:
    image = f"{NGC_STAGING}/release:{VERSION}-{platform}"
    wheel = wheel_args(ARM64_CUDA_ARCHS if platform == "arm64" else "")
    args = build_args(tree, DEVEL_IMAGE=f"{NGC_STAGING}/devel:{VERSION}", BUILD_WHEEL_ARGS=wheel)
    opts = ("--pull", "--load", "--platform", f"linux/{platform}")
    assert ok(tree, "ngc-release_push", f"PLATFORM={platform}") == [
        build(tree, "release", image, args, opts=opts), ["push", image]]


def test_ngc_manifest_joins_both_architectures_then_pushes(tree: Tree) -> None:
    image = f"{NGC_STAGING}/release:{VERSION}"
    create = [["pull", f"{image}-amd64"], ["pull", f"{image}-arm64"],
              ["manifest", "create", image, "--amend", f"{image}-amd64",
               "--amend", f"{image}-arm64"]]
    assert ok(tree, "ngc-manifest_create") == create
    assert ok(tree, "ngc-manifest_push") == [*create, ["manifest", "push", image]]
    assert ok(tree, "ngc-manifest_push", "IMAGE_TAG=1.0.0")[-1] == [
        "manifest", "push", f"{NGC_STAGING}/release:1.0.0"]


def test_bolt_overlay_needs_its_base_image(tree: Tree) -> None:
    result = tree.make("bolt_overlay")
    assert result.returncode == 2
    assert tree.calls() == []
    assert "mkgen: bolt_overlay needs BOLT_BASE_IMAGE; give BOLT_BASE_IMAGE=... on the command " \
           "line" in result.stderr


@pytest.mark.parametrize("push", ["0", "1"])
def test_bolt_overlay_builds_dockerfile_bolt_and_pushes_on_request(tree: Tree, push: str) -> None:
    base = f"{URM}:release-1"
    calls = ok(tree, "bolt_overlay", f"BOLT_BASE_IMAGE={base}", f"BOLT_PUSH={push}",
               "BOLT_PROFILES_REF=profiles/v2")
    assert calls[0] == ["buildx", "build", "--pull", "--load", "--file",
                        f"{tree.docker_dir}/Dockerfile.bolt", "--build-arg", f"BASE_IMAGE={base}",
                        "--build-arg", "BOLT_BUNDLE_DIR=bolt", "--build-arg",
                        "BOLT_PROFILES_REF=profiles/v2", "--tag", f"{base}-bolt", str(tree.root)]
    assert calls[1:] == ([["push", f"{base}-bolt"]] if push == "1" else [])


# ---- Pushes ----------------------------------------------------------------------------------

def test_push_to_staging_pushes_the_staging_name(tree: Tree) -> None:
    image = f"{URM}:dev-1"
    staged = "urm.nvidia.com/sw-tensorrt-docker/tensorrt-llm-staging:dev-1"
    assert ok(tree, "devel_push", f"IMAGE_WITH_TAG={image}", "PUSH_TO_STAGING=1")[1:] == [
        ["tag", image, staged], ["push", staged]]
    # Off by default: what is given is what gets pushed (TensorRT-LLM's README).
    assert ok(tree, "devel_push", f"IMAGE_WITH_TAG={image}")[1:] == [["push", image]]


def test_a_push_with_local_user_pushes_what_its_build_built(tree: Tree) -> None:
    calls = ok(tree, "jenkins_push", "LOCAL_USER=1")
    assert calls[-1] == ["push", JENKINS_IMAGE]


# ---- Runs ----------------------------------------------------------------------------------

def test_runs_name_the_container_by_stage_and_user_and_the_host_by_stage(tree: Tree) -> None:
    calls = ok(tree, "tritondevel_run", "CONTAINER_NAME=trt")
    assert calls[1] == run(tree, "tritondevel", "tensorrt_llm/tritondevel:latest",
                           opts=run_opts("tritondevel", container="trt"))


def test_gpu_options_follow_nvidia_visible_devices(tree: Tree) -> None:
    calls = ok(tree, "devel_run", env=tree.env(NVIDIA_VISIBLE_DEVICES="0,1"))
    assert calls[1] == run(tree, "devel", "tensorrt_llm/devel:latest",
                           opts=run_opts("devel", gpus=("--gpus", '"device=0,1"')))
    calls = ok(tree, "devel_run", "GPU_OPTS=--gpus=none")
    assert calls[1] == run(tree, "devel", "tensorrt_llm/devel:latest",
                           opts=run_opts("devel", gpus=("--gpus=none",)))


def test_memlock_is_unlimited_only_when_not_rootless(tree: Tree) -> None:
    assert ok(tree, "devel_run", "IS_ROOTLESS=0")[1] == run(
        tree, "devel", "tensorrt_llm/devel:latest", opts=run_opts("devel", memlock=True))
    assert ok(tree, "devel_run", "IS_ROOTLESS=1")[1] == run(
        tree, "devel", "tensorrt_llm/devel:latest", opts=run_opts("devel", memlock=False))


def test_ccache_conan_and_extra_volumes_are_options(tree: Tree) -> None:
    calls = ok(tree, "devel_run", "CCACHE_DIR=/cache/cc", "CONAN_DIR=/cache/conan",
               "EXTRA_VOLUMES=--volume /data:/data", "CODE_DIR=/src")
    opts = run_opts("devel", code="/src", ccache="/cache/cc", conan="/cache/conan",
                    extra=("--volume", "/data:/data"))
    assert calls[1] == ["run", *opts, "--volume", f"{tree.root}:/src", "--workdir", "/src",
                        "tensorrt_llm/devel:latest"]


def test_wheel_runs_in_the_source_tree_of_the_image(tree: Tree) -> None:
    assert ok(tree, "wheel_run")[1] == run(tree, "wheel", "tensorrt_llm/wheel:latest",
                                           "/src/tensorrt_llm")


# ---- The environment -----------------------------------------------------------------------

def test_user_facing_variables_are_read_from_the_environment(tree: Tree) -> None:
    env = tree.env(IMAGE_TAG="from-env", LOCAL_USER="1", DOCKER_PULL="1",
                   HOME_DIR=str(tree.root / "nohome"), CUDA_ARCHS="89-real")
    calls = ok(tree, "release_run", env=env)
    image = "tensorrt_llm/release:from-env"
    assert calls == [["pull", image], user_layer(tree, image),
                     run(tree, "release", f"{image}-{me()[1]}", "/app/tensorrt_llm")]
    calls = ok(tree, "release_build", env=env)
    assert calls == [build(tree, "release", image, build_args(
        tree, BUILD_WHEEL_ARGS=wheel_args("89-real")))]


def test_built_ins_that_leak_from_ci_stay_unread(tree: Tree) -> None:
    """A CI runner's CONTAINER_NAME or BUILD_PLATFORM does not change what make does."""
    env = tree.env(CONTAINER_NAME="runner-42", BUILD_PLATFORM="linux/s390x", STAGE="x",
                   CONTAINER="y")
    assert ok(tree, "devel_run", env=env)[1] == run(tree, "devel", "tensorrt_llm/devel:latest")
    assert ok(tree, "devel_build", env=env) == [
        build(tree, "devel", "tensorrt_llm/devel:latest", build_args(tree))]


def test_the_flagship_declares_what_the_environment_may_set(tmp_path: Path) -> None:
    from mkgen.api import load_config
    from tests.support import FLAGSHIP

    read = {v.name for v in load_config(FLAGSHIP).variables if v.env}
    assert {"IMAGE_TAG", "IMAGE_NAME", "IMAGE_WITH_TAG", "LOCAL_USER", "DOCKER_PULL",
            "CUDA_ARCHS", "DOCKER_RUN_ARGS", "IS_ROOTLESS", "SOURCE_DIR", "HOME_DIR",
            "PUSH_TO_STAGING", "NVIDIA_VISIBLE_DEVICES"} <= read
    assert not {"CONTAINER_NAME", "CONTAINER", "BUILD_PLATFORM", "USER_NAME", "USER_ID"} & read
