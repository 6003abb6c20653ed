"""The text files in ``macros/`` (the source of truth of the VBA and the ribbon): where they are, and
what the ribbon (``customUI14.xml``, ``OTC_Ribbon.bas``) and the sheet buttons
(``OTC_SheetButtons.bas``) name."""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

from ..assets import asset_dir

SHEET_BUTTONS = "OTC_SheetButtons.bas"
RIBBON_MODULE = "OTC_Ribbon.bas"


def default_macros_dir() -> Path:
    """``macros/`` of the repository, or the copy installed with the wheel (see :mod:`otc_xl.assets`)."""
    return asset_dir("macros")


def button_captions(macros_dir: Path | None = None) -> dict[str, str]:
    """otc_xl button → its label on the OTC ribbon (``customUI14.xml`` → ``OTC_Ribbon.bas``), so a
    sheet button and the ribbon name an action alike ("KPIs", not "Kpis")."""
    from defusedxml.ElementTree import fromstring

    macros = Path(macros_dir) if macros_dir else default_macros_dir()
    callbacks = dict(re.findall(r'Public Sub (\w+)\(control As IRibbonControl\)\s+RunOTC "(\w+)"',
                                (macros / RIBBON_MODULE).read_text(encoding="utf-8")))
    ribbon = fromstring((macros / "customUI14.xml").read_bytes())
    return {callbacks[e.get("onAction")]: cast(str, e.get("label")) for e in ribbon.iter()
            if e.get("onAction") in callbacks}


def _screentips(macros: Path) -> list[tuple[str, str]]:
    from defusedxml.ElementTree import fromstring

    ribbon = fromstring((macros / "customUI14.xml").read_bytes())
    return [(cast(str, e.get("label")), cast(str, e.get("screentip"))) for e in ribbon.iter() if e.get("onAction")]


def sheet_button_macros(macros_dir: Path | None = None) -> list[tuple[str, str]]:
    """(VBA macro, otc_xl button) of every sheet-button macro in ``OTC_SheetButtons.bas``."""
    source = ((Path(macros_dir) if macros_dir else default_macros_dir()) / SHEET_BUTTONS).read_text()
    return re.findall(r'Public Sub (\w+)\(\)\s+RunOTC "(\w+)"', source)
