"""The one Jinja environment factory: where templates are found and which filters exist."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import jinja2
import jinja2.bccache

from mkgen import __version__, escape, stamp
from mkgen.errors import MkgenError

# Compiled code depends on these options, so they are part of the bytecode cache's key.
_OPTIONS = dict(keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                autoescape=False)

# One filter per output context; templates escape values only through these.
FILTERS = {
    "make_value": escape.make_value,                 # right-hand side of a Make assignment
    "make_arg": escape.make_arg,                     # an argument of a Make function
    "make_define_body": escape.make_define_body,     # a line of a Make `define`
    "make_help": escape.make_help,                   # text printed by $(info) from a define
    "dockerfile_arg_default": escape.dockerfile_arg_default,  # ARG NAME="default"
    "rename": escape.renamed_references,             # mkgen's Make text, built-ins renamed
}


class TemplateError(MkgenError):
    """A template failed to load or render; names the template file and line."""


def builtin_templates() -> Path:
    """The default templates: inside the installed package, or the repository's templates/."""
    return Path(stamp.builtin_templates())


class _Loader(jinja2.BaseLoader):
    """Finds templates where stamp.template_file says (the project's folder, then mkgen's,
    and mkgen's under `mkgen/`), and records what each lookup found, for the stamp."""

    def __init__(self, folders: list[str]) -> None:
        self.folders = folders
        self.found: dict[str, bytes | None] = {}  # in lookup order; None: not found

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        path = stamp.template_file(template, self.folders)
        if path is None:
            self.found.setdefault(template, None)
            raise jinja2.TemplateNotFound(template)
        with open(path, "rb") as handle:
            data = handle.read()
        self.found.setdefault(template, data)
        mtime = os.path.getmtime(path)
        # Read as text files are (any line ending becomes \n), as FileSystemLoader did.
        source = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        return source, path, lambda: os.path.getmtime(path) == mtime


def environment(search: list[Path]) -> jinja2.Environment:
    """A strict environment searching `search` (a project's own folder first), then built-ins.

    The built-in folder is also reachable under the `mkgen/` prefix, so a project template
    can `{% extends "mkgen/Makefile.j2" %}` and fill only the blocks it needs. Templates are
    not kept between renders (cache_size=0), so each render's lookups are all recorded:
    the compiled code comes from the bytecode cache anyway.
    """
    env = jinja2.Environment(loader=_Loader([str(p) for p in search]),
                             undefined=jinja2.StrictUndefined, cache_size=0,
                             bytecode_cache=_bytecode_cache(), **_OPTIONS)
    env.filters.update(FILTERS)
    env.globals["refs"] = escape.refs  # the variables a stages.yaml value refers to
    env.globals["mkgen_stamp"] = stamp.PENDING  # where the header's stamp goes
    return env


def templates_used(env: jinja2.Environment) -> list[tuple[str, str | None]]:
    """What the last render looked up, in order: (name, digest of the file found, or None)."""
    assert isinstance(env.loader, _Loader)
    return [(name, None if data is None else stamp.file_digest(data))
            for name, data in env.loader.found.items()]


class _QuietCache(jinja2.FileSystemBytecodeCache):
    """Jinja's per-user cache in the temp folder (never the project): compiling the Makefile
    template is a third of `mkgen render`. A cache that cannot be read or written is skipped."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    key = hashlib.sha1(f"{__version__} {sorted(_OPTIONS.items())}".encode()).hexdigest()[:12]
    try:
        return _QuietCache(pattern=f"mkgen-{key}-%s.cache")
    except (OSError, RuntimeError):  # no usable temp folder
        return None


def render(env: jinja2.Environment, name: str, context: dict[str, object]) -> str:
    """Render one template, turning Jinja's errors into a TemplateError with file and line."""
    assert isinstance(env.loader, _Loader)
    env.loader.found.clear()
    try:
        template = env.get_template(name)
        return template.render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name or name}:{exc.lineno}"
        raise TemplateError(f"{where}: template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template {exc.name!r} not found (searched the project's "
                            f"templates folder and {builtin_templates()})") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{name}: {exc.message}; the template uses a name mkgen does not "
                            "provide") from None
