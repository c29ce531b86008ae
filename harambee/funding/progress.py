"""A one-line progress bar for the console commands (stderr; redrawn only on a terminal)."""

from __future__ import annotations

import time
from typing import Any


class ProgressBar:
    def __init__(self, stream: Any, label: str, unit: str = "", width: int = 30) -> None:
        self.stream, self.label, self.unit, self.width = stream, label, unit, width
        self._drawn_at = 0.0
        self._finished = False
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._drawn_at < 0.1:
            return
        if done >= total and self._finished:
            return
        self._drawn_at = now
        share = done / total if total else 1.0
        filled = int(self.width * share)
        bar = "#" * filled + "-" * (self.width - filled)
        end = "\n" if done >= total else ""
        prefix = "\r" if self.enabled else ""
        if self.enabled or done >= total:
            self._finished = done >= total
            self.stream.write(
                f"{prefix}{self.label} [{bar}] {done}/{total} {self.unit}{end}", ending=""
            )
            self.stream.flush()
