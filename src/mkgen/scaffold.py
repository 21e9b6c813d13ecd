"""The text of a new stages.yaml (`mkgen init`): the commented starter, or one adopted from an
existing Dockerfile, checked by the validator before anything is written."""
from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from mkgen import writer
from mkgen.errors import ConfigError, MkgenError, Problem
from mkgen.model import MAKEFILE
from mkgen.records import dataclass
from mkgen.views import USER_DOCKERFILE

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
    name = re.sub(r"[^a-z0-9._-]+", "-", folder.resolve().name.lower())
    # Between two letters or digits an image name takes one '.', one or two '_', or '-'s.
    name = re.sub(r"[._-]+", lambda m: m.group() if re.fullmatch(r"\.|_|__|-+", m.group())
                  else "-", name).strip("._-")
    return name or "app"


def starter_config(folder: Path, output: str = "docker") -> str:
    """The starter stages.yaml for a project in `folder`."""
    return STARTER.format(name=project_name(folder), output=output)


class InitError(MkgenError):
    """The stages.yaml cannot be created: it exists, or the adopted one would not be valid."""


@dataclass(frozen=True)
class NewConfig:
    """What `mkgen init` writes, what it found worth a warning, and the command to run next
    (never one that destroys a file mkgen did not write)."""

    text: str
    warnings: tuple[Problem, ...] = ()
    next_step: str = "mkgen render"


def new_config(config_path: Path, dockerfile: Path | None) -> NewConfig:
    """The stages.yaml `mkgen init` writes at `config_path`: the starter, or (with
    `dockerfile`) the adoption of that Dockerfile. Refuses a path that exists and an
    adoption that does not validate."""
    if config_path.exists():
        raise InitError(f"{config_path} already exists; mkgen init never overwrites it. "
                        "Move it away first, or pass -c to write another file.")
    if dockerfile is None:
        return NewConfig(starter_config(config_path.parent), (), _render_command(config_path))
    return _adopted(config_path, dockerfile)


def _render_command(config_path: Path) -> str:
    return "mkgen render" if config_path == Path("stages.yaml") else \
        f"mkgen render -c {shlex.quote(str(config_path))}"


def _adopted(config_path: Path, dockerfile: Path) -> NewConfig:
    from mkgen.adopt import read_dockerfile  # only --from pays for the Dockerfile reader
    from mkgen.adopt_yaml import adopted_yaml
    from mkgen.loader import load_text
    from mkgen.validate import validate

    try:
        source = dockerfile.read_text(encoding="utf-8")
    except OSError as exc:
        raise InitError(f"{dockerfile}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InitError(f"{dockerfile}: not UTF-8 text, so not a Dockerfile BuildKit "
                        "reads") from None
    adoption = read_dockerfile(source, dockerfile)
    root = config_path.parent.resolve()
    out_dir = _output_folder(dockerfile)
    project = {"name": project_name(root),
               "output": Path(os.path.relpath(out_dir, root)).as_posix(),
               "context": Path(os.path.relpath(root, out_dir)).as_posix(),
               "dockerfile": dockerfile.name}
    adopted = adopted_yaml(adoption, project, str(dockerfile))
    try:
        config = validate(load_text(adopted.text, str(config_path)), config_path)
    except ConfigError as exc:
        lines = "\n".join(str(adopted.located(p, str(dockerfile))) for p in exc.problems)
        raise InitError(f"{dockerfile} cannot be adopted as it is; nothing was written:\n"
                        f"{lines}\nChange those lines (or write those parts of stages.yaml by "
                        "hand).") from None
    warnings = tuple(sorted(adopted.located(w, str(dockerfile)) for w in config.warnings))
    return NewConfig(adopted.text, warnings, _next_step(config_path, dockerfile, out_dir))


def _output_folder(dockerfile: Path) -> Path:
    """Where the adopted project renders to: beside the Dockerfile, which the render then
    replaces, unless a Makefile or Dockerfile.user there is not mkgen's; then a folder of its
    own, and the Dockerfile stays as it is."""
    folder = dockerfile.resolve().parent
    beside = [folder / MAKEFILE, folder / USER_DOCKERFILE]
    if not writer.not_ours([p for p in beside if p != dockerfile.resolve()]):
        return folder
    names = ("docker", "mkgen", *(f"mkgen-{n}" for n in range(2, 100)))
    for name in (n for n in names if n != folder.name):
        candidate = folder / name
        files = [candidate / MAKEFILE, candidate / dockerfile.name, candidate / USER_DOCKERFILE]
        if not candidate.exists() or candidate.is_dir() and not writer.not_ours(files):
            return candidate
    raise InitError(f"{folder}: no free folder for the rendered files; pass -c to put "
                    "stages.yaml elsewhere")


def _next_step(config_path: Path, dockerfile: Path, out_dir: Path) -> str:
    """`mkgen render`; when it would replace the adopted Dockerfile, which mkgen did not
    write, the Dockerfile is moved aside first."""
    render = _render_command(config_path)
    if out_dir / dockerfile.name != dockerfile.resolve() or not writer.not_ours([dockerfile]):
        return render
    kept = next(p for p in (Path(f"{dockerfile}.orig{n or ''}") for n in range(1000))
                if not p.exists())
    return f"mv {shlex.quote(str(dockerfile))} {shlex.quote(str(kept))} && {render}"
