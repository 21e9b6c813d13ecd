"""mkgen: render a project's Docker build system from one stages.yaml."""
from __future__ import annotations

# The one place the version is written: the package metadata reads it from here
# (pyproject.toml, [tool.hatch.version]), and every rendered file records it.
__version__ = "1.1.0"
