"""Diagnostic severities, kept apart so the catalogue can import them without cycles."""

from __future__ import annotations

import enum


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"

    def label(self, lang: str) -> str:
        if lang == "en":
            return self.value
        return {"error": "fout", "warning": "waarschuwing"}[self.value]
