"""Invoice documents: the PDF and e-invoice XML of each posted invoice, and one e-mail draft per
customer with them attached.

- PDF: the page from :mod:`otc_xl.letters.invoices` drawn by **fpdf2** (pure Python, with the DejaVu
  font shipped in ``otc_xl/letters/fonts``: every letter of our six languages, embedded in the file).
- Factur-X: the CII XML (:mod:`otc_xl.billing.einvoices.en16931`) embedded in that PDF as PDF/A-3
  (``factur-x.xml``) by the **factur-x** library.
- UBL 2.1 Peppol BIS Billing 3.0, FatturaPA and Facturae: the XML (:mod:`otc_xl.billing.einvoices`)
  beside the PDF.

Bytes out, nothing written: the jobs (:mod:`otc_xl.workflows.billing`) decide where the files go.
Imports of fpdf2 and factur-x happen on use: reading a workbook never needs them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Callable, Collection, Mapping
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from ..io.files import safe_stem
from ..letters.documents import email_draft
from ..letters.invoices import invoice_mail, invoice_page
from ..model.billing import InvoiceDoc, Line, VatTotal
from ..model.company import Company
from .einvoices import day, einvoice_xml, quiet_logs
from .formats import BY_NAME

FONTS = Path(__file__).resolve().parent.parent / "letters" / "fonts"
UNSIGNED = "UNSIGNED Facturae - sign before sending:"
"""Put before the subject of an e-mail draft carrying a Facturae file otc_xl did not sign (no Config
facturae_certificate): the company's certificate must sign it (e.g. AutoFirma); FACe rejects it unsigned."""


def right_to_left(text: str) -> bool:
    """Whether ``text`` holds right-to-left letters (Arabic, Hebrew …), which need text shaping."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def invoice_pdf(doc: InvoiceDoc, lines: list[Line], totals: list[VatTotal], customer: dict, seller: Company,
                templates_folder: str = "", missing: list[str] | None = None) -> bytes:
    """The PDF page of ``doc`` (fpdf2, DejaVu Sans embedded). Right-to-left text is shaped (fpdf2's
    text shaping through uharfbuzz: joined letters, right to left); characters the font has no glyph
    for (most emoji) are appended to ``missing``, for the summary."""
    from fpdf import FPDF

    quiet_logs()
    html = invoice_page(doc, lines, totals, customer, seller.as_dict(), templates_folder)
    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime.combine(day(doc.invoice_date), dt.time(), dt.UTC))
    pdf.set_title(f"{doc.doc_type} {doc.invoice_id}")
    pdf.set_author(seller.invoice_name)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_font("DejaVu", size=9)
    pdf.set_margins(15, 15, 15)
    if right_to_left(html):
        pdf.set_text_shaping(True)
    _srgb_output_intent(pdf)
    pdf.add_page()
    pdf.write_html(html, font_family="DejaVu", table_line_separators=True)
    if missing is not None:
        missing.extend(missing_glyphs(html))
    return bytes(pdf.output())


@lru_cache(maxsize=1)
def _srgb_profile() -> bytes:
    """An sRGB ICC profile, made by Little CMS through Pillow (fpdf2 brings Pillow): no file to ship.

    Little CMS stamps the profile's header with the time it was made (ICC.1 7.2.8, bytes 24-35),
    which made every invoice PDF (and the e-mail carrying it) differ from one run to the next; the
    date is fixed, so the same invoice gives the same bytes. A profile ID (bytes 84-99, an MD5 that
    covers the date) is recomputed when Little CMS wrote one."""
    import hashlib
    import struct

    from PIL import ImageCms

    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[24:36] = struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
    if any(profile[84:100]):
        digest = bytearray(profile)
        digest[44:48] = digest[64:68] = bytes(4)  # flags and rendering intent are left out of the ID
        digest[84:100] = bytes(16)
        profile[84:100] = hashlib.md5(bytes(digest)).digest()  # the ICC profile ID is an MD5
    return bytes(profile)


def _srgb_output_intent(pdf) -> None:
    """The PDF/A output intent (ISO 19005-3 6.2.3): the colours fpdf2 writes (DeviceGray text and
    lines, DeviceRGB) are then defined by an sRGB profile, as PDF/A requires (6.2.4.3)."""
    from fpdf.enums import OutputIntentSubType
    from fpdf.output import PDFICCProfile

    profile = PDFICCProfile(contents=_srgb_profile(), n=3, alternate="DeviceRGB")
    pdf.add_output_intent(OutputIntentSubType.PDFA, output_condition_identifier="sRGB IEC61966-2.1",
                          output_condition="sRGB IEC61966-2.1", registry_name="http://www.color.org",
                          dest_output_profile=profile, info="sRGB IEC61966-2.1")


@lru_cache(maxsize=1)
def _font_characters() -> frozenset[int]:
    """The code points the embedded DejaVu Sans has a glyph for (its cmap, read once)."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(FONTS / "DejaVuSans.ttf"), lazy=True).getBestCmap())


def missing_glyphs(text: str) -> list[str]:
    """The characters of ``text`` the PDF font cannot draw (most emoji), each once, in order."""
    known = _font_characters()
    return list(dict.fromkeys(ch for ch in text if ord(ch) not in known and not ch.isspace()
                              and not unicodedata.category(ch).startswith(("C", "M"))))


def invoice_files(doc: InvoiceDoc, lines: list[Line], totals: list[VatTotal], customer: dict, seller: Company,
                  templates_folder: str = "", notes: list[str] | None = None,
                  signers: Mapping[str, Callable[[bytes], bytes]] | None = None) -> dict[str, bytes]:
    """File name → bytes for one invoice or credit note: ``<id>.pdf`` (for a format embedded in it,
    Factur-X, a PDF/A-3 carrying its XML) and the XML beside it (UBL, FatturaPA or Facturae: named as
    its entry in :mod:`otc_xl.billing.formats` says). ``notes`` receives what
    the summary must say: text the PDF font cannot show, text a Latin-1 format transliterated.
    ``signers``: per format name, what signs its XML (Facturae: :mod:`otc_xl.billing.einvoices.xades`)."""
    fmt = BY_NAME.get(doc.format, BY_NAME["pdf"])  # an unknown format blocks its draft: never posted
    stem = safe_stem(doc.invoice_id)
    missing: list[str] = []
    pdf = invoice_pdf(doc, lines, totals, customer, seller, templates_folder, missing)
    if notes is not None:
        if missing:
            notes.append(f"{doc.invoice_id}: the PDF font has no glyph for {''.join(missing)!r}; those characters "
                         "are blank on the PDF page (the e-invoice XML keeps them)")
        if fmt.text_notes is not None:
            notes += [f"{doc.invoice_id}: {what}" for what in fmt.text_notes(doc, lines, customer)]
    files: dict[str, bytes] = {}
    if fmt.build is not None:
        xml = einvoice_xml(doc, lines, totals, customer, seller)
        if signers and fmt.name in signers:
            xml = signers[fmt.name](xml)
        if fmt.embed is not None:  # the PDF carries the XML (PDF/A-3)
            pdf = fmt.embed(pdf, xml, seller, doc.invoice_id,
                            dt.datetime.combine(day(doc.invoice_date), dt.time(), dt.UTC))
        elif fmt.file_name is not None:  # the receiver's name (SdI discards files not named IT<id>_<progressive>.xml)
            files[fmt.file_name(seller.vat_id, doc.invoice_id)] = xml
        else:
            files[f"{stem}{fmt.suffix}"] = xml
    files[f"{stem}.pdf"] = pdf
    return files


def customer_mail(docs: list[InvoiceDoc], files: dict[str, bytes], customer: dict, seller: Company,
                  templates_folder: str = "", sent_on: dt.datetime | None = None,
                  signed: Collection[str] = ()) -> tuple[str, bytes]:
    """(file name, .eml) of the e-mail draft sending a customer's ``docs`` of the day, with their
    ``files`` attached; ``signed``: the formats whose files were signed (no UNSIGNED mark for them)."""
    labels = [BY_NAME[d.format].label if d.format in BY_NAME else "" for d in docs]
    mail = invoice_mail(docs, labels, customer, seller.as_dict(), templates_folder)
    unsigned = [d.invoice_id for d in docs if d.format in BY_NAME and BY_NAME[d.format].unsigned
                and d.format not in signed]
    if unsigned:  # seen by whoever opens the draft: the receiver's platform rejects an unsigned Facturae
        mail = dataclasses.replace(mail, subject=f"[{UNSIGNED} {', '.join(unsigned)}] {mail.subject}")
    name = f"{safe_stem(docs[0].customer_id)}_{safe_stem(docs[0].currency)}_invoices.eml"
    return name, email_draft(mail, sender=seller.email or seller.invoice_name, sent_on=sent_on, attachments=files)


def read_back(pdf: bytes) -> tuple[str, bytes]:
    """(XML file name, XML) embedded in a Factur-X PDF."""
    from facturx import get_xml_from_pdf

    quiet_logs()
    return get_xml_from_pdf(BytesIO(pdf), check_xsd=True)
