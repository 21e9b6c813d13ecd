"""The docker calls the flagship's Makefile makes, as exact argv: what TensorRT-LLM's build
system (docs/trtllm.md) must do, written once for test_seed_commands.py and test_trtllm.py."""
from __future__ import annotations

import grp
import os
import platform
import pwd
import socket

from tests.support import VERSION, Tree

CODE = "/code/tensorrt_llm"
NGC = "nvcr.io/nvidia/tensorrt-llm"
NGC_STAGING = "nvcr.io/nvstaging/tensorrt-llm"
# The architecture PLATFORM defaults to: this machine's, as amd64 or arm64.
HOST_PLATFORM = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine()]
ARM64_CUDA_ARCHS = "90-real;100-real;120-real"

# Build arguments in the order the Makefile passes them (their order in stages.yaml).
ARG_ORDER = ["BASE_IMAGE", "BASE_TAG", "TRITON_IMAGE", "TRITON_BASE_TAG", "DEVEL_IMAGE",
             "GITHUB_MIRROR", "PYTHON_VERSION", "TRT_VER", "CUDA_VER", "CUDNN_VER", "NCCL_VER",
             "CUBLAS_VER", "TORCH_INSTALL_TYPE", "BUILD_WHEEL_ARGS", "BUILD_WHEEL_SCRIPT",
             "GIT_COMMIT", "TRT_LLM_VER"]


def wheel_args(cuda_archs: str = "", opts: str = "") -> str:
    """BUILD_WHEEL_ARGS as composed: the Dockerfile's default, NVRTC, CUDA archs, options."""
    out = "--clean --benchmarks --extra-cmake-vars NVRTC_DYNAMIC_LINKING=ON"
    out += f' --cuda_architectures "{cuda_archs}"' if cuda_archs else ""
    return out + (f" {opts}" if opts else "")


def build_args(tree: Tree, **given: str) -> list[str]:
    """Every --build-arg of a build: the defaults, then what `given` adds or replaces."""
    values = {"BASE_IMAGE": "nvcr.io/nvidia/pytorch", "BASE_TAG": "25.08-py3",
              "TRITON_IMAGE": "nvcr.io/nvidia/tritonserver", "TRITON_BASE_TAG": "25.08-py3",
              "PYTHON_VERSION": "3.12.3", "TORCH_INSTALL_TYPE": "skip",
              "BUILD_WHEEL_ARGS": wheel_args(ARM64_CUDA_ARCHS if HOST_PLATFORM == "arm64"
                                             else ""),
              "BUILD_WHEEL_SCRIPT": "scripts/build_wheel.py",
              "GIT_COMMIT": tree.git("rev-parse", "HEAD"), "TRT_LLM_VER": VERSION}
    values.update(given)
    out: list[str] = []
    for name in ARG_ORDER:
        if values.get(name):
            out += ["--build-arg", f"{name}={values[name]}"]
    return out


def build(tree: Tree, stage: str, tag: str, args: list[str], *, opts: tuple[str, ...] = (
          "--pull", "--load"), secret: bool = False) -> list[str]:
    return ["buildx", "build", *opts, "--target", stage, *args,
            *(["--secret", "id=github_clone_token,env=GITHUB_CLONE_TOKEN"] if secret else []),
            "--file", f"{tree.docker_dir}/Dockerfile.multi", "--tag", tag, str(tree.root)]


def me() -> tuple[int, str, int, str]:
    uid, gid = os.getuid(), os.getgid()
    return uid, pwd.getpwuid(uid).pw_name, gid, grp.getgrgid(gid).gr_name


def run_opts(stem: str, *, memlock: bool = True, gpus: tuple[str, ...] = ("--gpus=all",),
             code: str = CODE, ccache: str = "", conan: str = "", extra: tuple[str, ...] = (),
             tty: bool = False, container: str = "tensorrt_llm") -> list[str]:
    """The options every run passes before its volumes: DOCKER_RUN_OPTS as the flagship
    composes it, the terminal, and the container's name."""
    out = ["--rm", "--ipc=host", "--ulimit", "stack=67108864"]
    out += ["--ulimit", "memlock=-1"] if memlock else []
    out += [*gpus, "--tmpfs", "/tmp:exec", "--hostname", f"{socket.gethostname()}-{stem}",
            "--env", f"CCACHE_DIR={ccache or code + '/cpp/.ccache'}",
            "--env", f"CCACHE_BASEDIR={code}",
            "--env", f"CONAN_HOME={conan or code + '/cpp/.conan'}", *extra]
    return out + (["-it"] if tty else []) + ["--name", f"{container}-{stem}-{me()[1]}"]


def run(tree: Tree, stem: str, image: str, workdir: str = CODE, *tail: str,
        opts: list[str] | None = None, volumes: tuple[str, ...] = ()) -> list[str]:
    return ["run", *(opts if opts is not None else run_opts(stem)),
            "--volume", f"{tree.root}:{CODE}", *volumes, "--workdir", workdir, *tail, image]


def inspect(image: str) -> list[str]:
    """The check every run makes first without DOCKER_PULL=1: is the image here?"""
    return ["image", "inspect", image]


def user_layer(tree: Tree, image: str, opts: tuple[str, ...] = ("--load",)) -> list[str]:
    uid, name, gid, group = me()
    return ["buildx", "build", *opts, "--build-arg", f"BASE_IMAGE_WITH_TAG={image}",
            "--build-arg", f"USER_ID={uid}", "--build-arg", f"USER_NAME={name}",
            "--build-arg", f"GROUP_ID={gid}", "--build-arg", f"GROUP_NAME={group}",
            "--file", f"{tree.docker_dir}/Dockerfile.user", "--tag", f"{image}-{name}",
            str(tree.docker_dir)]


def ok(tree: Tree, *args: str, **kw: object) -> list[list[str]]:
    result = tree.make(*args, **kw)  # type: ignore[arg-type]
    assert result.returncode == 0, result.stderr
    return tree.calls()
