"""Ends the test process with pytest's own status, without the interpreter's teardown.

The suite loads native libraries that are not all safe to finalise in whatever order the
interpreter picks at exit (LiteRT's XNNPACK delegate, CTranslate2, torch, dlib, Ray's client).
Once in a full run the process died with SIGSEGV after pytest had printed every result, which
turned a green run into exit status 139. Once pytest has finished (the summary printed and every
other plugin unconfigured) this plugin flushes the output and leaves with pytest's status.
"""

from __future__ import annotations

import os
import sys

import pytest

_exit_status = 0


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    if os.environ.get("REELSEARCH_TEST_TEARDOWN"):
        return  # REELSEARCH_TEST_TEARDOWN=1: let the interpreter finalise, to study a crash
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status)
