"""The Windows build's choices, read from its files: one torch version for both flavours on a CUDA
index that has it, the CUDA installer in slices under GitHub's 2 GiB limit, the Start-menu
command line that survives any user name, the uninstaller's questions, optional signing, and the
CUDA flavour's message when Windows' page file is too small."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from helpers.packaging import build, entry, load_installer_module

ROOT = Path(__file__).resolve().parents[2]
BUILD_PS1 = (ROOT / "installer" / "build.ps1").read_text(encoding="utf-8")
ISS = (ROOT / "installer" / "live_captions.iss").read_text(encoding="utf-8")

# From pytorch's RELEASE.md (release compatibility matrix): the CUDA builds of each torch
# release on download.pytorch.org, stable and experimental.
CUDA_INDEXES = {
    "2.12": {"cu126", "cu130", "cu132"},
    "2.13": {"cu126", "cu130", "cu132"},
    "2.14": {"cu126", "cu130", "cu132"},
}
BLACKWELL_FROM = (12, 8)  # first CUDA with kernels for RTX 50-series GPUs (sm_120)


def ps1_default(name: str) -> str:
    match = re.search(rf'^\s*\[string\] \${name} = "([^"]*)"', BUILD_PS1, re.MULTILINE)
    assert match, f"build.ps1 has no default for -{name}"
    return match.group(1)


def test_both_flavours_get_the_same_torch_on_a_current_cuda_index() -> None:
    torch_pin = ps1_default("Torch")
    run_sh = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
    assert f'"{torch_pin}"' in run_sh  # the version the project is tested with
    version = re.fullmatch(r"torch==(\d+\.\d+)\.\d+", torch_pin)
    assert version, torch_pin
    index = ps1_default("CudaIndex")
    assert index in CUDA_INDEXES[version.group(1)], f"no torch {version.group(1)} on {index}"
    cuda = re.fullmatch(r"cu(\d\d)(\d)", index)
    assert cuda and (int(cuda.group(1)), int(cuda.group(2))) >= BLACKWELL_FROM
    # One install line for both flavours: only the index differs.
    installs = re.findall(r"pip install (\S+) --index-url", BUILD_PS1)
    assert installs == ["$Torch"]


def test_the_cuda_installer_is_built_in_slices_under_two_gib(tmp_path: Path) -> None:
    block = re.search(r"^#ifdef DiskSpanning\n(.*?)^#endif", ISS, re.MULTILINE | re.DOTALL)
    assert block, "live_captions.iss has no DiskSpanning block"
    settings = dict(re.findall(r"^(\w+)=(\S+)$", block.group(1), re.MULTILINE))
    assert settings["DiskSpanning"] == "yes"
    assert int(settings["DiskSliceSize"]) < build.RELEASE_ASSET_LIMIT == 2 * 1024**3
    options = build.parse_args(["--flavour", "cuda", "--dist", str(tmp_path)])
    args = build.iscc_arguments(options, tmp_path / "LiveCaptions", "1.2.3")
    assert "/DDiskSpanning" in args and "/DFlavour=cuda" in args
    cpu = build.parse_args(["--flavour", "cpu", "--dist", str(tmp_path)])
    assert "/DDiskSpanning" not in build.iscc_arguments(cpu, tmp_path, "1.2.3")
    assert "/DModelCache=models--facebook--wav2vec2-base-960h" in args


def inno_string(value: str) -> str:
    """An Inno Setup quoted parameter's text ("" is one quote)."""
    assert value.startswith('"') and value.endswith('"')
    return value[1:-1].replace('""', '"')


@pytest.mark.parametrize("user", ["Ann", "R&D (Lab)", "a@b^c", "Zoë Müller & Co"])
def test_the_command_line_shortcut_quotes_the_path_whatever_the_user_name(user: str) -> None:
    line = next(x for x in ISS.splitlines() if "command line" in x and x.startswith("Name:"))
    parameters = inno_string(re.search(r'Parameters: ("(?:[^"]|"")*")', line).group(1))  # type: ignore[union-attr]
    app = rf"C:\Users\{user}\AppData\Local\Programs\Live Captions"
    command = parameters.replace("{app}", app).replace("{#CliExe}", "live-captions.exe")
    # cmd.exe with /s: the first and the last quote go, the rest runs as written.
    switches, _, rest = command.partition(' "')
    assert switches.split() == ["/s", "/k"]
    assert rest.endswith('"')
    runs = rest[:-1]
    assert runs == f'"{app}\\live-captions.exe" --help'


def test_the_uninstaller_asks_before_deleting_what_the_user_has() -> None:
    code = ISS[ISS.index("[Code]") :]
    asked = re.findall(r"AskToDelete\('([^']*)'", code)
    assert sorted(a.split()[1] for a in asked) == ["Live", "models", "saved", "speech"]
    assert "MB_DEFBUTTON2" in code and "not UninstallSilent" in code  # "No" unless asked
    assert "Software\\LiveCaptions" in code  # QSettings' registry key (organisation name)
    # The models the app downloaded, as engine/hub.py notes them, and the ONNX exports where
    # engine/onnx_backend.py keeps them; not a model the installed app never downloads.
    from engine.hub import DOWNLOADS_RECORD

    assert f"HubCache() + '\\{DOWNLOADS_RECORD}'" in code
    assert "HfHome() + '\\live-captions-onnx'" in code
    assert "models--facebook" not in ISS


def test_setup_runs_per_user_or_for_all_users_on_windows_10_1809_or_later() -> None:
    setup = ISS[ISS.index("[Setup]") : ISS.index("[Languages]")]
    assert "PrivilegesRequired=lowest\n" in setup  # per user unless asked
    assert "PrivilegesRequiredOverridesAllowed=dialog commandline" in setup
    assert "DefaultDirName={autopf}\\" in setup
    assert "MinVersion=10.0.17763" in setup
    app_icons = [line for line in ISS.splitlines() if 'Filename: "{app}\\{#AppExe}"' in line]
    assert len(app_icons) == 3  # Start menu, desktop, and the [Run] entry after installing
    assert all('WorkingDir: "{userdocs}"' in line for line in app_icons)


def test_signing_is_an_option_that_takes_a_certificate(tmp_path: Path) -> None:
    unsigned = build.parse_args(["--dist", str(tmp_path)])
    assert unsigned.sign_certificate is None and build.sign_command(unsigned) is None
    cert = tmp_path / "code signing.pfx"
    command = build.signtool_command(
        Path("signtool.exe"), cert, "pa$$word", build.DEFAULT_TIMESTAMP_URL
    )
    assert command[:4] == ["signtool.exe", "sign", "/fd", "SHA256"]
    assert command[command.index("/f") + 1] == str(cert) and "/tr" in command
    tool = build.inno_sign_tool(command)
    assert tool.startswith("lcsign=signtool.exe sign ") and tool.endswith(" $f")
    assert f"$q{cert}$q" in tool and "pa$$$$word" in tool  # Inno's quoting and $ escape
    options = build.parse_args(["--dist", str(tmp_path), "--sign-certificate", str(cert)])
    args = build.iscc_arguments(options, tmp_path, "1.2.3", command)
    assert "/DSign" in args and f"/S{tool}" in args
    assert "SignTool=lcsign" in ISS and "SignedUninstaller=yes" in ISS
    with pytest.raises(SystemExit, match="not a file"):
        build.sign_command(options)
    cert.write_bytes(b"not really a certificate")
    if sys.platform != "win32":
        with pytest.raises(SystemExit, match="SignTool"):
            build.sign_command(options)
    assert "--sign-certificate" in BUILD_PS1 and "LC_SIGN_PASSWORD" in BUILD_PS1


class TorchFails:
    """Importing torch fails with ``message``, as it does where Windows cannot map its DLLs."""

    def __init__(self, message: str) -> None:
        self.message = message

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "torch":
            raise OSError(self.message)


PAGE_FILE = (
    "[WinError 1455] The paging file is too small for this operation to complete. Error loading "
    '"C:\\LiveCaptions\\_internal\\torch\\lib\\cublas64_12.dll" or one of its dependencies.'
)


def test_a_page_file_too_small_points_to_the_cpu_version(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(
        sys.modules, "torch", raising=False
    )  # imported or not (unit tests never do)
    monkeypatch.setattr(sys, "meta_path", [TorchFails(PAGE_FILE), *sys.meta_path])
    monkeypatch.setattr(entry, "ships_cuda", lambda bundle: True)
    if sys.platform == "win32":
        monkeypatch.setattr(entry, "show_fatal", lambda m: print(f"error: {m}", file=sys.stderr))
    assert entry.main(["transcribe", "x.wav"]) == entry.EXIT_CUDA_LOAD
    err = capsys.readouterr().err
    assert "page file is too small" in err and "CPU version" in err and "WinError 1455" in err
    # Any other failure to load torch is not dressed up as this one.
    monkeypatch.setattr(sys, "meta_path", [TorchFails("[WinError 126] not found"), *sys.meta_path])
    with pytest.raises(OSError, match="WinError 126"):
        entry.import_cuda_torch()


resources = load_installer_module("windows_resources")


@pytest.mark.parametrize(
    ("version", "numbers"),
    [("0.1.0", (0, 1, 0, 0)), ("1.2.3rc1", (1, 2, 3, 0)), ("2.0+local.5", (2, 0, 0, 0))],
)
def test_the_version_resource_carries_the_version(version: str, numbers: tuple) -> None:  # type: ignore[type-arg]
    assert resources.version_tuple(version) == numbers
    text = resources.version_info_text(version, "live-captions", "the command line")
    assert f"filevers={numbers}" in text and f"prodvers={numbers}" in text
    assert f"StringStruct('ProductVersion', {version!r})" in text
    assert "StringStruct('OriginalFilename', 'live-captions.exe')" in text
    assert "StringStruct('CompanyName', 'Live Captions')" in text


def test_the_icon_file_holds_every_size_as_png(tmp_path: Path) -> None:
    pytest.importorskip("PySide6")
    import struct

    paths = resources.write_resources(tmp_path, "0.1.0")
    data = paths["icon"].read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, len(resources.ICON_SIZES))
    for i, size in enumerate(resources.ICON_SIZES):
        width, height, _, _, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i
        )
        assert width == height == (0 if size == 256 else size) and (planes, bits) == (1, 32)
        png = data[offset : offset + length]
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (size, size)  # the PNG's IHDR width, height
    assert "FileVersion', '0.1.0'" in paths["LiveCaptions"].read_text(encoding="utf-8")
    spec = (ROOT / "installer" / "live_captions.spec").read_text(encoding="utf-8")
    assert 'resources("LiveCaptions")' in spec and 'resources("live-captions")' in spec


class MessageBoxes:
    def __init__(self) -> None:
        self.shown: list[str] = []

    def MessageBoxW(self, owner: object, text: str, title: str, flags: int) -> int:
        self.shown.append(text)
        return 1


def test_only_the_windowed_executable_shows_a_message_box(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The console executable's errors go to its console alone: a box there would wait for a
    click that never comes in CI or a script."""
    import ctypes
    import types

    boxes = MessageBoxes()
    monkeypatch.setattr(ctypes, "windll", types.SimpleNamespace(user32=boxes), raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(entry, "_windowed", False)
    entry.show_fatal("CUDA cannot start")
    assert boxes.shown == [] and "error: CUDA cannot start" in capsys.readouterr().err
    # The windowed executable starts without streams (sys.stdout and sys.stderr are None).
    monkeypatch.setattr(entry, "_console_log", lambda: (tmp_path / "console.log").open("a"))
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    entry.give_windowed_app_streams()
    entry.show_fatal("CUDA cannot start")
    assert boxes.shown == ["CUDA cannot start"]


def test_a_big_console_log_moves_aside_instead_of_being_truncated(tmp_path: Path) -> None:
    log = tmp_path / "Logs" / "console.log"
    with entry._open_console_log(log) as out:
        out.write("first start\n")
    with entry._open_console_log(log) as out:  # a second start appends
        out.write("second start\n")
    assert log.read_text() == "first start\nsecond start\n"
    log.write_text("x" * (entry.CONSOLE_LOG_MAX_BYTES + 1))
    with entry._open_console_log(log) as out:
        out.write("third start\n")
    assert log.read_text() == "third start\n"
    assert (tmp_path / "Logs" / "console.log.1").stat().st_size > entry.CONSOLE_LOG_MAX_BYTES


def test_the_cuda_flavour_loads_torch_after_the_single_instance_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Starting the app: torch's 3 GB of CUDA libraries are not loaded in the entry point, where
    a second start would load them only to hand over to the running app."""
    from live_captions import gui

    calls: list[object] = []
    monkeypatch.setattr(entry, "ships_cuda", lambda bundle: True)
    monkeypatch.setattr(entry, "check_cuda_or_exit", lambda: calls.append("cuda"))
    monkeypatch.setattr(gui, "BEFORE_WINDOW", [])
    monkeypatch.setattr("live_captions.cli.main", lambda argv: calls.append(argv) or 0)
    assert entry.main(["--verbose"]) == 0
    assert calls == [["--verbose"]] and len(gui.BEFORE_WINDOW) == 1  # handed to the GUI
    gui.BEFORE_WINDOW[0]()
    assert calls[-1] == "cuda"
    calls.clear()
    monkeypatch.setattr(gui, "BEFORE_WINDOW", [])
    assert entry.main(["transcribe", "x.wav"]) == 0  # a command checks CUDA at once
    assert calls == ["cuda", ["transcribe", "x.wav"]] and gui.BEFORE_WINDOW == []


def test_the_gui_runs_the_slow_start_after_the_lock_behind_a_splash(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import argparse

    from PySide6.QtWidgets import QApplication, QSplashScreen

    from live_captions import gui

    monkeypatch.setenv("LIVE_CAPTIONS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(gui, "configure_logging", lambda verbose: None)
    seen: list[tuple[bool, bool]] = []

    def slow_start() -> None:
        splashes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QSplashScreen)]
        locked = (tmp_path / "state" / "instance.lock").is_file()
        seen.append((locked, any(s.isVisible() for s in splashes)))
        raise SystemExit(entry.EXIT_CUDA_LOAD)  # as when torch cannot load: the start ends

    monkeypatch.setattr(gui, "BEFORE_WINDOW", [slow_start])
    with pytest.raises(SystemExit):
        gui.main(argparse.Namespace(verbose=False))
    assert seen == [(True, True)]
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QSplashScreen):
            widget.close()
