"""Render a configuration's plan into the text of every output file (views → templates).
No I/O here but template reads."""
from __future__ import annotations

from pathlib import Path

from mkgen import __version__, stamp, templating
from mkgen.model import Config
from mkgen.plan import Plan, make_plan
from mkgen.records import dataclass
from mkgen.views import bake_parts, bake_view, dockerfile_view, makefile_view, user_dockerfile_view


@dataclass(frozen=True)
class Output:
    """One rendered file: its path relative to the output folder and its text."""

    name: str
    text: str


def render_all(config: Config, plan: Plan | None = None,
               version: str = __version__) -> list[Output]:
    """Every output file's text, stamped, in a fixed order; `plan` is `config`'s, when
    known. `version` is the mkgen the stamps name (a test stands in another)."""
    plan = plan or make_plan(config)
    assert plan.config is config, "the plan of another configuration"
    project = config.project
    root = str(config.root)
    env = templating.environment([Path(f) for f in stamp.template_folders(root,
                                                                          config.templates)],
                                 config.root)
    common = stamp.common_inputs(version, config.source.name, config.source_digest,
                                 project.output, project.dockerfile, config.templates, root)
    baked = bake_parts(plan)  # the bake file's targets, which the Makefile's bake recipes use
    templates = (("Makefile.j2", lambda: makefile_view(plan, baked)),
                 ("Dockerfile.multi.j2", lambda: dockerfile_view(config)),
                 ("Dockerfile.user.j2", lambda: user_dockerfile_view(config)),
                 ("docker-bake.hcl.j2", lambda: bake_view(plan, baked)))
    outputs = []
    for name, (template, view) in zip(stamp.output_names(project.dockerfile), templates,
                                      strict=True):
        text = templating.render(env, template, view().names())
        outputs.append(Output(name, stamp.stamped(text, version, common, name,
                                                  templating.templates_used(env))))
    return outputs
