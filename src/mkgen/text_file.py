"""Text files as mkgen reads them (stages.yaml, a project's templates): UTF-8, and when they
are not, the line and column of the first byte that is not, for a located message."""
from __future__ import annotations


class NotUtf8Error(ValueError):
    """A byte that no UTF-8 text holds there; line and column are 1-based, in characters."""

    def __init__(self, line: int, col: int, byte: int) -> None:
        self.line, self.col, self.byte = line, col, byte
        super().__init__(f"byte 0x{byte:02x} is not UTF-8 text (Latin-1 or another encoding?)")


def decode(data: bytes) -> str:
    """`data` as UTF-8 text, or NotUtf8Error at the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        # Everything before the bad byte decoded, so the column counts characters.
        col = len(data[line_start:exc.start].decode("utf-8")) + 1
        raise NotUtf8Error(data.count(b"\n", 0, exc.start) + 1, col, data[exc.start]) from None


def position(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of character `index` of `text`."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1
