"""mkgen's errors. Each user-facing one is a MkgenError that carries its exit code; the CLI
alone turns it into a message and that code."""
from __future__ import annotations

from mkgen.records import dataclass


class MkgenError(Exception):
    """A user-facing error: the message is a full sentence that says how to fix it."""

    exit_code = 2


# A problem's severity. An error stops mkgen (exit 2, nothing written); a warning is printed
# and the command goes on: what BuildKit builds but is most likely not what the author meant.
ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding in a configuration file, located by file, line, column and key path."""

    file: str
    line: int
    col: int
    path: str
    message: str
    hint: str = ""
    severity: str = ERROR

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        if self.severity == WARNING:
            where += ": warning"
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        return _one_line(f"{text} (hint: {self.hint})" if self.hint else text)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def _one_line(text: str) -> str:
    """`text` with its line breaks and other unprintable characters escaped as Python writes
    them (`\\n`): a key or value quoted in YAML may hold any, and each problem is one line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class ConfigError(MkgenError):
    """Every problem found in one configuration file, one per line: at least one error, and
    the warnings found with it."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))
