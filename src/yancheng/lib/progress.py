"""A progress bar for a terminal: one line redrawn in place (``\\r``) when the stream is a
terminal, one plain line per step when it is not (a log file or a pipe keeps every
step readable, with no control characters)."""

from __future__ import annotations

from typing import TextIO

BAR_WIDTH = 24


class TextProgress:
    """``progress = TextProgress(sys.stderr, total=5)``, then ``progress.step("事项")``
    as each step begins and ``progress.finish("完成")`` at the end."""

    def __init__(self, stream: TextIO, *, total: int, tty: bool | None = None) -> None:
        self.stream = stream
        self.total = max(total, 1)
        self.done = 0
        self.tty = stream.isatty() if tty is None else tty

    def _bar(self, done: int) -> str:
        filled = round(BAR_WIDTH * done / self.total)
        return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + f"] {100 * done // self.total:>3}%"

    def _line(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r" + text + "\x1b[K")  # \x1b[K: clear what a longer line left
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def step(self, label: str) -> None:
        """Step `done + 1` of `total` begins."""
        self.done = min(self.done + 1, self.total)
        self._line(f"{self._bar(self.done - 1)} {self.done}/{self.total} {label}")

    def finish(self, label: str) -> None:
        self.done = self.total
        self._line(f"{self._bar(self.total)} {label}")
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
