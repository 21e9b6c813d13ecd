"""`mkgen render` and `mkgen check`: write the rendered files, or compare them with disk.

They print with print(), not click: entry.py runs them without loading click."""
from __future__ import annotations

import sys
from pathlib import Path

from mkgen import __version__, api
from mkgen.commands import echo_warnings


def render(config_path: Path, force: bool = False) -> int:
    """Render and write every output of `config_path`; 0 on success."""
    config = api.load_config(config_path)
    echo_warnings(config.warnings)
    changed = api.write(config, api.render(config), force=force)
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print(f"{config.output_dir}: up to date")
    return 0


def check(config_path: Path) -> int:
    """1 with a unified diff when the rendered files on disk are stale, 0 when fresh.

    When the files differ in their stamps alone, one line says why instead of a diff: they
    were rendered by another mkgen, or an input changed that changes no rendered line. That
    is stale too (render would rewrite them), so that check passes exactly when render
    writes nothing."""
    config = api.load_config(config_path)
    echo_warnings(config.warnings)
    found = api.staleness(config, api.render(config))
    out = config.output_dir
    if not found.diffs:
        print(f"{out}: fresh")
        return 0
    other = f"mkgen {', '.join(found.rendered_by)}" if found.rendered_by else ""
    if found.stamps_only:
        why = (f"rendered by {other}, this is mkgen {__version__}, and nothing else differs: "
               "run 'mkgen render' and commit the result (requires: in stages.yaml pins one "
               "version for everyone)" if other else
               "only the stamps differ (an input changed, no rendered line did): run 'mkgen "
               "render' and commit the result")
        print(f"mkgen: {out}: {why}.", file=sys.stderr)
        return 1
    for diff in found.diffs:
        print(diff, end="" if diff.endswith("\n") else "\n")
    sys.stdout.flush()  # the diff before the verdict, when both go to one terminal
    print(f"{out} is stale: run 'mkgen render' and commit the result.", file=sys.stderr)
    if other:
        print(f"mkgen: {out} was rendered by {other}, this is mkgen {__version__}.",
              file=sys.stderr)
    return 1
