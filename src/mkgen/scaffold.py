"""The text of a new stages.yaml (`mkgen init`): the commented starter, or one adopted from an
existing Dockerfile, checked by the validator before anything is written."""
from __future__ import annotations

import re
from pathlib import Path

from mkgen.errors import ConfigError, MkgenError

STARTER = """\
# The single source of this project's Docker build system. After an edit, run `mkgen render`
# and commit stages.yaml together with the files it writes ({output}/Makefile,
# {output}/Dockerfile.multi, {output}/Dockerfile.user). `mkgen list` shows what you get.
# Editor completion: `mkgen schema > stages.schema.json`, then make this the first line:
# # yaml-language-server: $schema=stages.schema.json

project:
  name: {name}                # default image name: {name}/<stage>:latest
  output: {output}            # folder of the rendered files
  context: ..                # build context, relative to the output folder
  source_mount: /code        # where `make <stage>_run` mounts the source tree

variables:
  # Every variable is a Make variable: `make app_build BASE_TAG=12` overrides it.
  BASE_TAG:
    default: "12-slim"
    help: Tag of the Debian base image.
    build_arg: true          # passed as --build-arg BASE_TAG=... when non-empty

stages:
  app:
    from: debian:${{BASE_TAG}}
    help: The application image.
    steps: |
      RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \\
          && rm -rf /var/lib/apt/lists/*
      WORKDIR /app
      COPY . .
    run:
      workdir: /app          # `make app_run` starts here

# targets:                   # extra target families: the same stage, other variable values
#   app-nightly:
#     stage: app
#     variables:
#       IMAGE_TAG: nightly
"""


def project_name(folder: Path) -> str:
    """A valid image name from a folder's name (`My App` becomes `my-app`)."""
    name = re.sub(r"[^a-z0-9._-]+", "-", folder.resolve().name.lower()).strip("._-")
    return name or "app"


def starter_config(folder: Path, output: str = "docker") -> str:
    """The starter stages.yaml for a project in `folder`."""
    return STARTER.format(name=project_name(folder), output=output)


class InitError(MkgenError):
    """The stages.yaml cannot be created: it exists, or the adopted one would not be valid."""


def new_config(config_path: Path, dockerfile: Path | None) -> str:
    """The text `mkgen init` writes at `config_path`: the starter, or (with `dockerfile`) the
    adoption of that Dockerfile. Refuses a path that exists and a text that does not validate."""
    if config_path.exists():
        raise InitError(f"{config_path} already exists; mkgen init never overwrites it. "
                        "Move it away first, or pass -c to write another file.")
    if dockerfile is None:
        return starter_config(config_path.parent)
    from mkgen.adopt import from_dockerfile  # reads the Dockerfile: only --from pays for it
    from mkgen.loader import load_text
    from mkgen.validate import validate

    text = from_dockerfile(config_path, dockerfile)
    try:
        validate(load_text(text, str(config_path)), config_path)
    except ConfigError as exc:
        raise InitError(f"the stages.yaml adopted from {dockerfile} would not be valid:\n"
                        f"{exc}\nAdapt the Dockerfile (or write those parts by hand).") from None
    return text
