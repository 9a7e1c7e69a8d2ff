"""What the Windows executables carry besides code: a version resource (Explorer's Details tab,
SmartScreen and Defender read the publisher, product and version from it) and the app's icon,
drawn by desktop_app/widgets/icon.py at every size Windows asks for. live_captions.spec writes
both into PyInstaller's work folder and hands them to EXE(version=..., icon=...)."""

from __future__ import annotations

import struct
from pathlib import Path

PRODUCT = "Live Captions"
PUBLISHER = "Live Captions"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """``0.1.0`` -> (0, 1, 0, 0); a suffix (``1.2.3rc1``, ``+local``) is dropped."""
    numbers = []
    for part in version.split("+")[0].split(".")[:4]:
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        numbers.append(int(digits or 0))
    numbers += [0] * (4 - len(numbers))
    return numbers[0], numbers[1], numbers[2], numbers[3]


def version_info_text(version: str, exe_name: str, description: str) -> str:
    """PyInstaller's version file (a VSVersionInfo expression) for one executable."""
    numbers = version_tuple(version)
    strings = {
        "CompanyName": PUBLISHER,
        "FileDescription": description,
        "FileVersion": version,
        "InternalName": exe_name,
        "LegalCopyright": f"(c) {PUBLISHER} contributors, MIT licence",
        "OriginalFilename": f"{exe_name}.exe",
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    entries = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers},
    prodvers={numbers},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable('040904B0', [
          {entries}
      ])
    ]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .ico file of PNG images (Windows Vista and later read PNG entries), size -> PNG."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    directory = b""
    offset = 6 + 16 * len(pngs)
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an icon directory
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        offset += len(png)
    return header + directory + b"".join(png for _, png in sorted(pngs.items()))


def icon_pngs() -> dict[int, bytes]:
    """The app's icon as PNGs, one per size in ICON_SIZES (Qt, offscreen)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtWidgets import QApplication

    from desktop_app.widgets.icon import app_icon

    _app = QApplication.instance() or QApplication([])
    icon = app_icon()
    pngs = {}
    for size in ICON_SIZES:
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        icon.pixmap(QSize(size, size)).save(buffer, "PNG")
        pngs[size] = bytes(data.data())
    return pngs


def write_resources(folder: Path, version: str) -> dict[str, Path]:
    """The icon and one version file per executable in ``folder``: {"icon": ..., exe name: ...}."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"icon": folder / "live_captions.ico"}
    paths["icon"].write_bytes(ico_bytes(icon_pngs()))
    for exe, description in (
        ("LiveCaptions", "Live Captions: captions of speech on the desktop"),
        ("live-captions", "Live Captions command line"),
    ):
        paths[exe] = folder / f"version_{exe}.txt"
        paths[exe].write_text(version_info_text(version, exe, description), encoding="utf-8")
    return paths
