"""The billing tables: order lines in; invoice drafts with their approval, and the billing log, out.

``OrderLines`` is pasted or exported by the user (every header synonym in our languages, like the
other inputs); ``InvoiceDrafts`` and ``BillingLog`` are otc_xl's records read back on the next run,
so an approval is kept while the draft is the same, and an order line is never billed twice.
They are optional: a workbook without OrderLines simply has nothing to bill.

An invoice on its way to its documents is typed: :class:`InvoiceDoc` (a row of InvoiceDrafts),
its :class:`Line` s (InvoiceLines) and :class:`VatTotal` s (InvoiceVAT), each built from the row as
:func:`otc_xl.letters.render.records` gives it (empty cells None). Amounts stay what the engines
wrote, floats rounded to the cent, so every copy of an invoice prints the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, cast

import pandas as pd

from .contracts import Column, TableContract
from .records import APPROVAL_COLUMNS as _APPROVAL

ORDER_LINES = TableContract(
    name="order_lines",
    doc="Sales order lines to invoice: what was ordered, at what price and VAT, and what was delivered "
        "(one row per order line; delivered and not yet billed quantities are invoiced).",
    sheet_names=("OrderLines", "Order lines", "Líneas de pedido", "Lineas pedido", "Righe ordine", "Righe ordini",
                 "Lignes de commande", "Auftragspositionen"),
    columns=(
        Column("order_id", "id", "Sales order.", True,
               ("order", "order no", "order number", "sales order", "pedido", "nº pedido", "número de pedido",
                "ordine", "numero ordine", "commande", "n° commande", "numéro de commande", "auftrag",
                "auftragsnummer", "bestellnummer")),
        Column("line", "integer", "Line number within the order.", True,
               ("line no", "line number", "pos", "position", "línea", "linea", "nº línea", "riga", "numero riga",
                "ligne", "n° ligne", "positionsnummer")),
        Column("customer_id", "id", "Customer account billed.", True,
               ("customer", "customer no", "account", "cliente", "nº cliente", "codice cliente", "client",
                "n° client", "code client", "kunde", "kundennummer", "debitor")),
        Column("item", "text", "Article code.",
               synonyms=("item code", "article", "sku", "product", "artículo", "articulo", "código artículo",
                "articolo", "codice articolo", "code article", "artikel", "artikelnummer", "material")),
        Column("description", "text", "What the invoice line says.",
               synonyms=("item description", "text", "descripción", "descripcion", "concepto", "descrizione",
                "désignation", "libellé", "bezeichnung", "beschreibung")),
        Column("quantity", "number", "Quantity ordered.", True,
               ("qty", "ordered", "ordered quantity", "cantidad", "cantidad pedida", "quantità", "quantita",
                "quantità ordinata", "quantité", "quantité commandée", "menge", "bestellmenge")),
        Column("unit", "text", "Unit of measure (UN/ECE rec. 20 code, e.g. C62 pieces, KGM, HUR; empty → C62).",
               synonyms=("uom", "unit of measure", "unidad", "unidad de medida", "unità", "unità di misura", "unité",
                "einheit", "mengeneinheit")),
        Column("unit_price", "number", "Net price per unit, before the discount.",
               synonyms=("price", "net price", "precio", "precio unitario", "prezzo", "prezzo unitario", "prix",
                         "prix unitaire", "preis", "einzelpreis", "stückpreis")),
        Column("discount_pct", "number", "Line discount, % (empty → none).",
               synonyms=("discount", "discount %", "descuento", "dto", "% dto", "sconto", "sconto %", "remise",
                         "remise %", "rabatt", "rabatt %")),
        Column("net_amount", "amount", "The line's net as the ERP states it (optional): quantity × unit price × "
                                       "(1 − discount %) must give it, to the cent, or the line is not billed.",
               synonyms=("line amount", "net", "line net", "importe neto", "importe línea", "importo netto",
                         "importo riga", "montant ht", "montant net", "nettobetrag", "positionswert")),
        Column("vat_category", "text", "VAT category (UNCL 5305): S standard, AA reduced, Z zero, E exempt, "
                                       "AE reverse charge, K intra-EU supply, G export, O outside scope.",
               synonyms=("vat code", "tax category", "tax code", "categoría iva", "tipo impositivo", "codice iva",
                         "natura iva", "catégorie tva", "code tva", "steuerkategorie", "steuerschlüssel")),
        Column("vat_rate", "number", "VAT rate, % (0 for the exempt categories).",
               synonyms=("vat", "vat %", "tax rate", "iva", "% iva", "tipo iva", "aliquota", "aliquota iva",
                         "tva", "taux tva", "% tva", "mwst", "mwst %", "ust", "steuersatz")),
        Column("vat_note", "text", "Exemption reason printed on the invoice (empty → the legal mention of "
                                   "the category in the customer's language).",
               synonyms=("exemption reason", "vat exemption reason", "motivo exención", "causa esenzione",
                         "motif d'exonération", "befreiungsgrund")),
        Column("delivered_quantity", "number", "Quantity delivered (empty: the quantity, once delivery_date is set).",
               synonyms=("delivered", "qty delivered", "shipped", "cantidad entregada", "entregado", "servido",
                         "quantità consegnata", "consegnato", "quantité livrée", "livré", "liefermenge",
                         "geliefert")),
        Column("returned_quantity", "number", "Quantity returned or cancelled after delivery (a credit note "
                                              "is proposed when it was billed).",
               synonyms=("returned", "qty returned", "cancelled", "devuelto", "cantidad devuelta", "anulado",
                         "reso", "quantità resa", "annullato", "retourné", "quantité retournée", "annulé",
                         "retourniert", "retourenmenge", "storniert")),
        Column("delivery_date", "date", "Delivery or performance date.",
               synonyms=("delivery", "delivered on", "ship date", "fecha entrega", "fecha de entrega",
                         "data consegna", "data di consegna", "date de livraison", "lieferdatum",
                         "leistungsdatum")),
        Column("billed_quantity", "number", "Quantity already invoiced outside otc_xl (ERP); otc_xl adds what "
                                            "its BillingLog shows.",
               synonyms=("billed", "invoiced", "qty invoiced", "facturado", "cantidad facturada", "fatturato",
                         "quantità fatturata", "facturé", "quantité facturée", "fakturiert", "berechnete menge")),
        Column("currency", "currency", "ISO currency code (empty → Config home_currency).",
               synonyms=("divisa", "moneda", "valuta", "devise", "währung", "waehrung")),
        Column("customer_reference", "text", "The customer's purchase order number (printed, BT-13).",
               synonyms=("po", "po number", "customer po", "purchase order", "your reference", "su pedido",
                         "referencia cliente", "vostro ordine", "riferimento cliente", "bon de commande",
                         "votre référence", "ihre bestellung", "bestellnummer kunde")),
    ),
)

INVOICE_APPROVALS = TableContract(
    name="invoice_approvals",
    doc="Invoice drafts proposed by the invoice command, with the approval the user types in; carried over "
        "(by draft_key) while the draft's gross amount is the one approved.",
    sheet_names=("InvoiceDrafts",),
    unique="draft_key",
    columns=(
        Column("draft_key", "id", "The customer and order (or the customer) the draft bills.", True),
        Column("gross", "amount", "The draft's gross amount when it was approved."),
        *_APPROVAL,
    ),
)

BILLING_LOG = TableContract(
    name="billing_log",
    doc="Every order line billed by otc_xl, one row per invoice (or credit note) line (written when approved "
        "drafts are posted): what is billed is never billed again, and numbers are never reused.",
    sheet_names=("BillingLog",),
    columns=(
        Column("invoice_id", "id", "Invoice or credit note number.", True),
        Column("doc_type", "text", "INV or CRN.", True),
        Column("invoice_date", "date", "Its date.", True),
        Column("customer_id", "id", "Customer billed.", True),
        Column("order_id", "id", "Order.", True),
        Column("order_line", "integer", "Order line.", True),
        Column("quantity", "number", "Quantity billed (negative on a credit note).", True),
        Column("net", "amount", "Net amount of the line."),
        Column("vat", "amount", "VAT of the line (per-line rounding) or 0 (per-total rounding)."),
        Column("gross", "amount", "The document's gross total (on each of its lines)."),
        Column("due_date", "date", "The document's due date."),
        Column("currency", "currency", "Currency."),
        Column("original_invoice", "id", "Credit notes: the invoice credited."),
        Column("payment_reference", "text", "RF creditor reference printed on the invoice."),
        Column("format", "text", "The e-invoice sent: facturx, ubl, fatturapa, facturae or pdf."),
        Column("posted_on", "date", "Date of the run that posted it.", True),
        *_APPROVAL,
    ),
)

BILLING_RECORDS = (ORDER_LINES, INVOICE_APPROVALS, BILLING_LOG)


class _Row:
    """Built from a table row as a dict (its columns by name; other keys are left out)."""

    @classmethod
    def from_record(cls, record: dict):
        # every subclass is a dataclass
        return cls(**{f.name: record[f.name] for f in fields(cast(Any, cls)) if f.name in record})

    def as_dict(self) -> dict:
        """The row as the templates read it."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class InvoiceDoc(_Row):
    """One invoice or credit note (a row of InvoiceDrafts): header, totals, terms, status."""

    draft: int
    draft_key: str
    doc_type: str
    """INV or CRN."""
    invoice_id: str
    customer_id: str
    customer_name: str | None
    order_id: str
    original_invoice: str
    currency: str
    invoice_date: Any
    due_date: Any
    net: float
    vat: float
    gross: float
    payment_reference: str
    format: str
    """The name of its format in :data:`otc_xl.billing.formats.FORMATS`."""
    language: str
    discount_pct: float | None
    discount_until: Any
    customer_reference: str
    lines: int
    series: str
    original_date: Any
    tax_currency: str
    tax_currency_vat: float | None
    status: str
    approved: str | None = None
    approved_by: str | None = None

    @property
    def early_discount(self) -> tuple[float, Any] | None:
        """(discount %, last day) of its early-payment discount; None when it has none."""
        pct, until = self.discount_pct, self.discount_until
        return None if _blank(pct) or _blank(until) else (float(cast(float, pct)), until)


@dataclass(frozen=True)
class Line(_Row):
    """One line of an invoice (a row of InvoiceLines); on a credit note, quantity and amounts are negative."""

    draft: int
    invoice_id: str
    line: int
    order_id: str
    order_line: int
    item: str | None
    description: str | None
    quantity: float
    unit: str
    unit_price: float
    discount_pct: float
    net: float
    vat_category: str
    vat_rate: float
    vat: float
    delivery_date: Any
    customer_reference: str


@dataclass(frozen=True)
class VatTotal(_Row):
    """One row of an invoice's VAT breakdown (InvoiceVAT): per category and rate, with the exemption
    mention and its VATEX code."""

    draft: int
    vat_category: str
    vat_rate: float
    net: float
    vat: float
    mention: str
    vatex: str


def _blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))
