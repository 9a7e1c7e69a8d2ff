"""Two replayed files, two feeder threads: the echo gate hears them in one order on every run."""

from __future__ import annotations

import threading
import time

import numpy as np

from engine.echo import Lockstep, MicrophoneSide, SystemSide

PIECE = 1600


class Gate:
    """Records the order in which the sides reach the gate."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def system(self, samples: np.ndarray, now: float | None = None) -> None:
        self.calls.append("s")

    def system_ended(self) -> None:
        pass

    def microphone(self, samples: np.ndarray, now: float | None = None) -> np.ndarray:
        self.calls.append("m")
        return samples

    def flush(self) -> np.ndarray:
        return np.zeros(0, np.float32)


class Sink:
    closed = False
    lag_s = 0.0

    def push(self, samples: np.ndarray) -> bool:
        return True

    def finish(self) -> None:
        pass

    def close(self) -> None:
        pass


def feed(gate: Gate, lockstep: Lockstep | None, system_pieces: int, mic_pieces: int) -> str:
    """The system feeder runs flat out, the microphone's sleeps a little before each piece."""
    system = SystemSide(gate, Sink(), None, lockstep)  # type: ignore[arg-type]
    mic = MicrophoneSide(gate, Sink(), None, lockstep)  # type: ignore[arg-type]
    piece = np.zeros(PIECE, np.float32)

    def run_system() -> None:
        for _ in range(system_pieces):
            system.push(piece)
        system.finish()

    def run_mic() -> None:
        for _ in range(mic_pieces):
            time.sleep(0.002)
            mic.push(piece)
        mic.finish()

    threads = [threading.Thread(target=run_system), threading.Thread(target=run_mic)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return "".join(gate.calls)


def test_the_sides_take_turns_system_first() -> None:
    assert feed(Gate(), Lockstep(), 20, 20) == "sm" * 20


def test_without_the_lockstep_the_order_is_the_threads_whim() -> None:
    # What the lockstep prevents: the fast system feeder runs ahead of the microphone.
    assert feed(Gate(), None, 20, 20) != "sm" * 20


def test_a_side_that_ends_early_lets_the_other_run_on() -> None:
    assert feed(Gate(), Lockstep(), 3, 8) == "sm" * 3 + "m" * 5
    assert feed(Gate(), Lockstep(), 8, 3) == "sm" * 3 + "s" * 5
