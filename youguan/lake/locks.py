"""Inter-process locks for the lake, on lock files beside the data (``flock``).

Two uses:

- a **partition lock** per dataset and brand serialises what must not interleave: the
  deduplication of a batch against the committed files and its commit, a correction, a
  compaction, and ``lake check`` looking for orphans (which would otherwise take a commit's
  renamed-but-not-yet-recorded files for orphans);
- a **staging lock** per batch, held for the life of its staging directory, tells ``lake check``
  that the directory belongs to a live process. The kernel drops an ``flock`` when its process
  dies, even by ``kill -9``, so a lock that can be taken marks a dead owner.

A lock file may be unlinked by whoever holds it (cleaning up); acquiring therefore checks, after
``flock``, that the path still names the locked inode, and retries otherwise.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockTimeout(TimeoutError):
    """Another process holds the lock for longer than we were willing to wait."""


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, *, blocking: bool = True, timeout: float = 600.0) -> bool:
        """Take the lock; ``False`` when non-blocking and busy. Raises :class:`LockTimeout`."""
        if self._fd is not None:
            raise RuntimeError(f"lock {self.path.name} already held by this object")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if not blocking:
                    return False
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"lake lock {self.path.name} busy for {timeout:.0f} s"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
                continue
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                return True
            os.close(fd)  # the file was unlinked by its previous holder: take the new one

    def release(self, *, unlink: bool = False) -> None:
        if self._fd is None:
            return
        try:
            if unlink:
                self.path.unlink(missing_ok=True)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = None


@contextmanager
def locked(paths: list[Path], *, timeout: float = 600.0) -> Iterator[None]:
    """Hold several locks, taken in path order (no deadlock between two multi-lock holders)."""
    held: list[FileLock] = []
    try:
        for p in sorted(set(paths)):
            lock = FileLock(p)
            lock.acquire(timeout=timeout)
            held.append(lock)
        yield
    finally:
        for lock in reversed(held):
            lock.release()
