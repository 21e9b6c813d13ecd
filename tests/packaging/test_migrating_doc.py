"""docs/migrating.md, which ships in the sdist, says what changes for the callers of a
hand-written Makefile and how to keep old names. Its snippets are added to a copy of the
flagship and its claims checked with GNU make on the rendered Makefile (docker stand-in)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support import FLAGSHIP, REPO, Tree, make_tree

DOC = (REPO / "docs" / "migrating.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.S)


@pytest.fixture
def migrated(tmp_path: Path) -> Tree:
    """The flagship plus the doc's `aliases:` and `variables:` snippets, rendered."""
    config = yaml.safe_load(FLAGSHIP.read_text())
    snippets = [yaml.safe_load(b) for b in blocks("yaml")]
    aliases = [s for s in snippets if "aliases" in s]
    variables = [s for s in snippets if "variables" in s]
    assert len(aliases) == 1 and len(variables) == 1
    config["aliases"] = {**config["aliases"], **aliases[0]["aliases"]}
    config["variables"] = {**config["variables"], **variables[0]["variables"]}
    project = tmp_path / "project"
    project.mkdir()
    (project / "stages.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    subprocess.run(["mkgen", "render"], cwd=project, check=True, capture_output=True)
    return make_tree(tmp_path / "trt", project / "docker")


def dry(tree: Tree, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return tree.make("-n", "-s", "--no-print-directory", *args, env=tree.env(**env))


def test_old_target_names_run_what_the_new_ones_run(migrated: Tree) -> None:
    for old, new in (("devel-image_run", "devel_run"), ("devel-image_build", "devel_build"),
                     ("release-image_push", "release_push")):
        assert f"  {old}: {new}\n" in DOC
        was, now = dry(migrated, old, "LOCAL_USER=1"), dry(migrated, new, "LOCAL_USER=1")
        assert was.returncode == now.returncode == 0, was.stderr + now.stderr
        assert was.stdout == now.stdout and "docker" in now.stdout


def test_an_old_variable_name_feeds_the_new_one(migrated: Tree) -> None:
    out = dry(migrated, "devel_run", "EXTRA_RUN_ARGS=--volume /data:/data").stdout
    assert "--workdir '/code/tensorrt_llm' --volume /data:/data \\\n" in out
    out = dry(migrated, "devel_run", "DOCKER_RUN_ARGS=--volume /x:/x",
              "EXTRA_RUN_ARGS=--volume /data:/data").stdout
    assert "--volume /x:/x" in out and "/data" not in out


def test_the_environment_is_read_only_for_variables_declared_so(migrated: Tree) -> None:
    assert "make -C docker release_push IMAGE_TAG=\"$IMAGE_TAG\"" in DOC
    assert "`IMAGE_TAG: {env: true}`" in DOC
    # The flagship declares IMAGE_TAG `env: true`, as TensorRT-LLM's Makefile read it.
    from_env = dry(migrated, "release_push", IMAGE_TAG="nightly").stdout
    assert "docker push 'tensorrt_llm/release:nightly'" in from_env
    from_line = dry(migrated, "release_push", "IMAGE_TAG=nightly").stdout
    assert "docker push 'tensorrt_llm/release:nightly'" in from_line
    # A runner's own CONTAINER_NAME is not read: the flagship does not declare it so.
    stray = dry(migrated, "devel_run", CONTAINER_NAME="runner-7").stdout
    assert "--name 'tensorrt_llm-devel-" in stray and "runner-7" not in stray


def test_a_missing_action_is_named_as_such(migrated: Tree) -> None:
    assert "stops with \"'tritonbuild' has no push target\"" in DOC
    result = migrated.make("tritonbuild_push")
    assert result.returncode == 2
    assert "mkgen: no target 'tritonbuild_push'. 'tritonbuild' has no push target." \
        in result.stderr
    assert migrated.calls() == []


def test_a_typo_stops_with_the_documented_message(migrated: Tree) -> None:
    quoted = re.search(r"\n```\n(\*\*\* mkgen: no target 'relase_build'.*?)\n```", DOC, re.S)
    assert quoted is not None
    message = quoted.group(1)
    typo = migrated.make("relase_build")
    assert typo.returncode == 2
    assert message in typo.stderr
    assert migrated.calls() == []
    bare = migrated.make()
    assert bare.returncode == 0 and "Usage: make -C docker TARGET" in bare.stdout
    assert migrated.calls() == []
