"""xlwings' own VBA, as both packages embed it: the module for each kind of file with ``PROJECT_NAME``
set to ``otc_xl``, the ``Dictionary`` class and the AppleScript it needs on macOS, taken from the
installed xlwings."""

from __future__ import annotations

from pathlib import Path

PROJECT_NAME = "otc_xl"
"""xlwings' ``PROJECT_NAME`` in both packages: settings come from ``otc_xl.conf`` (or a sheet named
``otc_xl.conf``), never from the ``xlwings.conf`` that other xlwings workbooks read."""
XLWINGS_VARIANTS = {"xlam": "xlwings_custom_addin.bas", "xlsm": "xlwings.bas"}
"""xlwings' VBA module per kind of file: its add-in variant (active workbook) and its standalone one."""


def xlwings_dir() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent


def xlwings_version() -> str:
    import xlwings

    return xlwings.__version__


def xlwings_vba(kind: str) -> str:
    """xlwings' own VBA module for ``kind`` (:data:`XLWINGS_VARIANTS`), from the installed xlwings,
    with ``PROJECT_NAME`` set to :data:`PROJECT_NAME` — the one line that differs from xlwings' file."""
    source = (xlwings_dir() / XLWINGS_VARIANTS[kind]).read_text(encoding="utf-8")
    lines = source.splitlines()
    at = [i for i, line in enumerate(lines) if line.startswith("Public Const PROJECT_NAME As String = ")]
    if len(at) != 1:
        raise RuntimeError(f"xlwings {xlwings_version()}'s {XLWINGS_VARIANTS[kind]} has no single PROJECT_NAME line")
    lines[at[0]] = f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"'
    return "\r\n".join(lines) + "\r\n"


def dictionary_class() -> Path:
    """The ``Dictionary`` class xlwings' module needs on macOS."""
    return xlwings_dir() / "addin" / "Dictionary.cls"


def applescript() -> Path:
    """The AppleScript file the embedded VBA calls on macOS (``AppleScriptTask("xlwings-<version>.applescript")``)."""
    return xlwings_dir() / f"xlwings-{xlwings_version()}.applescript"
