"""mkgen.validate_steps: steps read as BuildKit reads them. What BuildKit builds validates
(tests/bad and tests/warnings hold what it refuses and what it builds but likely not as meant)."""
from __future__ import annotations

from pathlib import Path

from mkgen.loader import load_text
from mkgen.model import Config
from mkgen.validate import validate

HEAD = "project:\n  name: app\n"


def valid(text: str) -> Config:
    return validate(load_text(HEAD + text, "s.yaml"), Path("s.yaml"))


def warnings(text: str) -> list[str]:
    return [f"{w.line}: {w.message}" for w in valid(text).warnings]


def test_heredoc_steps_validate_and_their_bodies_are_no_instructions() -> None:
    config = valid("""\
stages:
  app:
    from: debian:12
    steps: |
      RUN <<EOF
      set -e
      FROM evil
      EOF
      RUN <<-EOT bash
      \techo tabs
      \tEOT
      COPY <<EOT /etc/motd
      hello
      EOT
""")
    assert config.warnings == ()


def test_a_child_stage_inherits_its_parents_args_and_env() -> None:
    assert warnings("""\
variables:
  VERSION: {default: "1", build_arg: true}
stages:
  base:
    from: debian:12
    args: [VERSION]
    steps: ENV TOOLS=/opt/tools
  child:
    from: base
    steps: |
      RUN echo ${VERSION} $TOOLS
  grandchild:
    from: child
    steps: RUN echo ${VERSION}
  other:
    from: debian:12
    steps: RUN echo ${VERSION}
""") == ["19: uses ${VERSION} but does not declare it"]


def test_a_secret_mounted_as_a_variable_is_read_by_its_name() -> None:
    assert warnings("""\
variables:
  HF_TOKEN: {secret_id: hf_token}
stages:
  app:
    from: debian:12
    steps: |
      RUN --mount=type=secret,id=hf_token,env=HF_TOKEN huggingface-cli login --token $HF_TOKEN
      RUN --mount=type=secret,target=/run/secrets/hf_token cat /run/secrets/hf_token
""") == []


def test_automatic_platform_args_in_from_and_stage_numbers_above() -> None:
    assert warnings("""\
stages:
  bin-linux: debian:12
  bin-darwin: debian:12
  bin:
    from: bin-${TARGETOS}
  release:
    from: debian:12
    steps: |
      ARG TARGETARCH
      COPY --from=0 /x /x-${TARGETARCH}
      COPY --from=BIN /y /y
""") == []


def test_an_image_named_like_no_stage_is_just_an_image() -> None:
    assert warnings("stages:\n  lint: debian:12\n  docs: alpine\n  app:\n    from: debian:12\n"
                    "    steps: COPY --from=busybox /bin/busybox /bin/\n") == []
