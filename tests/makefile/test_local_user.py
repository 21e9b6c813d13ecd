"""LOCAL_USER=1 for callers whose names are not Unix-simple: SSSD/Active Directory users
(alice@corp.example.com in "domain users"), names with blanks and upper case, and callers
`id` knows no name for. A fake `id` first on PATH prints what such systems print; GNU make
runs the flagship Makefile with the recording docker stand-in, exact argv asserted, and the
image built is checked against Docker's reference grammar."""
from __future__ import annotations

import re

import pytest

from tests.makefile.trtllm import inspect, ok, run, run_opts
from tests.support import Tree

# Docker's reference grammar (distribution/reference): [domain[:port]/]path[:tag].
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_DOMAIN = rf"(?:{_LABEL}(?:\.{_LABEL})*(?::[0-9]+)?/)"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
REFERENCE = re.compile(rf"{_DOMAIN}?{_COMPONENT}(?:/{_COMPONENT})*(?::{_TAG})?")
CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")

SSSD = ("uid=1234567(alice@corp.example.com) gid=1234513(domain users) "
        "groups=1234513(domain users),1234600(Linux Admins)")


def fake_id(tree: Tree, output: str) -> None:
    script = tree.bin / "id"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' '{output}'\n")
    script.chmod(0o755)


def user_layer(tree: Tree, image: str, uid: str, name: str, gid: str, group: str,
               tag: str) -> list[str]:
    return ["buildx", "build", "--load", "--build-arg", f"BASE_IMAGE_WITH_TAG={image}",
            "--build-arg", f"USER_ID={uid}", "--build-arg", f"USER_NAME={name}",
            "--build-arg", f"GROUP_ID={gid}", "--build-arg", f"GROUP_NAME={group}",
            "--file", f"{tree.docker_dir}/Dockerfile.user", "--tag", tag,
            str(tree.docker_dir)]


@pytest.mark.parametrize("output, uid, name, gid, group, suffix", [
    (SSSD, "1234567", "alice@corp.example.com", "1234513", "domain users",
     "alice-corp.example.com"),
    ("uid=1001(Jane Doe) gid=1001(Staff Group) groups=1001(Staff Group)", "1001", "Jane Doe",
     "1001", "Staff Group", "Jane-Doe"),
    ("uid=4242 gid=4343 groups=4343", "4242", "user4242", "4343", "group4343", "user4242"),
    ("uid=1000(bob) gid=1000(bob) euid=0(root) groups=1000(bob)", "1000", "bob", "1000", "bob",
     "bob"),
])
def test_local_user_works_for_any_user_and_group_name(
        tree: Tree, output: str, uid: str, name: str, gid: str, group: str,
        suffix: str) -> None:
    fake_id(tree, output)
    image = "tensorrt_llm/devel:latest"
    user_image = f"{image}-{suffix}"
    calls = ok(tree, "devel_run", "LOCAL_USER=1", f"HOME_DIR={tree.root}/nohome")
    assert calls == [
        inspect(image),
        user_layer(tree, image, uid, name, gid, group, user_image),
        run(tree, "devel", user_image,
            opts=[*run_opts("devel")[:-1], f"tensorrt_llm-devel-{suffix}"]),
    ]
    tag = calls[1][calls[1].index("--tag") + 1]
    assert REFERENCE.fullmatch(tag), tag
    assert CONTAINER_NAME.fullmatch(calls[2][calls[2].index("--name") + 1])


def test_a_user_image_tag_stays_valid_whatever_the_lengths(tree: Tree) -> None:
    fake_id(tree, f"uid=7(u{'x' * 120}) gid=7(g) groups=7(g)")
    calls = ok(tree, "devel_run", "LOCAL_USER=1", "IMAGE_TAG=" + "t" * 100,
               f"HOME_DIR={tree.root}/nohome")
    tag = calls[1][calls[1].index("--tag") + 1]
    assert REFERENCE.fullmatch(tag), tag
    assert tag.startswith("tensorrt_llm/devel:" + "t" * 64 + "-")
