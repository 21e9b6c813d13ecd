"""The stamp in every rendered file's header: which mkgen rendered it, a digest of everything
the text was rendered from, and a digest of the text itself.

    # mkgen 1.1.0; inputs 5f0c2a9d3e41b7c8; text 0d9e8a7b6c5f4e3d; templates Makefile.j2 ...

`inputs` covers what the render reads: mkgen's version (its code and built-in templates),
the stages.yaml file's name and bytes, where the outputs go, the names of all outputs, and
each template the file was rendered with, as the lookup found it (its bytes, or "missing").
`text` covers the file as written, but for its own value: a hand edit anywhere, the header
included, changes it. `mkgen check` recomputes both from the files on disk, without YAML or
Jinja (freshness.py); the templates of the stamp's list are what it looks up again.

Everything here is standard library, imported by the quick check as well as by the render:
one definition of each digest and of where a template is found.
"""
from __future__ import annotations

import os
import sys

# hashlib's own sha256 without hashlib's start-up (it loads OpenSSL first): a tenth of a
# quick check. The C module has another name from Python 3.12 on.
if sys.version_info >= (3, 12):
    from _sha2 import sha256  # type: ignore[import-not-found]
else:
    from _sha256 import sha256  # type: ignore[import-not-found,no-redef]

# What templates write where the stamp goes (the global `mkgen_stamp`); the render fills it in.
PENDING = "# mkgen stamp (filled in by mkgen render)"
PREFIX = "# mkgen "
LOOK_FOR_IT_IN = 8  # the stamp is among the first lines: after `# syntax=` and the header
_TEXT_PENDING = "-" * 16
# Template names the stamp can list as they are; a project template named otherwise makes
# its file's stamp say "?", which no check accepts (the full comparison then decides).
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-/")
_FORMAT = "mkgen-stamp-1"  # changes when what the digests cover changes


MAKEFILE = "Makefile"
USER_DOCKERFILE = "Dockerfile.user"
BAKE_FILE = "docker-bake.hcl"
# What writer.py keeps in the output folder while it switches a rendered set: while either
# is there, only a full check (which finishes or drops the switch first) may answer.
STAGING = ".mkgen-staging"
JOURNAL = ".mkgen-journal"


def output_names(dockerfile: str) -> tuple[str, ...]:
    """Every rendered file, in order: render.py writes them, the quick check reads them."""
    return (MAKEFILE, dockerfile, USER_DOCKERFILE, BAKE_FILE)


def builtin_templates() -> str:
    """The default templates: inside the installed package, or the repository's templates/."""
    if not _BUILTIN:  # every template lookup asks; the disk is asked once
        here = os.path.dirname(os.path.abspath(__file__))
        packaged = os.path.join(here, "templates")
        _BUILTIN.append(packaged if os.path.isdir(packaged) else
                        os.path.join(os.path.dirname(os.path.dirname(here)), "templates"))
    return _BUILTIN[0]


_BUILTIN: list[str] = []


def template_folders(root: str, setting: str | None) -> list[str]:
    """The project's own templates folder, searched before the built-in one: `templates:`,
    or else `templates` next to stages.yaml when it is a folder."""
    if setting:
        return [os.path.join(root, setting)]
    folder = os.path.join(root, "templates")
    return [folder] if os.path.isdir(folder) else []


def template_file(name: str, folders: list[str]) -> str | None:
    """The file a template name stands for: the first of the project's folders and mkgen's
    own that has it; `mkgen/NAME` is also mkgen's NAME, so that a project's template can
    extend the built-in one it replaces. None when no folder has it."""
    pieces = [p for p in name.split("/") if p and p != "."]
    if not pieces or any(p == ".." or os.sep in p or (os.altsep and os.altsep in p)
                         for p in pieces):
        return None
    builtin = builtin_templates()
    candidates = [os.path.join(folder, *pieces) for folder in (*folders, builtin)]
    if len(pieces) > 1 and pieces[0] == "mkgen":
        candidates.append(os.path.join(builtin, *pieces[1:]))
    return next((path for path in candidates if os.path.isfile(path)), None)


def relative_root(root: str, output: str) -> str:
    """The project folder seen from the output folder (it depends on the folders' names when
    `output` leaves the project, as in `../out`)."""
    root = os.path.abspath(root or ".")
    return os.path.relpath(root, os.path.join(root, output))


def file_digest(data: bytes) -> str:
    return sha256(data).hexdigest()


def _digest(fields: list[str]) -> str:
    hashed = sha256()
    for field in fields:
        data = field.encode("utf-8", "surrogateescape")
        hashed.update(b"%d:" % len(data) + data)  # length first: no two lists hash alike
    return hashed.hexdigest()[:16]


def common_inputs(version: str, config_name: str, config_digest: str, output: str,
                  dockerfile: str, templates: str | None, root: str) -> list[str]:
    """The inputs every rendered file of one configuration shares."""
    return [_FORMAT, version, config_name, config_digest, output, dockerfile, templates or "",
            relative_root(root, output), *output_names(dockerfile)]


def inputs_digest(common: list[str], file_name: str,
                  templates: list[tuple[str, str | None]]) -> str:
    """`common` with one file's name and the templates it was rendered with: (name, digest
    of the file the lookup found, or None when it found none), in lookup order."""
    fields = [*common, file_name]
    for name, digest in templates:
        fields += [name, digest or "missing"]
    return _digest(fields)


def line(version: str, inputs: str, text: str, names: list[str]) -> str:
    """The stamp line."""
    return f"{PREFIX}{version}; inputs {inputs}; text {text}; templates {' '.join(names)}"


def stamped(text: str, version: str, common: list[str], file_name: str,
            templates: list[tuple[str, str | None]]) -> str:
    """`text` with its stamp in place of the first PENDING line; unchanged without one (a
    project template that leaves the stamp out: `mkgen check` then renders to compare)."""
    start = text.find(PENDING + "\n")
    if start < 0 or (start > 0 and text[start - 1] != "\n"):
        return text
    names = [n for n, _ in templates]
    if not all(set(n) <= _PLAIN for n in names):
        names = ["?"]
    inputs = inputs_digest(common, file_name, templates)
    end = start + len(PENDING)
    pending = text[:start] + line(version, inputs, _TEXT_PENDING, names) + text[end:]
    digest = _digest([pending])
    return text[:start] + line(version, inputs, digest, names) + text[end:]


def parse(text: str) -> tuple[int, int, str, str, str, list[str]] | None:
    """(start, end, version, inputs, text digest, template names) of the stamp among the
    first lines of `text`; None when there is none."""
    start = 0
    for _ in range(LOOK_FOR_IT_IN):
        end = text.find("\n", start)
        if end < 0:
            return None
        if text.startswith(PREFIX, start):
            fields = text[start + len(PREFIX):end].split("; ")
            if (len(fields) != 4 or not fields[1].startswith("inputs ")
                    or not fields[2].startswith("text ")
                    or not fields[3].startswith("templates ")):
                return None
            return (start, end, fields[0], fields[1][7:], fields[2][5:],
                    fields[3][10:].split(" "))
        start = end + 1
    return None


def stamp_version(text: str) -> str | None:
    """The mkgen version a rendered text's stamp names, if it has one."""
    found = parse(text)
    return found[2] if found else None


def unstamped(text: str) -> str:
    """`text` with its stamp put back to PENDING: two renders that differ only in their
    stamps (another version, a comment edited in stages.yaml) are then equal."""
    found = parse(text)
    return text if found is None else text[:found[0]] + PENDING + text[found[1]:]


def proves(data: bytes, version: str, common: list[str], file_name: str,
           folders: list[str]) -> bool:
    """Whether `data`, a rendered file on disk, is what mkgen `version` renders now: its
    stamp is this version's, its text digest matches its bytes, and its inputs digest
    matches the inputs read again, each template of its list looked up again."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    found = parse(text)
    if found is None:
        return False
    start, end, stamp_version_, inputs, digest, names = found
    if stamp_version_ != version or names == ["?"]:
        return False
    pending = text[:start] + line(version, inputs, _TEXT_PENDING, names) + text[end:]
    if _digest([pending]) != digest:
        return False
    templates = []
    for name in names:
        path = template_file(name, folders)
        if path is None:
            templates.append((name, None))
            continue
        try:
            with open(path, "rb") as handle:
                templates.append((name, file_digest(handle.read())))
        except OSError:
            return False
    return inputs_digest(common, file_name, templates) == inputs
