"""Report the docs blocks marked not-run, with their reasons, at the end of the test output."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    reasons = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        for key, value in getattr(report, "user_properties", ())
        if key == "not-run" and getattr(report, "when", "call") == "call"
    ]
    if reasons:
        terminalreporter.section("docs blocks not run")
        for reason in sorted(set(reasons)):
            terminalreporter.write_line(reason)
