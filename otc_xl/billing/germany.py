"""What an XRechnung (the German CIUS of EN 16931, version 3.0) for a German public buyer must carry,
checked when a draft is prepared (the seller's Config by ``validation.german_seller_problems``, the
buyer's Customers record by the ``xrechnung`` entry of ``formats.FORMATS``), so that no invoice the
receiving platform (ZRE, OZG-RE, the Länder portals) would reject is numbered.

* the buyer's **Leitweg-ID** (Customers ``leitweg_id``): BT-10 *Buyer reference* (BR-DE-15) and the
  buyer's electronic address BT-49 under scheme ``0204``. Its form and its two check digits follow
  KoSIT's *Formatspezifikation Leitweg-ID* (version 2.0.2): a coarse address of 2 to 12 digits
  (the first two: the Land, ``99`` the Bund), an optional fine address of up to 30 letters or digits,
  and two check digits, separated by hyphens (``04011000-1234512345-06``). The check is ISO 7064
  MOD 97-10 over the characters without hyphens, letters replaced by their place in the alphabet
  (A = 10 … Z = 35), as for an IBAN: the number modulo 97 is 1 (python-stdnum's ``mod_97_10``);
* the seller's **contact** BG-6 (BR-DE-2): Config ``company_contact_name`` (BT-41, BR-DE-5),
  ``company_contact_phone`` (BT-42, BR-DE-6, at least three digits: BR-DE-27) and
  ``company_contact_email`` (BT-43, BR-DE-7, one ``@``: BR-DE-28);
* the seller's and buyer's **city and post code** (BR-DE-3, 4, 8, 9);
* the seller's **electronic address** BT-34: Config ``company_einvoice_address`` (``scheme:id``),
  else ``EM:`` and the contact e-mail;
* **payment instructions** BG-16 (BR-DE-1): an invoice is paid by SEPA credit transfer to Config
  ``company_iban`` (code 58 with BG-17, BR-DE-23-a); a credit note is settled between the parties
  (code 97);
* an early-payment discount (*Skonto*) in BT-20 in XRechnung's structured form (BR-DE-18): one line
  ``#SKONTO#TAGE=14#PROZENT=2.00#`` ended by a line break, after the terms in words.

Pure: no I/O.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

XRECHNUNG_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
"""BT-24 of an XRechnung 3.0 (BR-DE-21)."""
LEITWEG_SCHEME = "0204"
"""The EAS code of a Leitweg-ID as an electronic address (BT-49)."""
LEITWEG = re.compile(r"^(\d{2,12})(?:-([A-Za-z0-9]{1,30}))?-(\d{2})$")
PHONE = re.compile(r".*([0-9].*){3,}.*")
"""BR-DE-27: a telephone number with at least three digits."""
EMAIL = re.compile(r"^[^@\s]+@([^@.\s]+\.)+[^@.\s]+$")
"""BR-DE-28: one ``@``, a dotted domain after it."""
EAS = re.compile(r"^(EM|AN|AQ|AS|AU|\d{4}):(\S{1,125})$")


def leitweg_problem(value: Any) -> str | None:
    """What is wrong with a Leitweg-ID (None: its form and check digits are right)."""
    text = re.sub(r"\s", "", str(value or ""))
    if not text:
        return ("the buyer's Leitweg-ID (e.g. 04011000-1234512345-06), which German public buyers give for "
                "their invoices (BT-10, BR-DE-15)")
    if not LEITWEG.match(text):
        return (f"a Leitweg-ID: 2 to 12 digits, optionally a hyphen and up to 30 letters or digits, then a hyphen "
                f"and 2 check digits (04011000-1234512345-06), found {text!r}")
    from stdnum.iso7064 import mod_97_10

    digits = "".join(str(int(c, 36)) for c in text.replace("-", ""))
    if not mod_97_10.is_valid(digits):
        return f"a Leitweg-ID whose check digits are right (ISO 7064 MOD 97-10), found {text!r}"
    return None


def leitweg_id(customer: dict) -> str:
    """The customer's Leitweg-ID as written in the XML (spaces removed)."""
    return re.sub(r"\s", "", str(customer.get("leitweg_id") or ""))


def seller_address(einvoice_address: str, contact_email: str) -> tuple[str, str] | None:
    """(scheme, id) of the seller's electronic address BT-34: Config company_einvoice_address, else the
    contact e-mail under ``EM``; None when there is neither."""
    found = EAS.match(re.sub(r"\s", "", str(einvoice_address or "")))
    if found:
        return found.group(1), found.group(2)
    email = str(contact_email or "").strip()
    return ("EM", email) if email else None


def seller_problems(contact_name: str, contact_phone: str, contact_email: str, einvoice_address: str,
                    city: str, postal_code: str, iban: str) -> list[tuple[str, str]]:
    """(Config key, what is expected) a seller lacks for an XRechnung."""
    out = []
    if not str(contact_name or "").strip():
        out.append(("company_contact_name", "the seller's contact point, a person or department (BT-41, BR-DE-5)"))
    if not PHONE.match(str(contact_phone or "").strip()):
        out.append(("company_contact_phone", f"the seller contact's telephone number with at least three digits "
                                             f"(BT-42, BR-DE-6, BR-DE-27), found {contact_phone!r}"))
    if not EMAIL.match(str(contact_email or "").strip()):
        out.append(("company_contact_email", f"the seller contact's e-mail address (BT-43, BR-DE-7, BR-DE-28), "
                                             f"found {contact_email!r}"))
    if str(einvoice_address or "").strip() and not EAS.match(re.sub(r"\s", "", einvoice_address)):
        out.append(("company_einvoice_address", f"an electronic address scheme:id such as EM:rechnung@example.de or "
                                                f"9930:DE123456789 (BT-34), found {einvoice_address!r}"))
    if not str(city or "").strip():
        out.append(("company_city", "the seller's city (BT-37, BR-DE-3)"))
    if not str(postal_code or "").strip():
        out.append(("company_postal_code", "the seller's post code (BT-38, BR-DE-4)"))
    if not str(iban or "").strip():
        out.append(("company_iban", "the account the buyer pays into (BT-84; BR-DE-1, BR-DE-23-a)"))
    return out


def skonto(percent: float, days: int) -> str:
    """The structured early-payment discount line of BT-20 (BR-DE-18), with its closing line break."""
    pct = Decimal(str(percent)).quantize(Decimal("0.01"))
    return f"#SKONTO#TAGE={int(days)}#PROZENT={pct}#\n"


def payment_terms(text: str, discount: tuple[float, int] | None) -> str:
    """BT-20 of an XRechnung: the terms in words, then the Skonto line when there is a discount
    (``discount``: percent, days from the invoice date)."""
    if discount is None:
        return text
    return f"{text}\n{skonto(*discount)}"
