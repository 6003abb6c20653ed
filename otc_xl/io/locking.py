"""Guards around writing a user's file: one writer at a time, never over an input, never over a
file another program has open.

- :func:`refuse_output_over_input`: an output path that is one of the inputs (same file through a
  symlink, a hard link or another spelling on a case-insensitive disk) is refused.
- :func:`writing`: an exclusive lock beside the file (``.~otc.NAME.lock``, the maintained
  ``filelock`` package: ``flock`` on Linux/macOS, ``msvcrt`` on Windows, released by the operating
  system if the process dies) held from the moment the command reads the file until the new file
  has been renamed into place. A second otc_xl command waits (and says so) up to
  ``OTC_XL_LOCK_TIMEOUT`` seconds (default 120), then stops with a clear message. Inside the lock
  the file is refused when Excel or LibreOffice has it open (their owner files ``~$NAME`` /
  ``.~lock.NAME#``) or when it is read-only (no write permission bit, as Excel judges it, even for
  root), and temporary files left by a killed run are removed. The lock file is removed with the
  lock; through a symbolic link, it sits beside the file the link points to.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from filelock import FileLock, Timeout

from ..model.problems import Problem, ValidationError

DEFAULT_TIMEOUT = 120.0
WRITABLE = (".xlsx", ".xlsm")


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when ``a`` and ``b`` are the same file on disk (symlinks, hard links, letter case)."""
    a, b = Path(a), Path(b)
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def refuse_output_over_input(output: str | Path, inputs: Sequence[str | Path], option: str = "--out",
                             what: str = "the input workbook", hint: str = " (or use --in-place to add the report "
                                                                           "sheets to it)") -> None:
    """ValidationError when ``output`` would replace one of ``inputs`` (same file, link, letter case;
    every input a command reads counts, those found by scanning a folder too)."""
    for given in inputs:
        if same_file(output, given):
            raise ValidationError([Problem(Path(output).name, f"{option} {output} is {what} {given}: "
                                           "writing there would replace your data. Choose another "
                                           f"file name{hint}")])


def lock_path(target: str | Path) -> Path:
    """``.~otc.NAME.lock`` beside the file itself (through a symbolic link: beside the file it points to,
    so a command given the link and one given the file take the same lock)."""
    target = Path(target)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    return target.with_name(f".~otc.{target.name}.lock")


def read_only(target: Path) -> bool:
    """Whether ``target`` is marked read-only: no write permission bit at all (what Excel honours, and
    what ``os.access`` does not report for root), or no write access for this user."""
    import stat

    mode = target.stat().st_mode
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK)


def _timeout() -> float:
    try:
        return max(0.0, float(os.environ.get("OTC_XL_LOCK_TIMEOUT", DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


def open_elsewhere(target: Path) -> str | None:
    """Which program has ``target`` open, judged by the owner/lock file it keeps beside it."""
    for owner, program in ((target.with_name("~$" + target.name), "Excel"),
                           (target.with_name(f".~lock.{target.name}#"), "LibreOffice")):
        if owner.exists():
            return f"{program} (its lock file {owner.name} is beside it)"
    return None


def stale_temporaries(target: Path) -> list[Path]:
    """Temporary files of :func:`otc_xl.io.files.replace_atomically` for ``target`` (``.~book.k2j4abcd.xlsx``)."""
    pattern = re.compile(rf"^\.~{re.escape(target.stem)}\.[a-z0-9_]{{8}}{re.escape(target.suffix)}$")
    if not target.parent.is_dir():
        return []
    return [p for p in target.parent.iterdir() if pattern.match(p.name)]


@contextlib.contextmanager
def writing(target: str | Path, wait_message: Callable[[str], None] | None = None,
            must_exist: bool = False) -> Iterator[list[Path]]:
    """Hold the exclusive lock for writing ``target``; yields the stale temporary files it removed."""
    target = Path(target)
    if target.suffix.lower() not in WRITABLE:
        raise ValidationError([Problem(target.name, f"otc_xl writes only {' and '.join(WRITABLE)} workbooks; " + (
            f"save {target.name} as .xlsx in Excel or LibreOffice first, or write the report to a new .xlsx file "
            "(--out)" if target.exists() else "choose a file name ending in .xlsx"))])
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path(target)))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        timeout = _timeout()
        if wait_message:
            wait_message(f"{target.name} is being written by another otc_xl command; waiting up to "
                         f"{timeout:.0f} s for it to finish …")
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise ValidationError([Problem(target.name, f"another otc_xl command is still writing this file after "
                                           f"{timeout:.0f} s; nothing was written. Run again when it has finished "
                                           "(OTC_XL_LOCK_TIMEOUT sets how long to wait)")]) from None
    except OSError as exc:
        raise ValidationError([Problem(target.name, f"cannot create the lock file {lock_path(target).name} "
                                       f"beside it ({exc.strerror}); is the folder read-only?")]) from None
    try:
        if target.exists():
            program = open_elsewhere(target)
            if program:
                raise ValidationError([Problem(target.name, f"the file is open in {program}; close it there and "
                                               "run again (nothing was written)")])
            if target.is_dir():
                raise ValidationError([Problem(target.name, f"{target} is a folder, not a workbook; nothing was "
                                                            "written")])
            if read_only(target):
                raise ValidationError([Problem(target.name, "the file is read-only (as Excel would, otc_xl does not "
                                                            "replace it); clear the read-only mark or write to "
                                                            "another file with --out; nothing was written")])
        elif must_exist:
            raise ValidationError([Problem(target.name, f"file not found: {target}")])
        removed = []
        for stale in stale_temporaries(Path(os.path.realpath(target)) if target.is_symlink() else target):
            with contextlib.suppress(OSError):
                stale.unlink()
                removed.append(stale)
        yield removed
    finally:
        # The lock file goes with the lock (no empty .~otc.*.lock left beside the book). It is removed
        # while still held: a command waiting on it then finds it unlinked and takes a new one
        # (filelock checks the inode it locked still has a name), so two never hold the lock at once.
        with contextlib.suppress(OSError):
            os.unlink(lock_path(target))
        lock.release()
