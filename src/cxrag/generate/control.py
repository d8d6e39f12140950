"""One reply's time budget and cancellation, shared by every model call it makes.

A reply may call the model more than once (rewrite a follow-up, then answer) and each call may
be retried; all of them draw on one deadline, so a slow or trickling model costs a customer at
most ``llm.reply_deadline_s`` before the fallback reply. Cancelling (the client went away, the
server is stopping) aborts the request in flight, which closes its connection: the model
server stops generating for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class CallControl:
    """A deadline (monotonic clock) and a cancel switch with callbacks."""

    def __init__(self, seconds: float) -> None:
        self.budget_s = seconds
        self.deadline = time.monotonic() + seconds
        self._cancelled = threading.Event()
        self._callbacks: list[Callable[[], object]] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        """Seconds left (0 when the deadline has passed)."""
        return max(0.0, self.deadline - time.monotonic())

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Abort every call under this control (idempotent)."""
        with self._lock:
            if self._cancelled.is_set():
                return
            self._cancelled.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def on_cancel(self, callback: Callable[[], object]) -> Callable[[], None]:
        """Run ``callback`` on cancel (now, if already cancelled); returns an unregister."""
        with self._lock:
            if not self._cancelled.is_set():
                self._callbacks.append(callback)
                return lambda: self._forget(callback)
        callback()
        return lambda: None

    def _forget(self, callback: Callable[[], object]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)
