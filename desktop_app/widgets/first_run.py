"""The first-run dialog: shown when the configured speech model is not on this computer yet.

It says which model it will download (name, language, size), from where and into which
folder, shows the download's progress with a cancel button, and offers the other ways to
start: another model, a model folder on disk, or the demo model. When the hub cannot be
reached it says so and points at the hub choice, where a mirror can be picked.

The dialog only asks the hub what a model holds (in a thread of its own); the download itself
is the app's ModelLoader, whose progress, failure and cancel the app passes in.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.catalogue import find, recommended
from engine.config import DEFAULT_MODEL, DEMO_MODEL
from engine.errors import ModelLoadError
from engine.hub import (
    DEFAULT_ENDPOINT,
    MIRROR_EXAMPLE,
    HubUnreachable,
    RemoteModel,
    cache_dir,
    format_bytes,
    hub_endpoint,
    remote_model,
)

from ..messages import EngineMessages, describe


class _InfoJob(QObject):
    """Asks the hub what a model holds, off the GUI thread."""

    done = Signal(int, object)  # request number, RemoteModel
    failed = Signal(int, object)  # request number, the ModelLoadError

    def run(self, number: int, model: str, endpoint: str) -> None:
        try:
            self.done.emit(number, remote_model(model, endpoint or None))
        except ModelLoadError as exc:
            self.failed.emit(number, exc)


class FirstRunDialog(QDialog):
    download_requested = Signal(str, str)  # model id, hub address ("" for the default)
    cancel_requested = Signal()
    model_chosen = Signal(str)  # a folder or "demo": use it, nothing to download
    info_shown = Signal(bool)  # the hub answered (True) or not (False) about the model

    def __init__(
        self,
        model: str,
        endpoint: str,
        parent: QWidget | None = None,
        *,
        language: str = "en",  # the user's language ("zh_CN"): its models come first
        cuda: bool = False,  # the model will run on a GPU: accuracy first, not CPU cost
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Live Captions: get a speech model"))
        self.setMinimumWidth(560)
        self._request = 0
        self._info = _InfoJob()
        self._info.done.connect(self._on_info)
        self._info.failed.connect(self._on_info_failed)
        self.remote: RemoteModel | None = None
        self.downloading = False

        heading = QLabel(
            self.tr(
                "<b>Live Captions needs a speech model.</b><br>It is downloaded once; then "
                "everything runs on this computer, without network."
            )
        )
        self.model = QComboBox(editable=True)
        # The catalogue's models, best for this user first, the facts of each in its tooltip
        # (any other hub id can be typed). The configured model, unless it is the default one,
        # which stands for "none chosen yet": then the first of them.
        offered = recommended(language, cuda)
        for entry in offered:
            self.model.addItem(entry.model)
            self.model.setItemData(
                self.model.count() - 1, entry.summary(), Qt.ItemDataRole.ToolTipRole
            )
        self.model.setCurrentText(offered[0].model if model == DEFAULT_MODEL else model)
        self.model.setToolTip(self.tr("A Hugging Face id of a CTC speech model"))
        self.hub = QComboBox(editable=True)
        self.hub.addItems([DEFAULT_ENDPOINT, MIRROR_EXAMPLE])
        self.hub.setCurrentText(endpoint or _default_endpoint())
        self.hub.setToolTip(
            self.tr(
                "Where models come from: the Hugging Face hub, or a mirror of it such as "
                "{} (reachable from mainland China)"
            ).format(MIRROR_EXAMPLE)
        )
        self.details = QLabel()
        self.details.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Model:"), self.model)
        form.addRow(self.tr("{0}:").format(EngineMessages().download_from()), self.hub)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.download_button = QPushButton(self.tr("Download"))
        self.download_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel download"))
        self.cancel_button.hide()
        self.folder_button = QPushButton(self.tr("Use a model folder…"))
        self.demo_button = QPushButton(self.tr("Try the demo model (synthetic voices only)"))
        actions = QHBoxLayout()
        actions.addWidget(self.download_button)
        actions.addWidget(self.cancel_button)
        actions.addStretch(1)
        others = QHBoxLayout()
        others.addWidget(self.folder_button)
        others.addWidget(self.demo_button)
        others.addStretch(1)

        layout = QVBoxLayout(self)
        # Never smaller than what it shows: long progress or advice grows the dialog instead of
        # being clipped.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.details)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(actions)
        layout.addWidget(QLabel(self.tr("Or:")))
        layout.addLayout(others)

        self.download_button.clicked.connect(self._download)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.folder_button.clicked.connect(self._choose_folder)
        self.demo_button.clicked.connect(lambda: self._use(DEMO_MODEL))
        # Typing a name or an address asks the hub once the typing pauses, not per keystroke.
        self._typing = QTimer(self, singleShot=True, interval=400)
        self._typing.timeout.connect(self.refresh)
        self.model.currentTextChanged.connect(self._typing.start)
        self.hub.currentTextChanged.connect(self._typing.start)
        self.refresh()

    # what the model is -----------------------------------------------------------------------
    @property
    def model_id(self) -> str:
        return self.model.currentText().strip()

    @property
    def endpoint(self) -> str:
        """The hub address chosen, "" when it is the default (HF_ENDPOINT or huggingface.co)."""
        value = self.hub.currentText().strip().rstrip("/")
        return "" if value == _default_endpoint() else value

    @Slot()
    def refresh(self) -> None:
        """Ask the hub (in the background) what the chosen model holds."""
        self._request += 1
        self.remote = None
        self.download_button.setEnabled(False)
        self.details.setText(
            self.tr("Asking {} about the model…").format(self.hub.currentText().strip())
        )
        args = (self._request, self.model_id, self.endpoint)
        threading.Thread(target=self._info.run, args=args, daemon=True).start()

    @Slot(int, object)
    def _on_info(self, number: int, remote: RemoteModel) -> None:
        if number != self._request:
            return  # the choice changed since
        self.remote = remote
        known = find(remote.repo_id)
        language = known.language_name if known else None
        # A hub that lists no sizes: no size rather than "0 B".
        parts = [remote.repo_id, language, format_bytes(remote.size) if remote.size else None]
        self.details.setText(
            self.tr("{0}, from {1}, into {2}").format(
                ", ".join(p for p in parts if p), remote.endpoint, cache_dir()
            )
        )
        self.download_button.setEnabled(not self.downloading)
        self.status.setText("")
        self.adjustSize()
        self.info_shown.emit(True)

    @Slot(int, object)
    def _on_info_failed(self, number: int, error: ModelLoadError) -> None:
        if number != self._request:
            return
        self.details.setText("")
        self._show_error(error)
        self.download_button.setEnabled(True)  # trying again is a choice too
        self.info_shown.emit(False)

    def _show_error(self, error: BaseException) -> None:
        """What went wrong and what to do, in the app's language (the advice names the mirror
        once, and the field to pick it in)."""
        if isinstance(error, HubUnreachable):
            self.hub.setFocus()
        self.status.setText(describe(error))
        self.status.setStyleSheet("color: #b00020;")
        self._fit()

    # the download (run by the app's loader) --------------------------------------------------
    def _download(self) -> None:
        self.downloading = True
        self.progress.setValue(0)
        self.progress.show()
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Starting the download…"))
        self._buttons(downloading=True)
        self.download_requested.emit(self.model_id, self.endpoint)

    def _buttons(self, downloading: bool) -> None:
        self.download_button.setVisible(not downloading)
        self.cancel_button.setVisible(downloading)
        for widget in (self.model, self.hub, self.folder_button, self.demo_button):
            widget.setEnabled(not downloading)

    @Slot(str, int, int)
    def set_progress(self, text: str, done: int, total: int) -> None:
        if not self.downloading:
            return
        # Without a total (a hub that lists no sizes) the bar moves without claiming a share.
        self.progress.setRange(0, 1000 if total else 0)
        if total:
            self.progress.setValue(round(1000 * done / total))
        self.status.setText(text)
        self._fit()

    def _fit(self) -> None:
        """Grow taller when wrapped text needs it (the export's long steps, advice): Qt's
        minimum size does not follow a word-wrapped label's height for the dialog's width."""
        layout = self.layout()
        assert layout is not None
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else 0
        if needed > self.height():
            self.resize(self.width(), needed)

    @Slot()
    def download_cancelled(self) -> None:
        self.downloading = False
        self._buttons(downloading=False)
        self.progress.hide()
        self.download_button.setEnabled(True)
        self.status.setStyleSheet("")
        self.status.setText(
            self.tr(
                "Download cancelled. Nothing half-downloaded is used, but what arrived is kept: "
                "downloading again goes on from there."
            )
        )

    def download_failed(self, error: BaseException) -> None:
        self.downloading = False
        self._buttons(downloading=False)
        self.progress.hide()
        self.download_button.setEnabled(True)
        self._show_error(error)

    # the other ways to start -----------------------------------------------------------------
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder with a CTC speech model"))
        if folder:
            self._use(folder)

    def _use(self, model: str) -> None:
        self.model_chosen.emit(model)
        self.accept()


def _default_endpoint() -> str:
    try:
        return hub_endpoint()
    except ModelLoadError:
        return DEFAULT_ENDPOINT  # a malformed HF_ENDPOINT: the download names it
