"""Output folders that are never mixed, never lost and never wrongly deleted.

- :class:`FolderLock`: one writer of a folder at a time. A second writer is refused at once with
  the first one's process id, instead of mixing two experiments in one folder.
- :func:`swap_in`: a folder written beside its target takes the target's place. Where the system
  can (Linux's ``renameat2`` with ``RENAME_EXCHANGE``) the two are exchanged in one step, so that
  the target is at every moment the old folder or the new one; elsewhere two renames, and a
  writer killed between them is undone by :func:`clean_stale` on the next write.
- :func:`clean_stale`: the temporary folders and files a killed writer left beside a target.
- :func:`check_replaceable`: a folder that ``--force`` may replace whole: never one that holds
  the working folder or the home folder, nor a mount point or a folder with one inside.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import functools
import os
import re
import shutil
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import Any

from sim.errors import SimError

__all__ = [
    "FolderLock",
    "check_replaceable",
    "clean_stale",
    "clean_temporary_files",
    "staging_path",
    "swap_in",
]

LOCK_FILE = ".lock"
_RENAME_EXCHANGE = 2  # linux/fs.h
#: The locks this process holds: a forked child (a pool's worker) lets go of its copies at once.
_HELD: weakref.WeakSet[FolderLock] = weakref.WeakSet()


def _forget_in_child() -> None:
    """In a forked child: close its copies of the parent's lock files, never unlocking them.

    A lock belongs to the open file, which parent and child share: closing the child's copy
    leaves the parent's lock in place, and the child no longer keeps it after the parent lets go.
    """
    for lock in list(_HELD):
        if lock._fd is not None:
            with contextlib.suppress(OSError):
                os.close(lock._fd)
            lock._fd = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


class FolderLock:
    """An exclusive lock on ``folder`` (a ``.lock`` file in it), held until :meth:`release`.

    The lock is the operating system's (``flock``): a writer that dies, however it dies, lets
    go of it. The lock file keeps the holder's process id for the message a second writer gets.
    """

    def __init__(self, folder: str | Path, what: str = "--out"):
        self.folder = Path(folder)
        self._fd: int | None = None
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, as before
            return
        path = self.folder / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
                raise SimError(
                    f"{what} {folder}: another corridor-sim (process {holder}) is writing this "
                    "folder; wait for it to finish, or give another folder"
                ) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        except BaseException:
            os.close(fd)  # closing the only copy lets go of the lock too
            raise
        self._fd = fd
        _HELD.add(self)

    def release(self) -> None:
        """Let go of the lock (closing the file releases it); a second call does nothing."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FolderLock:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()


def staging_path(folder: Path, kind: str) -> Path:
    """A hidden sibling of ``folder`` for a writer's ``kind`` ("new" or "old") of it.

    Its name carries the writer's process id, so that :func:`clean_stale` can tell a live
    writer's folder from one a killed writer left behind.
    """
    return folder.parent / f".{folder.name}.{kind}-{os.getpid()}-{time.monotonic_ns()}"


@functools.cache
def _renameat2() -> Any:
    """The C library's ``renameat2`` (glibc 2.28 and later), or None."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Exchange two paths in one step (Linux ``renameat2``); False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # this kernel or file system cannot
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_in(fresh: Path, folder: Path) -> None:
    """Put the folder ``fresh`` in the place of ``folder`` (which may not exist), then drop the old.

    ``folder`` is at every moment whole: the old folder or the new one (see the module's text).
    """
    if not folder.exists():
        os.replace(fresh, folder)
        return
    if _exchange(fresh, folder):
        shutil.rmtree(fresh, ignore_errors=True)  # fresh now holds the old folder
        return
    old = staging_path(folder, "old")
    os.replace(folder, old)
    try:
        os.replace(fresh, folder)
    except BaseException:
        os.replace(old, folder)  # the earlier folder, back where it was
        raise
    shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        pass
    return True


def clean_stale(folder: Path) -> None:
    """Clean up what killed writers left beside ``folder`` (see :func:`staging_path`).

    An old folder whose writer died between its two renames takes ``folder``'s place again if
    ``folder`` is missing; every other leftover of a dead writer is deleted. A live writer's
    folders are left alone.
    """
    pattern = re.compile(rf"\.{re.escape(folder.name)}\.(new|old)-(\d+)-\d+\Z")
    with contextlib.suppress(OSError):
        for path in sorted(folder.parent.iterdir()):
            found = pattern.match(path.name)
            if found is None or _alive(int(found[2])):
                continue
            if found[1] == "old" and not folder.exists():
                os.replace(path, folder)
            else:
                shutil.rmtree(path, ignore_errors=True)


def clean_temporary_files(folder: Path) -> None:
    """Delete the temporary files (``.NAME.*.tmp``) interrupted atomic writes left in ``folder``.

    Call it only while holding the folder's :class:`FolderLock`: no other writer is then at work.
    """
    with contextlib.suppress(OSError):
        for path in folder.glob(".*.tmp"):
            path.unlink(missing_ok=True)


def _mount_points() -> list[Path] | None:
    """Every mount point of this process (bind mounts included), or None where none are listed.

    Read from Linux's ``/proc/self/mountinfo`` (its fifth field, a space written as octal 040).
    """
    try:
        lines = Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    out = []
    for line in lines:
        fields = line.split(" ")
        if len(fields) > 4:
            raw = fields[4]
            out.append(Path(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), raw)))
    return out


def _home() -> Path | None:
    """The home folder (links resolved), or None where it cannot be told."""
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError):
        return None


def check_replaceable(folder: Path, given: str | Path) -> None:
    """Refuse (:class:`SimError`) to replace ``folder`` whole when that would delete too much.

    ``folder`` (links resolved) may not be, or hold, the working folder or the home folder, and
    may not be or hold a mount point (a bind mount too); ``given`` is how the user wrote it.
    """
    cwd, home = Path.cwd().resolve(), _home()
    for name, inner in (("the working folder", cwd), ("your home folder", home)):
        if inner is not None and (inner == folder or folder in inner.parents):
            raise SimError(
                f"--out {given}: is or holds {name} ({inner}), which a run will not replace: "
                "give a folder of its own"
            )
    mounts = _mount_points()
    if mounts is None:  # not Linux: the folder itself, and the folders in it
        mounts = [folder] if os.path.ismount(folder) else []
        if folder.is_dir():
            mounts += [Path(r) / d for r, ds, _ in os.walk(folder) for d in ds]
            mounts = [m for m in mounts if os.path.ismount(m)]
    for mount in mounts:
        if mount == folder:
            raise SimError(f"--out {given}: is a mount point, which a run will not replace")
        if folder in mount.parents:
            raise SimError(
                f"--out {given}: holds a mount point ({mount}), which a run will not replace"
            )
