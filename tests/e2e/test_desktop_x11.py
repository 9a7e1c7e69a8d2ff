"""The caption overlay on a real X server under a window manager (Xvfb and openbox): a locked
overlay lets clicks through to the window below it, an unlocked one takes them.

Needs Xvfb, openbox and xdotool (Debian packages); the test starts and stops them by PID."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import stop_process

HERE = Path(__file__).parent
TOOLS = ("Xvfb", "openbox", "xdotool")

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in TOOLS) or not sys.platform.startswith("linux"),
    reason="Xvfb, openbox and xdotool are needed",
)


@pytest.fixture
def x_with_openbox(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An Xvfb display with openbox managing it; the environment to reach it."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()  # Xvfb writes its display number once it is ready
    if not number:
        stop_process(server)
        pytest.skip("Xvfb does not start here")
    env = {**os.environ, "DISPLAY": f":{number}", "QT_QPA_PLATFORM": "xcb"}
    manager = subprocess.Popen(["openbox", "--sm-disable"], env=env, stderr=subprocess.DEVNULL)
    try:
        yield env
    finally:
        stop_process(manager)
        stop_process(server)


def test_a_locked_overlay_lets_clicks_through_under_a_window_manager(
    x_with_openbox, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, str(HERE / "overlay_click_child.py"), str(tmp_path / "settings.ini")],
        env=x_with_openbox,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    clicks = json.loads(result.stdout.strip().splitlines()[-1])
    assert clicks == {"unlocked": ["overlay"], "locked": ["below"], "unlocked_again": ["overlay"]}
