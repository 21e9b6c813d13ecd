"""What a build builds, read two ways into one shape: from a `docker buildx build` argv and
from `docker buildx bake --print` (real buildx: --print reads the bake file, no builder).

Options the bake file does not mirror are left out: DOCKER_BUILD_OPTS and DOCKER_BUILD_ARGS
(free-form docker options; --pull, --load, --push) and --progress, --builder.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

UNMIRRORED = {"--pull", "--load", "--push"}  # flags the bake file leaves to bake's caller


def real_docker() -> str:
    docker = shutil.which("docker")
    probe = docker and subprocess.run([docker, "buildx", "version"], capture_output=True)
    if not probe or probe.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail("docker buildx is missing: .ci/run installs it from ../shared")
        pytest.skip("docker buildx is not installed (bash ../shared/tools/buildkit/install.sh)")
    return docker


def build_fields(argv: list[str]) -> dict[str, object]:
    """What a `docker buildx build` argv builds, in the shape of bake's JSON (below)."""
    assert argv[:2] == ["buildx", "build"], argv
    fields: dict[str, object] = {"args": {}, "secret": [], "tags": [], "platforms": [],
                                 "cache-from": [], "cache-to": []}
    words = iter(argv[2:-1])
    for word in words:
        if word in UNMIRRORED:
            continue
        key, _, value = word.partition("=")
        value = value if _ else next(words)
        if key == "--build-arg":
            name, _, arg = value.partition("=")
            fields["args"][name] = arg  # type: ignore[index]
        elif key == "--platform":
            fields["platforms"] = value.split(",")
        elif key in ("--secret", "--tag", "--cache-from", "--cache-to"):
            fields[{"--tag": "tags"}.get(key, key[2:])].append(value)  # type: ignore[union-attr]
        elif key in ("--target", "--file", "--network"):
            fields[{"--file": "dockerfile"}.get(key, key[2:])] = value
        else:
            assert key in ("--progress", "--builder"), f"unexpected build option {word}"
    fields["context"] = argv[-1]
    return fields


def _entry(entry: dict[str, str]) -> str:
    """A cache or secret entry of bake's JSON as the option value a build is given."""
    order = ["type", "id", "ref", "env", "mode"]
    return ",".join(f"{k}={entry[k]}" for k in sorted(entry, key=order.index))


def _unescaped(text: str) -> str:
    # --print writes `${` as `$${` and `%{` as `%%{`, so that its output reads back as HCL.
    return text.replace("$${", "${").replace("%%{", "%{")


def print_fields(target: dict[str, object], cwd: Path) -> dict[str, object]:
    context = (cwd / str(target["context"])).resolve()
    return {"args": {k: _unescaped(v) for k, v in target.get("args", {}).items()},
            "secret": [_entry(s) for s in target.get("secret", [])],
            "tags": target.get("tags", []), "platforms": target.get("platforms", []),
            "cache-from": [_entry(c) for c in target.get("cache-from", [])],
            "cache-to": [_entry(c) for c in target.get("cache-to", [])],
            **({"network": target["network"]} if target.get("network") else {}),
            "target": target["target"], "dockerfile": str(context / str(target["dockerfile"])),
            "context": str(context)}


def bake_print(docker: str, bake_file: Path, target: str, cwd: Path,
               env: dict[str, str]) -> dict[str, object]:
    result = subprocess.run([docker, "buildx", "bake", "--file", str(bake_file), "--print",
                             target], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return print_fields(json.loads(result.stdout)["target"][target], cwd)
