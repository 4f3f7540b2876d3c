"""Scanning what a run publishes for personal data: findings name the file and the
place, never the value."""

from __future__ import annotations

from cape_study.privacy.keys import PrivacyError
from cape_study.privacy.masking import Finding

__all__ = ["PersonalDataFound"]


class PersonalDataFound(PrivacyError):
    """Personal data found where none may be (a rendered report page); names the file
    and the position of each finding, never the value."""

    def __init__(self, file: str, text: str, findings: list[Finding]) -> None:
        where = "; ".join(
            f"{f.kind} at line {line}, column {col} (character {f.start})"
            for f, (line, col) in ((f, _line_col(text, f.start)) for f in findings[:10])
        )
        more = f" and {len(findings) - 10} more" if len(findings) > 10 else ""
        super().__init__(f"{file}: personal data after rendering: {where}{more}")
        self.file = file
        self.findings = findings


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1
