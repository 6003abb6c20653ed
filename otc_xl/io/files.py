"""Writing files safely: every file appears whole or not at all (temporary name, then rename), and
every file name built from data (a customer id, a currency, an invoice number) goes through
:func:`safe_stem`, so it can neither leave its folder nor be the name of another id's file."""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..model.problems import Problem, ValidationError

RISKY_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Text starting with these is a formula to Excel (CSV injection); it is written with a leading '."""


STEM_MAX = 80
"""Longest stem :func:`safe_stem` returns; longer ones are cut and end in a digest of the whole text."""
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{k}" for k in range(10)), *(f"LPT{k}" for k in range(10))}
"""Names Windows reserves for devices (``NUL.pdf`` cannot be created there)."""


def safe_stem(text) -> str:
    """``text`` (an id from the user's data) as one part of a file name, the same on every system.

    Letters and digits (any alphabet) and ``-`` are kept; every other character, ``_`` included, is
    written ``%XX`` (``%uXXXX`` / ``%UXXXXXXXX`` beyond Latin-1), as URLs are: ``C.1`` → ``C%2E1``,
    ``C/1`` → ``C%2F1``, ``X/../x`` → ``X%2F%2E%2E%2Fx``. So the result is never ``.``/``..``,
    holds no separator, and two different texts never give one stem (the encoding can be read back);
    ``_`` stays free to join parts (``C%2E1_EUR_dunning``). Empty text is ``%``; a Windows device
    name gets a trailing ``%`` (``CON%``). Windows and macOS disks ignore letter case, so an id with
    a lower-case letter ends in ``~`` and 8 hex digits of its SHA-256 (``c1`` → ``c1~…``, while
    ``C1`` stays ``C1``): ids that differ only in case never share a file there either. A stem over
    :data:`STEM_MAX` characters is cut and ends in ``~`` and 12 hex digits of the text's SHA-256.
    """
    text = "" if text is None else str(text)
    out = []
    for ch in text:
        if ch.isalnum() or ch == "-":
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"%{ord(ch):02X}")
        elif ord(ch) < 0x10000:
            out.append(f"%u{ord(ch):04X}")
        else:
            out.append(f"%U{ord(ch):08X}")
    stem = "".join(out) or "%"
    if stem.upper() in _RESERVED:
        stem += "%"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if len(stem) > STEM_MAX - 9:
        return stem[:STEM_MAX - 13] + "~" + digest[:12]
    if any(ch.islower() for ch in text):
        stem += "~" + digest[:8]
    return stem


def inside(folder: str | Path, name: str) -> Path:
    """``folder / name`` for a file name otc_xl built; refused unless it is one plain name in ``folder``."""
    if not name or name in (".", "..") or name != Path(name).name or "/" in name or "\\" in name:
        raise ValidationError([Problem(str(name), f"{name!r} is not a plain file name; nothing is written outside "
                                                  f"{folder}")])
    return Path(folder) / name


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def replace_atomically(target: str | Path, write: Callable[[str], object]) -> Path:
    """Call ``write(temporary_path)`` next to ``target``, then rename it over ``target``.

    A ``target`` that is a symbolic link is written through: the new file replaces the file the link
    points to, and the link stays (renaming over the link would leave the real book without the
    report). A folder of that name is refused before anything is written."""
    target = Path(target)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    if target.is_dir():
        raise ValidationError([Problem(target.name, f"{target} is a folder, not a file; otc_xl cannot write its "
                                                    "file there (rename or move the folder; nothing was written)")])
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".~{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, target.stat().st_mode if target.exists() else _default_mode())
        os.replace(tmp, target)
    except PermissionError:
        Path(tmp).unlink(missing_ok=True)
        raise ValidationError([Problem(target.name, "cannot write the file: is it open in another program? "
                                                    "Close it and run again")]) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_files(folder: str | Path, files: dict[str, bytes]) -> Path:
    """Write each ``name → content`` into ``folder`` (created if needed), each file atomically."""
    folder = Path(folder)
    for name, content in files.items():
        def write(tmp: str, data: bytes = content) -> None:
            Path(tmp).write_bytes(data)
        replace_atomically(inside(folder, name), write)
    return folder


def csv_text(value) -> str:
    """A cell for CSV: text that Excel would run as a formula gets a leading apostrophe."""
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return "'" + text if text.startswith(RISKY_PREFIXES) and isinstance(value, str) else text


def write_csv(target: str | Path, frame: pd.DataFrame) -> Path:
    """``frame`` as UTF-8 CSV (with BOM, so Excel reads the accents), formula-safe, written atomically."""
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow([csv_text(c) for c in frame.columns])
            for row in frame.itertuples(index=False):
                out.writerow([csv_text(v.date() if isinstance(v, pd.Timestamp) else v) for v in row])
    return replace_atomically(target, write)
