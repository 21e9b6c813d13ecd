"""The key table is the one description of stages.yaml: the docs' key tables are its text."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# Cases from distribution/reference's reference_test.go (valid and invalid references).
@pytest.mark.parametrize("ref", [
    "test_com", "test.com:tag", "test.com:5000", "test.com/repo:tag", "test:5000/repo",
    "test:5000/repo:tag", "test:5000/repo@sha256:" + "f" * 64, "lowercase:Uppercase",
    "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
    "b.gcr.io/test.example.com/my-app:test.example.com", "xn--n3h.com/myimage:xn--n3h.com",
    "foo_bar.com:8080", "foo/foo_bar.com:8080", "192.168.1.1/repo", "192.168.1.1:5000/repo",
    "[2001:db8::1]/repo", "[2001:db8::1]:5000/repo:tag", "localhost:5000/team/app", "a--b",
    "Uppercase.io/lowercase:tag",
])
def test_valid_image_references_follow_the_distribution_grammar(ref: str) -> None:
    assert keys.IMAGE_REF.match(ref)


@pytest.mark.parametrize("ref", [
    "", ":justtag", "@sha256:" + "f" * 64, "repo@sha256:" + "f" * 31, "Uppercase:tag",
    "a___b", "-foo.com/app", "foo-.com/app", "a/-b", "a/b-", "test.com/repo:" + "t" * 129,
    "repo:tag with space", "répo", "repo:tàg", "2001:db8::1/repo", "app\n",
])
def test_invalid_image_references_are_refused(ref: str) -> None:
    assert not keys.IMAGE_REF.match(ref)


@pytest.mark.parametrize(("name", "valid"), [
    ("localhost:5000/team/app", True), ("registry.local/app", True), ("[::1]:5000/app", True),
    ("app", True), ("localhost:5000", False), ("app:1.0", False),
    ("app@sha256:" + "f" * 64, False),
])
def test_an_image_name_is_a_reference_without_tag_or_digest(name: str, valid: bool) -> None:
    assert keys.is_image_name(name) is valid


@settings(max_examples=500)
@given(st.text(alphabet="ab0:/.-_@[]", max_size=14) | st.sampled_from(
    ["a:1/b", "a:1/b:c", "[::1]:5/x", "a/b:c", "a.b:5000", "x@sha256:" + "f" * 32]))
def test_an_image_name_matches_the_name_grammar_alone(text: str) -> None:
    """is_image_name reads the reference pattern's groups: the same answer as matching the
    name part of the grammar alone."""
    assert keys.is_image_name(text) is bool(re.match(rf"{keys._NAME}\Z", text))
