"""The one Jinja environment factory: where templates are found, which filters exist, and the
sandbox a project's templates run in.

A project's templates arrive with pull requests and run wherever `mkgen check`, `validate` or
`explain` does (pre-commit, CI), so they are untrusted code: they render in Jinja's immutable
sandbox, which refuses attributes that start with `_` (the way to Python's internals), calls
of anything unsafe, changes to the values mkgen hands over, and ranges over 100,000 items.
A project without a templates folder renders mkgen's own templates alone: they are mkgen's
code, shipped with it, and values reach them only as data (no template reads a value as a
template or a format string), so they render outside the sandbox, which took a sixth of
their rendering time; tests/unit/test_templating.py renders them both ways and compares.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import jinja2
import jinja2.bccache
from jinja2.exceptions import SecurityError

from mkgen import __version__, escape, stamp, text_file
from mkgen.errors import MkgenError

# Compiled code depends on these options (and on the sandbox: its code routes every call
# and operator through the environment), so they are part of the bytecode cache's key.
_OPTIONS = dict(keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                autoescape=False)
_SANDBOX = "immutable sandbox, * and ** bounded"
_BUILTINS_ONLY = "mkgen's own templates, no sandbox"

# One filter per output context; templates escape values only through these.
FILTERS = {
    "make_value": escape.make_value,                 # right-hand side of a Make assignment
    "make_literal_value": escape.make_literal_value, # ... of literal text (a path)
    "make_arg": escape.make_arg,                     # an argument of a Make function
    "make_target_value": escape.make_target_value,   # ... of a target-specific assignment
    "make_define_body": escape.make_define_body,     # a line of a Make `define`
    "make_help": escape.make_help,                   # text printed by $(info) from a define
    "make_comment": escape.make_comment,             # the text of a `# ...` Make comment
    "dockerfile_arg_default": escape.dockerfile_arg_default,  # ARG NAME="default"
    "hcl_string": escape.hcl_string,                 # an HCL quoted string, nothing interpolated
    "hcl_comment": escape.hcl_comment,               # the text of a `# ...` HCL comment
    "rename": escape.renamed_references,             # mkgen's Make text, built-ins renamed
}


class TemplateError(MkgenError):
    """A template failed to load or render; names the template file and line."""


def builtin_templates() -> Path:
    """The default templates: inside the installed package, or the repository's templates/."""
    return Path(stamp.builtin_templates())


class _Loader(jinja2.BaseLoader):
    """Finds templates where stamp.template_file says (the project's folder, then mkgen's,
    and mkgen's under `mkgen/`), and records what each lookup found, for the stamp.

    It reads only files inside `inside` (when given): a project template that is a link to
    a file elsewhere (/proc/self/environ, ~/.ssh/id_rsa) would put that file into the
    output, and `mkgen check` prints the output's diff, in CI logs. A template that is not
    UTF-8 text is reported at its first bad byte."""

    def __init__(self, folders: list[str], inside: list[Path] | None = None) -> None:
        self.folders = folders
        self.inside = [p.resolve() for p in inside] if inside is not None else None
        self.found: dict[str, bytes | None] = {}  # in lookup order; None: not found

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        path = stamp.template_file(template, self.folders)
        if path is None:
            self.found.setdefault(template, None)
            raise jinja2.TemplateNotFound(template)
        self._check_inside(Path(path))
        with open(path, "rb") as handle:
            data = handle.read()
        self.found.setdefault(template, data)
        mtime = os.path.getmtime(path)
        try:
            source = text_file.decode(data)
        except text_file.NotUtf8Error as exc:
            raise TemplateError(f"{path}:{exc.line}:{exc.col}: {exc}; save the template "
                                "as UTF-8") from None
        # Read as text files are (any line ending becomes \n), as FileSystemLoader did.
        source = source.replace("\r\n", "\n").replace("\r", "\n")

        def uptodate() -> bool:
            # Jinja asks this at each lookup of a template it keeps: a lookup too, recorded.
            self.found.setdefault(template, data)
            return os.path.getmtime(path) == mtime
        return source, path, uptodate

    def _check_inside(self, path: Path) -> None:
        if self.inside is None:
            return
        real = path.resolve()
        if not any(real.is_relative_to(folder) for folder in self.inside):
            link = f"a link to {real}, " if real != path.absolute() else ""
            raise TemplateError(f"{path}: {link}outside the project; templates are read "
                                "from the folder that holds stages.yaml only")


def environment(search: list[Path], project: Path | None = None,
                sandbox: bool | None = None) -> jinja2.Environment:
    """A strict environment searching `search` (a project's own folder first), then
    built-ins: sandboxed when `search` names a folder of the project's own (or `sandbox`).

    The built-in folder is also reachable under the `mkgen/` prefix, so a project template
    can `{% extends "mkgen/Makefile.j2" %}` and fill only the blocks it needs. A project's
    templates are read from inside the `project` folder only, links resolved. The
    environment keeps the templates it loaded (`_header.j2` serves every output), and
    each render's lookups are all recorded, also those the kept templates answer.
    """
    if sandbox is None:
        sandbox = not builtins_only(search)
    inside = [builtin_templates(), project] if project is not None else None
    if sandbox:
        from mkgen.sandbox import Sandbox as kind  # Jinja's sandbox module: loaded when used
    else:
        kind = jinja2.Environment
    env = kind(loader=_Loader([str(p) for p in search], inside),
               undefined=jinja2.StrictUndefined, cache_size=50,
               bytecode_cache=_bytecode_cache(_SANDBOX if sandbox else _BUILTINS_ONLY),
               **_OPTIONS)
    env.filters.update(FILTERS)
    env.globals["refs"] = escape.refs  # the variables a stages.yaml value refers to
    env.globals["mkgen_stamp"] = stamp.PENDING  # where the header's stamp goes
    return env


def builtins_only(search: list[Path]) -> bool:
    """Whether every folder searched is mkgen's own (none, or the repository's templates/
    that an editable install of mkgen renders from): then every template is mkgen's."""
    builtin = os.path.realpath(builtin_templates())
    return all(os.path.realpath(folder) == builtin for folder in search)


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


def _bytecode_cache(kind: str) -> jinja2.BytecodeCache | None:
    key = hashlib.sha1(f"{__version__} {sorted(_OPTIONS.items())} {kind}".encode()) \
        .hexdigest()[:12]
    try:
        return _QuietCache(pattern=f"mkgen-{key}-%s.cache")
    except (OSError, RuntimeError):  # no usable temp folder
        return None


def _where(exc: BaseException, name: str) -> str:
    """The template file and line an error was raised at: the innermost template frame of
    the traceback Jinja rewrites to point into templates."""
    where, tb = name, exc.__traceback__
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def render(env: jinja2.Environment, name: str, context: dict[str, object]) -> str:
    """Render one template, turning every error of its own into a TemplateError with the
    template file and line."""
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
        raise TemplateError(f"{_where(exc, name)}: {exc.message}; the template uses a name "
                            "mkgen does not provide (docs/templates.md lists them)") from None
    except SecurityError as exc:
        raise TemplateError(f"{_where(exc, name)}: refused by the sandbox: "
                            f"{str(exc).rstrip('.')} (hint: templates compute text from the "
                            "names mkgen gives them, nothing else)") from None
    except (MkgenError, MemoryError, RecursionError):
        raise
    except Exception as exc:  # whatever a template's own code raises: 1/0, int('x'), ...
        raise TemplateError(f"{_where(exc, name)}: {type(exc).__name__}: {exc}") from None
