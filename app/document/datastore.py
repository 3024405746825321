"""DataStore: the binary results (overview and viewport images) the page fetches by key,
served by app.shell.server on /data/<key>."""

from __future__ import annotations

import threading
from collections import OrderedDict


class DataStore:
    """Binary results by key, for the page to fetch; the oldest are dropped past `capacity`.

    The bound matters: every zoom produces an image, and nothing else ever frees them.
    """

    def __init__(self, capacity: int = 32) -> None:
        self._items: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._capacity = capacity

    def put(self, key: str, payload: bytes, content_type: str = "application/octet-stream") -> None:
        with self._lock:
            self._items[key] = (payload, content_type)
            self._items.move_to_end(key)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def discard(self, key: str) -> None:
        """Drop `key` (if held): a result superseded by another, e.g. the overview of a file
        being opened, shown as it grows, which would otherwise push older results out."""
        with self._lock:
            self._items.pop(key, None)

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self._lock:
            return self._items.get(key)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
