"""Every corpus Dockerfile (tests/adopt/cases) adopted by `mkgen init --from`, rendered, and
compared with the original through BuildKit's own parser: the same stages in the same order,
the same instructions, flags and values. The only differences are docs/adopt.md's
normalisations, and each file's are pinned here, as are its warnings (file:line) — so these
tables are also the figures docs/adopt.md reports."""
from __future__ import annotations

from pathlib import Path

import pytest

from mkgen import stamp
from tests.adopt import crosscheck
from tests.adopt.roundtrip import (
    ARG_QUOTES,
    AS_CASE,
    NAME_CASE,
    UNNAMED_STAGE,
    adopt,
    differences,
)

CASES = Path(__file__).parent / "cases"
CREDENTIAL = "looks like a credential but is a build argument"
BLANK = "empty continuation line"

# name: (documented differences, warnings as "line: message")
EXPECTED: dict[str, tuple[set[str], list[str]]] = {
    "arg-chains-release-tarball": (set(), []),
    "buildkit-like-daemon": (set(), []),
    "buildx-like-cli": (set(), []),
    "caddy-plugins-check-directive": ({UNNAMED_STAGE}, []),
    "containerd-like-integration": (set(), [f"13: {BLANK}"]),
    "cuda-samples-all-directives": (set(), []),
    "devcontainer-make-vars": (set(), []),
    "dotnet-otel-demo-service": ({UNNAMED_STAGE}, []),
    "flashinfer-kernel-wheels": (set(), []),
    "go-distroless-xx": (set(), []),
    "grafana-like-frontend-backend": ({UNNAMED_STAGE}, []),
    "jaeger-all-in-one": (set(), []),
    "kserve-model-server-mixed-case": ({NAME_CASE}, []),
    "legacy-blank-continuations": ({UNNAMED_STAGE}, [f"11: {BLANK}", f"18: {BLANK}"]),
    "lint-findings-credentials": (set(), [f"6: {CREDENTIAL}", f"7: {CREDENTIAL}",
                                          "19: uses ${VERSION} but does not declare it"]),
    "loki-promtail-cgo": ({UNNAMED_STAGE}, ["12: uses ${TOUCH_PROTOS} but does not declare it"]),
    "ml-model-secrets": (set(), [f"7: {CREDENTIAL}"]),
    "nginx-static-heredocs": ({UNNAMED_STAGE}, []),
    "node-pnpm-monorepo": (set(), []),
    "nvidia-container-toolkit": (set(), []),
    "otel-collector-contrib": ({UNNAMED_STAGE}, []),
    "prometheus-node-exporter": ({UNNAMED_STAGE, ARG_QUOTES}, []),
    "python-poetry-api": ({NAME_CASE}, []),
    "rust-musl-cross": ({UNNAMED_STAGE}, []),
    "sglang-heredoc-runtime": (set(), []),
    "tensorrt-llm-like": (set(), []),
    "tgi-cargo-chef": ({AS_CASE}, []),
    "triton-python-backend": ({UNNAMED_STAGE}, []),
    "vllm-cuda-wheel": (set(), [f"18: {BLANK}"]),
    "windows-escape-backtick": (set(), []),
}
needs_buildkit = pytest.mark.skipif(crosscheck.dockerfile is None,
                                    reason="the `dockerfile` package (test extra) is missing")


def test_every_case_is_pinned_and_the_figures_hold() -> None:
    assert sorted(EXPECTED) == sorted(p.stem for p in CASES.glob("*.Dockerfile"))
    exact = [n for n, (found, _) in EXPECTED.items() if not found]
    assert (len(EXPECTED), len(exact)) == (30, 17)  # none refused; docs/adopt.md says so


@needs_buildkit
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_adopted_and_rendered_it_is_the_same_dockerfile(name: str) -> None:
    text = (CASES / f"{name}.Dockerfile").read_text()
    adopted = adopt(text)
    expected_differences, expected_warnings = EXPECTED[name]
    assert differences(text, adopted.rendered) == expected_differences
    assert [f"{w.line}: {w.message}" for w in adopted.warnings] == expected_warnings
    assert all(w.file.endswith("/Dockerfile") for w in adopted.warnings)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_adopted_again_it_is_the_same_stages_yaml(name: str) -> None:
    """Adopting the rendered file gives back the stages.yaml (but for where it came from):
    what init writes is a fixed point."""
    adopted = adopt((CASES / f"{name}.Dockerfile").read_text())
    again = adopt(adopted.rendered)
    # The stamps differ: the two stages.yaml files differ in their first comment.
    assert stamp.unstamped(again.rendered) == stamp.unstamped(adopted.rendered)
