"""Render a configuration's plan into the text of every output file (views → templates).
No I/O here but template reads."""
from __future__ import annotations

from dataclasses import dataclass

from mkgen import templating
from mkgen.model import Config
from mkgen.plan import Plan, make_plan
from mkgen.views import USER_DOCKERFILE, dockerfile_view, makefile_view, user_dockerfile_view

MAKEFILE = "Makefile"


@dataclass(frozen=True)
class Output:
    """One rendered file: its path relative to the output folder and its text."""

    name: str
    text: str


def _template_search(config: Config) -> list:
    """The project's own templates folder, searched before the built-in one."""
    if config.templates:
        return [config.root / config.templates]
    folder = config.root / "templates"
    return [folder] if folder.is_dir() else []


def render_all(config: Config, plan: Plan | None = None) -> list[Output]:
    """Every output file's text, in a fixed order; `plan` is `config`'s, when known."""
    plan = plan or make_plan(config)
    assert plan.config is config, "the plan of another configuration"
    env = templating.environment(_template_search(config))
    return [
        Output(MAKEFILE, templating.render(env, "Makefile.j2", makefile_view(plan).names())),
        Output(config.project.dockerfile,
               templating.render(env, "Dockerfile.multi.j2", dockerfile_view(config).names())),
        Output(USER_DOCKERFILE, templating.render(env, "Dockerfile.user.j2",
                                                  user_dockerfile_view(config).names())),
    ]
