"""`file:` + `key:` values, read by make itself from the project's files: comments are not
values, quotes of either kind go, and a key set twice stops make before any docker call.
GNU make on the flagship Makefile in a fake TensorRT-LLM checkout, the recording docker
stand-in asserting exact argv."""
from __future__ import annotations

import pytest

from tests.makefile.trtllm import build, build_args
from tests.support import Tree

OLD = "urm.nvidia.com/sw-tensorrt-docker/tensorrt-llm:old-2024"
LIVE = "urm.nvidia.com/sw-tensorrt-docker/tensorrt-llm:live-2025"


def jenkins_image(tree: Tree, groovy: str) -> str:
    """The image jenkins_build builds when the Groovy file (alone) reads `groovy`."""
    (tree.root / "jenkins" / "current_image_tags.properties").unlink()
    (tree.root / "jenkins" / "L0_MergeRequest.groovy").write_text(groovy)
    result = tree.make("jenkins_build")
    assert result.returncode == 0, result.stderr
    [argv] = tree.calls()
    return argv[argv.index("--tag") + 1]


@pytest.mark.parametrize("comment", [
    f'// LLM_DOCKER_IMAGE = "{OLD}"',
    f'    // LLM_DOCKER_IMAGE = "{OLD}"',
    f'# LLM_DOCKER_IMAGE = "{OLD}"',
    f'#LLM_DOCKER_IMAGE="{OLD}"',
    f'/* LLM_DOCKER_IMAGE = "{OLD}" */',
    f' * LLM_DOCKER_IMAGE = "{OLD}"',
    f'//LLM_DOCKER_IMAGE = "{OLD}"',
])
def test_a_commented_out_key_is_not_its_value(tree: Tree, comment: str) -> None:
    assert jenkins_image(tree, f'{comment}\nLLM_DOCKER_IMAGE = "{LIVE}"\n') == LIVE


@pytest.mark.parametrize("line", [
    f'LLM_DOCKER_IMAGE = "{LIVE}"',
    f"LLM_DOCKER_IMAGE = '{LIVE}'",
    f"LLM_DOCKER_IMAGE='{LIVE}'",
    f"  def LLM_DOCKER_IMAGE = '{LIVE}'",
    f'LLM_DOCKER_IMAGE = "{LIVE}"  // the image of the merge-request pipeline',
    f"LLM_DOCKER_IMAGE={LIVE}",
    f"LLM_DOCKER_IMAGE = {LIVE} # unquoted",
    f"LLM_DOCKER_IMAGE\t=\t{LIVE}",
])
def test_either_quote_style_and_trailing_comments_leave_the_bare_value(tree: Tree,
                                                                        line: str) -> None:
    assert jenkins_image(tree, f"// images\nLLM_SBSA_DOCKER_IMAGE = 'x:1'\n{line}\n") == LIVE


def test_a_single_quoted_version_reaches_the_build_without_its_quotes(tree: Tree) -> None:
    (tree.root / "tensorrt_llm" / "version.py").write_text(
        "# __version__ = '0.0.1'\n__version__ = '1.2.3'\n")
    result = tree.make("release_build")
    assert result.returncode == 0, result.stderr
    assert tree.calls() == [build(tree, "release", "tensorrt_llm/release:latest",
                                  build_args(tree, TRT_LLM_VER="1.2.3"))]


def test_a_key_set_on_two_live_lines_stops_make_naming_both(tree: Tree) -> None:
    groovy = tree.root / "jenkins" / "L0_MergeRequest.groovy"
    (tree.root / "jenkins" / "current_image_tags.properties").unlink()
    groovy.write_text(f'LLM_DOCKER_IMAGE = "{OLD}"\n// x\n\nLLM_DOCKER_IMAGE = "{LIVE}"\n')
    for goal in ("jenkins_build", "jenkins_push", "jenkins_run"):
        result = tree.make(goal)
        assert result.returncode == 2
        assert tree.calls() == []
        assert (f"mkgen: {groovy} sets LLM_DOCKER_IMAGE on lines 1 and 4 (one line "
                "expected); keep one, or give LLM_DOCKER_IMAGE=... on the command line.  "
                "Stop.") in result.stderr
