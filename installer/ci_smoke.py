"""Smoke checks of the frozen app and its installer, as the Windows CI runs them (standard library
only: it runs on the runner's Python, outside the frozen app).

    python installer/ci_smoke.py dist/LiveCaptions [--setup dist/LiveCaptionsSetup-X.exe]

1. ``live-captions --self-test``: the bundled model on ONNX Runtime (not PyTorch), and the parts a
   build can lose: PyAV, KenLM from a non-ASCII folder, OpenCC, soundcard (live_captions/self_test.py).
2. ``live-captions serve``: /health answers, and an upload of the sample is transcribed.
3. ``LiveCaptions.exe`` (Windows): its window comes up, and WM_CLOSE ends it with exit code 0.
4. The installer (``--setup``): a silent per-user install, the installed app's --version, a silent
   uninstall that removes it.
5. A Markdown table of the sizes (the app folder, its biggest parts, the installer files), added
   to the job summary ($GITHUB_STEP_SUMMARY) when that is set.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

EXE = ".exe" if sys.platform == "win32" else ""
TIMEOUT_S = 300
SELF_TEST_PARTS = ("audio and video files", "language models", "Chinese scripts")


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"smoke check failed: {message}")


def self_test(cli: list[str]) -> None:
    result = subprocess.run(
        [*cli, "--self-test"], capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT_S
    )
    print(result.stdout + result.stderr)
    check(result.returncode == 0, f"--self-test exited with {result.returncode}")
    check("ONNX Runtime)" in result.stdout, "the self-test did not run on ONNX Runtime")
    for part in SELF_TEST_PARTS + (("system audio",) if sys.platform == "win32" else ()):
        check(f"{part}: ok" in result.stdout, f"the self-test's {part!r} check did not pass")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def multipart(field: str, path: Path) -> tuple[bytes, str]:
    """A multipart/form-data body with one file, and its content type."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    body = head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def wait_until(predicate: Callable[[], bool], timeout: float = TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return predicate()


def api(cli: list[str], sample: Path, *extra: str) -> str:
    """Serve on a free port, upload ``sample``; the text the API heard."""
    url = f"http://127.0.0.1:{free_port()}"
    server = subprocess.Popen([*cli, "serve", "--port", url.rsplit(":", 1)[1], *extra])

    def up() -> bool:
        try:
            with urllib.request.urlopen(url + "/health", timeout=5) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return server.poll() is not None

    try:
        check(wait_until(up) and server.poll() is None, "the API did not come up")
        body, content_type = multipart("file", sample)
        request = urllib.request.Request(
            url + "/v1/audio/transcriptions", body, {"Content-Type": content_type}
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            text = str(json.load(response)["text"])
    finally:
        server.terminate()
        server.wait(60)
    print(f"the API heard: {text}")
    check(bool(text.strip()), "the API's transcription is empty")
    return text


def window_of(pid: int) -> int:
    """A visible top-level window of process ``pid`` (Windows), or 0."""
    import ctypes
    from ctypes import wintypes

    user32 = ctypes.windll.user32  # type: ignore[attr-defined,unused-ignore]
    found: list[int] = []

    @ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)  # type: ignore[attr-defined,unused-ignore]
    def visit(hwnd: int, _: int) -> bool:
        owner = wintypes.DWORD()
        user32.GetWindowThreadProcessId(hwnd, ctypes.byref(owner))
        if owner.value == pid and user32.IsWindowVisible(hwnd):
            found.append(hwnd)
        return True

    user32.EnumWindows(visit, 0)
    return found[0] if found else 0


def gui(app_dir: Path) -> None:
    """The windowed executable comes up with a window and quits on WM_CLOSE with exit code 0."""
    import ctypes

    WM_CLOSE = 0x0010
    with tempfile.TemporaryDirectory() as state:
        env = {**os.environ, "LIVE_CAPTIONS_STATE_DIR": state}
        app = subprocess.Popen([str(app_dir / "LiveCaptions.exe")], env=env)
        try:
            check(
                wait_until(lambda: window_of(app.pid) != 0 or app.poll() is not None),
                "the app's window did not come up",
            )
            check(app.poll() is None, f"the app ended at start with {app.returncode}")
            ctypes.windll.user32.PostMessageW(window_of(app.pid), WM_CLOSE, 0, 0)  # type: ignore[attr-defined,unused-ignore]
            code = app.wait(120)
        finally:
            app.kill()
    check(code == 0, f"the app quit with exit code {code}")
    print("the app's window came up and it quit on WM_CLOSE")


def install_and_uninstall(setup: Path) -> None:
    with tempfile.TemporaryDirectory() as temp:
        target = Path(temp) / "Live Captions"
        log = Path(temp) / "setup.log"
        quiet = ["/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/NOCANCEL"]
        subprocess.run(
            [str(setup), *quiet, f"/DIR={target}", f"/LOG={log}"],
            check=True,
            timeout=TIMEOUT_S * 2,
        )
        cli = target / f"live-captions{EXE}"
        check(cli.is_file(), f"the installer put no {cli.name} in {target}")
        version = subprocess.run([str(cli), "--version"], capture_output=True, text=True)
        check(version.returncode == 0, f"the installed app's --version: {version.stderr}")
        print(f"installed: {version.stdout.strip()}")
        uninstaller = next(target.glob("unins*.exe"))
        subprocess.run([str(uninstaller), *quiet], check=True, timeout=TIMEOUT_S)
        # The uninstaller copies itself to TEMP and returns at once: wait for it to finish.
        check(wait_until(lambda: not cli.exists()), "the uninstaller left the app in place")
        print("installed and uninstalled silently")


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def sizes_table(app_dir: Path, setups: list[Path], biggest: int = 8) -> str:
    """Markdown: the app folder, its biggest parts, the installer files (MB)."""
    rows = [("app folder", folder_size(app_dir))]
    internal = app_dir / "_internal"
    if internal.is_dir():
        parts = [
            (p.name, folder_size(p) if p.is_dir() else p.stat().st_size) for p in internal.iterdir()
        ]
        rows += [
            (f"_internal/{name}", size)
            for name, size in sorted(parts, key=lambda x: -x[1])[:biggest]
        ]
    rows += [(setup.name, setup.stat().st_size) for setup in setups]
    lines = ["| what | MB |", "|---|---:|"]
    lines += [f"| {name} | {size / 1e6:,.1f} |" for name, size in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app_dir", type=Path, help="the frozen app's folder (dist/LiveCaptions)")
    parser.add_argument("--setup", type=Path, nargs="*", default=[], help="installer files")
    parser.add_argument("--title", default="Live Captions", help="the job summary's heading")
    args = parser.parse_args(argv)
    cli = [str(args.app_dir / f"live-captions{EXE}")]
    self_test(cli)
    api(cli, Path(__file__).resolve().parents[1] / "engine" / "samples" / "sample.wav")
    if sys.platform == "win32":
        gui(args.app_dir)
    exe = [s for s in args.setup if s.suffix == ".exe"]
    if exe:
        install_and_uninstall(exe[0])
    table = f"### {args.title}: sizes\n\n{sizes_table(args.app_dir, args.setup)}"
    print(table)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
