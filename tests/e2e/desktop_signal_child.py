"""The desktop app as its own process, for tests that kill it with a real signal: offscreen Qt,
a fake sound device playing a WAV in real time (the sound card is outside the project), the
tiny model, the signal handlers the real entry point installs. Captions start at once.

Usage: python desktop_signal_child.py MODEL_DIR WAV TRANSCRIPTS_DIR SETTINGS_INI
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Run by path: the repository's root (devkit) and tests/ (helpers), as pytest's pythonpath has them.
sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    model_dir, wav, transcripts, ini = sys.argv[1:5]
    from helpers.desktop import FakeSoundDevice, stereo_wav
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.app import DesktopApp
    from desktop_app.settings import Settings
    from engine import ModelOptions, load_recognizer
    from live_captions.gui import quit_on_signals

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    audio, rate = stereo_wav(Path(wav))
    device = FakeSoundDevice(audio, rate, speed=1.0)
    settings = Settings(QSettings(ini, QSettings.Format.IniFormat))
    desktop = DesktopApp(settings, device, Path(transcripts), tray=False)
    desktop.set_recognizer(
        load_recognizer(ModelOptions(name=model_dir, device="cpu", dtype="float32", warmup=False))
    )
    desktop.window.closed.connect(app.quit)
    quit_on_signals(desktop.window.close)
    ticker = QTimer(interval=100)
    ticker.timeout.connect(lambda: None)  # lets Python run its signal handlers
    ticker.start()
    desktop.window.act_start.trigger()
    print("captioning", flush=True)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
