"""Files otc_xl ships beside its code: the built Excel add-in (``OTC.xlam``), the button-ready
sample workbook (``otc_workbook.xlsm``), the input template, the VBA and ribbon sources
(``macros/``) and the xlwings Lite script (``lite/``).

In a checkout they are the repository's ``workbooks/`` and ``macros/``. From a wheel they are
installed as data files in ``<environment>/share/otc_xl/`` (``pip install``, also ``--user``), so
``otc-xl addin install`` works from any directory.
"""

from __future__ import annotations

import site
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHECKOUT = {"macros": REPO / "macros", "lite": REPO / "workbooks" / "lite", "": REPO / "workbooks"}


def _share_dirs() -> list[Path]:
    """``share/otc_xl`` under this environment's data root, then under a ``--user`` install's."""
    here = Path(__file__).resolve()
    # the environment this copy of otc_xl is installed in: <root>/lib/pythonX.Y/site-packages/otc_xl
    # (<root>\Lib\site-packages\otc_xl on Windows), also for --prefix and --target installs
    roots = [sysconfig.get_path("data"), sys.prefix, sys.base_prefix, getattr(site, "USER_BASE", None),
             *(here.parents[i] for i in (4, 3) if len(here.parents) > i)]
    out = []
    for root in roots:
        if root and (Path(root) / "share" / "otc_xl") not in out:
            out.append(Path(root) / "share" / "otc_xl")
    return out


def asset(name: str) -> Path:
    """The path of a shipped file: ``OTC.xlam``, ``macros/customUI14.xml``, ``lite/main.py`` …
    FileNotFoundError naming where it was looked for."""
    folder, _, base = name.rpartition("/")
    candidates = [CHECKOUT.get(folder, REPO / folder) / base] + [share / name for share in _share_dirs()]
    for path in candidates:
        if path.exists():
            return path
    raise FileNotFoundError(f"{name} is not installed with otc_xl (looked in "
                            f"{', '.join(str(p.parent) for p in candidates)}); reinstall otc_xl from its wheel "
                            "or run from a checkout of the repository")


def asset_dir(folder: str) -> Path:
    """A shipped folder (``macros`` or ``lite``)."""
    return asset(f"{folder}/{'customUI14.xml' if folder == 'macros' else 'main.py'}").parent
