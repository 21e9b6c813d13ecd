"""Golden cases: each YAML file holds a stages.yaml (`input`, or `config` naming a file) and
the exact files mkgen renders from it. Regenerate with `pytest --update-goldens` and review
the diff like code: it is exactly what a template change does to users' files.

Only the two digests of each file's stamp are shown as `<digest>`: they change with every
byte of every template (comments too), which would touch every golden at each template
edit without showing anything to review; tests/unit/test_stamp.py checks them."""
from __future__ import annotations

from pathlib import Path

import pytest

from mkgen import stamp
from mkgen.api import load_config
from mkgen.render import render_all

HERE = Path(__file__).parent


def digests_masked(text: str) -> str:
    found = stamp.parse(text)
    if found is None:
        return text
    start, end, version, _, _, names = found
    return text[:start] + stamp.line(version, "<digest>", "<digest>", names) + text[end:]


@pytest.mark.golden_test("cases/*.yml")
def test_golden(golden, tmp_path: Path) -> None:
    if golden.get("config"):
        source = (HERE / golden["config"]).resolve()
    else:
        source = tmp_path / "stages.yaml"
        source.write_text(golden["input"], encoding="utf-8")
    outputs = {out.name: digests_masked(out.text) for out in render_all(load_config(source))}
    for name in ("Makefile", "Dockerfile.multi", "Dockerfile.user", "docker-bake.hcl"):
        assert outputs.get(name) == golden.out.get(name.replace(".", "_"))
