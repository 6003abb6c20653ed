"""The company otc_xl works for, as every document names it: the seller on invoices and e-invoices,
the payer of refunds and the creditor of direct debits in SEPA files.

One record, built from Config (:meth:`Company.from_config`), so an invoice and a SEPA file cannot
read the company's settings two ways.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Company:
    """Config's company name, VAT number, address, bank account and identifiers."""

    name: str
    """Config company_name: the name SEPA files carry (and invoices, without a legal name)."""
    vat_id: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    province: str = ""
    country: str = ""
    iban: str = ""
    bic: str = ""
    email: str = ""
    regime: str = "RF01"
    """FatturaPA RegimeFiscale (Config company_tax_regime)."""
    registration_id: str = ""
    """Company registration number (Config company_registration_id; EN 16931 BT-30)."""
    legal_name: str = ""
    """Config company_legal_name: the seller's name on invoices (empty → ``name``)."""
    creditor_id: str = ""
    """SEPA creditor identifier of direct debits (Config sepa_creditor_id)."""
    siren: str = ""
    """France: Config company_siren (BT-30 under scheme 0002; see :func:`otc_xl.billing.france.siren_of`)."""
    einvoice_address: str = ""
    """Config company_einvoice_address: the seller's electronic address scheme:id (BT-34)."""
    contact_name: str = ""
    """Config company_contact_name (BT-41); ``email`` is Config company_contact_email (BT-43)."""
    contact_phone: str = ""
    """Config company_contact_phone (BT-42)."""
    billing_mode: str = "B1"
    """France: Config fr_billing_mode (BT-23)."""
    fr_notes: tuple[str, str, str] = ("", "", "")
    """France: Config fr_note_pmt, fr_note_pmd, fr_note_aab (empty: the built-in wording)."""

    @classmethod
    def from_config(cls, cfg) -> Company:
        """The company a Config (:class:`otc_xl.config.Config`) describes."""
        return cls(cfg.company_name, cfg.company_vat_id, cfg.company_street, cfg.company_postal_code,
                   cfg.company_city, cfg.company_province, cfg.company_country, cfg.company_iban, cfg.company_bic,
                   regime=cfg.company_tax_regime, registration_id=cfg.company_registration_id,
                   legal_name=cfg.company_legal_name, creditor_id=cfg.sepa_creditor_id, siren=cfg.company_siren,
                   einvoice_address=cfg.company_einvoice_address, billing_mode=cfg.fr_billing_mode,
                   email=cfg.company_contact_email, contact_name=cfg.company_contact_name,
                   contact_phone=cfg.company_contact_phone,
                   fr_notes=(cfg.fr_note_pmt, cfg.fr_note_pmd, cfg.fr_note_aab))

    @property
    def invoice_name(self) -> str:
        """The name invoices carry: the legal name, else the company name."""
        return self.legal_name or self.name

    @property
    def tax_regime(self) -> str:
        return self.regime or "RF01"

    def as_dict(self) -> dict:
        """The seller as the invoice templates read it (``name``: the name invoices carry)."""
        return {**asdict(self), "name": self.invoice_name}
