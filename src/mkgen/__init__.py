"""mkgen: render a project's Docker build system from one stages.yaml."""
from __future__ import annotations

__version__ = "1.0.0"
