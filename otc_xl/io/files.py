"""Writing files safely: every file appears whole or not at all (temporary name, then rename)."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import Callable

import pandas as pd

from ..model.problems import Problem, ValidationError

RISKY_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Text starting with these is a formula to Excel (CSV injection); it is written with a leading '."""


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def replace_atomically(target: str | Path, write: Callable[[str], None]) -> Path:
    """Call ``write(temporary_path)`` next to ``target``, then rename it over ``target``."""
    target = Path(target)
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
        replace_atomically(folder / Path(name).name, lambda tmp, data=content: Path(tmp).write_bytes(data))
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
