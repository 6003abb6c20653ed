"""What the columns of a bank export (CSV or spreadsheet) are: the ``BANK_EXPORT`` contract (headers in
EN/ES/IT/FR/DE), the credit and debit marks of an indicator column, the payment-provider lines that are
no customer's payment, and a per-bank profile declared in Config ``bank_columns``."""

from __future__ import annotations

import re

from ....model.contracts import Column, TableContract

BANK_EXPORT = TableContract(
    name="bank export",
    doc="A bank's account statement export.",
    sheet_names=("Bank",),
    columns=(
        Column("value_date", "date", "Value date (used when present).",
               synonyms=("value date", "valuedate", "fecha valor", "f valor", "data valuta", "date de valeur",
                         "date valeur", "valutadatum", "valuta", "wertstellung", "wertstellungsdatum", "data valor",
                         "rentedatum", "available on", "available on utc")),
        Column("booking_date", "date", "Booking or transaction date.",
               synonyms=("booking date", "transaction date", "date", "fecha operacion", "fecha", "f operacion",
                         "data operazione", "data contabile", "data", "date d'operation", "date operation",
                         "date comptable", "buchungstag", "buchungsdatum", "datum", "buchung", "posting date",
                         "created", "created utc", "data movimento", "data mov", "data lancamento",
                         "fecha contable", "boekdatum", "completed date", "started date")),
        Column("amount", "amount", "Signed amount (credits positive), or unsigned with an indicator column.",
               synonyms=("importe", "importo", "montant", "betrag", "umsatz", "amount eur", "importe eur", "betrag eur",
                         "bedrag", "bedrag eur", "montant eur", "valor", "valor eur", "montante", "gross",
                         "importo eur", "umsatz in eur", "amount gbp", "value gbp", "value", "montant euros",
                         "importo euro", "betrag euro", "bruto", "brutto", "lordo", "brut")),
        Column("credit", "amount", "Credit (money in).",
               synonyms=("credit", "credits", "haber", "ingresos", "ingreso", "avere", "entrate", "credit eur",
                         "crédit", "haben", "gutschrift", "money in", "paid in", "credito", "entrada", "entradas",
                         "credit amount", "credit gbp", "bij", "accrediti", "accredito")),
        Column("debit", "amount", "Debit (money out).",
               synonyms=("debit", "debits", "debe", "cargos", "cargo", "dare", "uscite", "débit", "soll",
                         "lastschrift", "money out", "paid out", "debito", "saida", "saidas", "debit amount",
                         "debit gbp", "af", "addebiti", "addebito")),
        Column("indicator", "text", "Credit/debit mark of an unsigned amount (H/S, C/D, CR/DR, Bij/Af, +/-).",
               synonyms=("soll/haben", "s/h", "haben/soll", "debit/credit", "credit/debit", "dr/cr", "cr/dr", "d/c",
                         "c/d", "af bij", "af/bij", "sign", "signo", "segno", "sens", "balance impact",
                         "cdtdbtind", "debit credit indicator", "credit debit indicator", "dc", "cd",
                         "impacto en el saldo", "auswirkung auf guthaben", "impatto sul saldo",
                         "impact sur le solde")),
        Column("fee", "amount", "Fee taken by a payment provider (PayPal, Stripe) from the gross amount.",
               synonyms=("fee", "fees", "comision", "commissione", "frais", "gebuhr", "gebuehr", "tariffa")),
        Column("currency", "currency", "Currency.",
               synonyms=("ccy", "moneda", "divisa", "valuta divisa", "devise", "währung", "waehrung", "moeda",
                         "munt", "currency code")),
        Column("payer_name", "text", "Ordering party.",
               synonyms=("payer", "ordering party", "counterparty", "counterparty name", "name", "ordenante",
                         "ordinante", "controparte", "tiers", "donneur d'ordre", "contrepartie", "auftraggeber",
                         "zahlungspflichtiger", "name auftraggeber", "beguenstigter/zahlungspflichtiger",
                         "auftraggeber / begünstigter", "auftraggeber/empfänger", "empfänger", "zahlungsempfänger",
                         "name zahlungsbeteiligter", "naam / omschrijving", "naam", "nome", "nom", "from",
                         "from name", "customer name", "beneficiario/ordenante", "ordenante/beneficiario",
                         "payee/payer", "payer/payee", "counter party", "nombre")),
        Column("payer_account", "text", "Ordering party's IBAN.",
               synonyms=("iban", "counterparty iban", "counterparty account", "cuenta ordenante",
                         "iban ordenante", "iban ordinante", "iban contrepartie", "iban auftraggeber",
                         "kontonummer/iban", "iban zahlungsbeteiligter", "tegenrekening", "tegenrekening iban",
                         "conta", "iban contraparte", "account number")),
        Column("remittance", "text", "Details / remittance information (several such columns are joined).",
               synonyms=("description", "details", "narrative", "remittance", "remittance information", "purpose",
                         "concepto", "observaciones", "causale", "descrizione", "libellé", "libelle", "motif",
                         "verwendungszweck", "note", "subject", "invoice number", "invoice id", "item title",
                         "memo", "message", "mitteilung", "mededelingen", "omschrijving", "comunicacion",
                         "comunicazione", "communication", "descricao", "descripcion", "reference text",
                         "payment reference", "libelle operation", "informations complementaires",
                         "transaction description", "transaction details", "numero de factura", "rechnungsnummer",
                         "numero fattura", "numero de facture", "asunto", "betreff", "oggetto", "objet", "nota",
                         "hinweis")),
        Column("booking_text", "text", "The bank's kind of booking (GUTSCHRIFT, SEPA-Überweisung, Express Checkout …).",
               synonyms=("buchungstext", "umsatzart", "vorgang", "transaction type", "type", "tipo",
                         "tipo de operacion", "tipo operazione", "type d'operation", "mutatiesoort", "code",
                         "tipo movimento", "transaction code", "typ")),
        Column("status", "text", "Status of the line (PayPal, Stripe, neobanks); pending or failed lines are skipped.",
               synonyms=("estado", "stato", "statut", "state")),
        Column("reference", "text", "The bank's reference of the line.",
               synonyms=("bank reference", "transaction id", "referencia", "referencia banco", "riferimento",
                         "référence", "reference banque", "referenz", "bankreferenz", "id", "transaction reference",
                         "numero operazione", "referentie", "id de transaccion", "transaktionscode",
                         "codice transazione", "numero de transaction")),
    ),
)
CREDIT_MARKS = frozenset({"h", "haben", "c", "cr", "crdt", "credit", "crédit", "credito", "crédito", "bij", "+",
                          "haber", "avere", "abono", "ingreso", "entrada", "in"})
DEBIT_MARKS = frozenset({"s", "soll", "d", "dr", "dbit", "debit", "débit", "debito", "débito", "af", "-", "debe",
                         "dare", "cargo", "saida", "saída", "out"})
SKIPPED_STATUS = re.compile(r"pend|denied|declin|fail|revers|cancel|reject|hold|held|unclaimed|vorgemerkt|"
                            r"bearbeitung|pendiente|sospeso|attente|in afwachting|refused|expired|ausstehend|"
                            r"rechazad|abgelehnt|storniert|in sospeso|en attente", re.I)
SKIPPED_TYPE = re.compile(r"conversion|conversi[oó]n|conversione|umrechnung|withdraw|transfer to bank|"
                          r"authori[sz]ation|hold|payout|bank deposit to pp|general currency", re.I)
"""Payment-provider lines that are not customers' payments (currency conversions, holds, payouts)."""


def _marks(profile: dict[str, str]) -> tuple[frozenset, frozenset]:
    """Credit and debit marks of an indicator column: the defaults, plus those the profile names."""
    def listed(key: str) -> set[str]:
        return {m.strip().lower() for m in profile.get(key, "").split(",") if m.strip()}
    credit, debit = listed("credit_marks"), listed("debit_marks")
    return frozenset((CREDIT_MARKS - debit) | credit), frozenset((DEBIT_MARKS - credit) | debit)


PROFILE_KEYS = (*BANK_EXPORT.column_names, "credit_marks", "debit_marks")


def parse_profile(text: str) -> dict[str, str]:
    """A bank layout declared in Config ``bank_columns``, without code:
    ``"value_date=F. valor; amount=Importe; remittance=Concepto+Observaciones; indicator=D/H;
    credit_marks=H; debit_marks=D"`` → {"value_date": "F. valor", …}. Each key is a column of
    :data:`BANK_EXPORT` (several headers joined with ``+``) or ``credit_marks``/``debit_marks``
    (the indicator's values, comma-separated). An unknown key is a ValueError naming the known ones."""
    out = {}
    for part in str(text or "").split(";"):
        if "=" in part:
            key, _, header = part.partition("=")
            key = key.strip()
            if key not in PROFILE_KEYS:
                raise ValueError(f"bank_columns: unknown column {key!r} (known: {', '.join(PROFILE_KEYS)})")
            out[key] = header.strip()
    return out
