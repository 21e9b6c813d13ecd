"""The key table is the one description of stages.yaml: the docs' key tables are its text."""
from __future__ import annotations

import re

import pytest

from mkgen import keys
from mkgen.schema import markdown_table
from tests.support import REPO

DOCS = REPO / "docs" / "stages-yaml.md"


def docs_table(section: str) -> str:
    text = DOCS.read_text()
    match = re.search(rf"<!-- keys: {section} \(.*?\) -->\n(.*?)<!-- /keys -->", text, re.S)
    assert match, f"docs/stages-yaml.md has no generated table for {section}"
    return match.group(1)


@pytest.mark.parametrize("section", list(keys.SECTIONS))
def test_the_docs_table_of_each_section_is_generated_from_the_key_table(section: str) -> None:
    expected = markdown_table(keys.SECTIONS[section])
    assert docs_table(section) == expected, f"paste into docs/stages-yaml.md:\n{expected}"


def test_stages_and_families_have_settings_for_each_of_their_actions() -> None:
    def per_action(section: keys.Section) -> tuple[str, ...]:
        return tuple(k.name for k in section.keys if k.section_ref == "action")

    assert per_action(keys.STAGE) == keys.STAGE["actions"].choices == keys.ACTIONS
    assert per_action(keys.FAMILY) == keys.FAMILY["actions"].choices == keys.ALL_ACTIONS


def test_an_unknown_key_is_a_loud_error_not_a_silent_default() -> None:
    with pytest.raises(KeyError, match="project.nmae is not in mkgen's key table"):
        keys.PROJECT["nmae"]
