"""The data dictionary: every input table otc_xl reads, its columns, and the headers accepted.

Engines only ever see *canonical* frames: the columns below, under these names, with these
types. Workbook adapters find the tables (Excel Table ``tblInvoices`` or sheet ``Invoices``),
map the user's headers through ``synonyms`` (EN/ES/IT/FR/DE, compared with
:func:`otc_xl.model.headers.header_key`) and coerce the values (see ``otc_xl.model.values``).

Column kinds and their canonical pandas types:

==========  ===========================================================================
kind        meaning / dtype in canonical frames
==========  ===========================================================================
id          identifier, text (``10023.0`` from Excel becomes ``"10023"``)
text        free text, ``""`` when empty
date        calendar date, ``datetime64`` at midnight, ``NaT`` when empty (optional only)
amount      money, ``float64`` holding whole cents (exactly 2 decimals); sums are done in
            integer cents (:func:`otc_xl.model.money.cents`) so totals tie to the cent
currency    ISO 4217 code, upper case; empty → the Config ``home_currency``
language    two-letter code (es, it, fr, en, de, ro, pt); empty → Config ``language``
integer     whole number, ``Int64`` (nullable)
number      quantity, unit price or percentage, ``float64`` kept with its decimals (not rounded
            to the cent), ``NaN`` when empty
==========  ===========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .headers import header_key

Kind = Literal["id", "text", "date", "amount", "currency", "language", "integer", "number"]


@dataclass(frozen=True)
class Column:
    """One column of a table contract."""

    name: str
    kind: Kind
    doc: str
    required: bool = False
    synonyms: tuple[str, ...] = ()

    @property
    def exact_keys(self) -> frozenset[str]:
        """Header keys, filler words kept, that map to this column (its own name included)."""
        return frozenset(header_key(s, drop_filler=False) for s in (self.name, *self.synonyms))

    @property
    def keys(self) -> frozenset[str]:
        """Header keys without filler words ("Nº factura" → "factura")."""
        return frozenset(header_key(s) for s in (self.name, *self.synonyms))


@dataclass(frozen=True)
class TableContract:
    """One input table: where it lives in a workbook and what its columns mean."""

    name: str
    doc: str
    sheet_names: tuple[str, ...]
    columns: tuple[Column, ...]
    unique: str | None = None
    excel_table: str = field(default="")

    def __post_init__(self) -> None:
        if not self.excel_table:
            object.__setattr__(self, "excel_table", "tbl" + self.sheet_names[0])

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def match_header(self, header: object) -> Column | None:
        """The column a user's header stands for, or None.

        The exact key wins; otherwise the key without filler words, if only one column has it.
        """
        exact = header_key(header, drop_filler=False)
        for column in self.columns:
            if exact and exact in column.exact_keys:
                return column
        key = header_key(header)
        found = [c for c in self.columns if key and key in c.keys]
        return found[0] if len(found) == 1 else None


_CUSTOMER_ID = ("customer", "customer id", "customer no", "customer number", "account", "account number",
                "debtor", "client id", "cliente", "código cliente", "codigo de cliente", "id cliente",
                "num cliente", "codice cliente", "cod cliente", "code client", "n° client", "numéro client",
                "kunde", "kundennummer", "kunden-nr", "debitor", "debitorennummer", "compte client")
_CUSTOMER_NAME = ("customer name", "name", "client", "client name", "razón social", "razon social",
                  "nombre cliente", "nombre", "ragione sociale", "nome cliente", "denominazione",
                  "nom client", "raison sociale", "nom", "kundenname", "name des kunden", "firma")
_CURRENCY = ("currency", "ccy", "curr", "cur", "moneda", "divisa", "valuta", "devise", "monnaie", "währung")
_AMOUNT = ("amount", "total", "gross amount", "amount due", "importe", "importe total", "total factura",
           "importo", "importo totale", "montant", "montant ttc", "betrag", "bruttobetrag", "summe")

INVOICES = TableContract(
    name="invoices",
    doc="Open AR items: invoices and credit notes not yet cleared (one row per document).",
    sheet_names=("Invoices", "Open items", "Facturas", "Fatture", "Factures", "Rechnungen", "Partite aperte",
                 "Offene Posten", "Partidas abiertas"),
    unique="invoice_id",
    columns=(
        Column("invoice_id", "id", "Our document number, unique in the table.", True,
               ("invoice", "invoice number", "invoice no", "inv no", "document number", "doc no",
                "factura", "número de factura", "nº factura", "num factura", "nº documento",
                "fattura", "numero fattura", "n. fattura", "numero documento", "num doc",
                "facture", "n° facture", "numéro de facture", "numéro de pièce",
                "rechnungsnummer", "rechnungs-nr", "rechnung", "belegnummer", "beleg-nr")),
        Column("customer_id", "id", "Customer account the item is posted to.", True, _CUSTOMER_ID),
        Column("customer_name", "text", "Customer name as in the ERP (optional: taken from Customers).",
               synonyms=_CUSTOMER_NAME),
        Column("invoice_date", "date", "Document date.", True,
               ("date", "invoice date", "document date", "doc date", "fecha", "fecha factura",
                "fecha de emisión", "fecha emision", "data", "data fattura", "data documento",
                "date facture", "date de facture", "date d'émission", "rechnungsdatum", "belegdatum",
                "datum")),
        Column("due_date", "date", "Date payment is due (ageing is measured from it).", True,
               ("due", "due date", "net due date", "vencimiento", "fecha vencimiento", "fecha de vencimiento",
                "scadenza", "data scadenza", "échéance", "date d'échéance", "date echeance",
                "fälligkeit", "fälligkeitsdatum", "fällig am", "nettofälligkeit")),
        Column("currency", "currency", "ISO currency code (empty → Config home_currency).", synonyms=_CURRENCY),
        Column("amount", "amount", "Original document amount; credit notes negative.", True, _AMOUNT),
        Column("open_amount", "amount", "Amount still open (empty → amount).",
               synonyms=("open", "open amount", "balance", "outstanding", "amount open", "remaining",
                         "importe pendiente", "pendiente", "saldo", "saldo pendiente", "importo aperto",
                         "residuo", "importo residuo", "montant ouvert", "solde", "restant dû", "reste à payer",
                         "offener betrag", "offen", "restbetrag", "saldo offen")),
        Column("reference", "text", "Customer PO, payment reference or RF creditor reference.",
               synonyms=("ref", "reference", "payment reference", "customer reference", "po", "po number",
                         "purchase order", "referencia", "pedido cliente", "riferimento", "rif", "ordine cliente",
                         "référence", "bon de commande", "referenz", "bestellnummer", "zahlungsreferenz")),
        Column("creditor_reference", "text", "The payment reference printed on the invoice (RF creditor reference, "
                                             "QR reference, OCR / KID number) when it is not in reference.",
               synonyms=("rf reference", "creditor reference", "qr reference", "ocr", "kid", "structured reference",
                         "referencia de pago", "riferimento di pagamento", "référence de paiement",
                         "strukturierte referenz")),
        Column("billing_document", "id", "Our billing document number when the ERP's open item has another number "
                                         "(SD billing document vs accounting document).",
               synonyms=("billing document", "billing doc", "faktura", "fakturanummer", "documento de facturación",
                         "documento di fatturazione", "document de facturation")),
        Column("accounting_document", "id", "The accounting (FI) document number of the item.",
               synonyms=("accounting document", "accounting doc", "fi document", "journal entry", "asiento",
                         "numero registrazione", "numéro d'écriture", "buchungsbeleg", "belegnummer fi")),
        Column("doc_type", "text", "INV (invoice) or CRN (credit note); empty → from the amount's sign.",
               synonyms=("type", "document type", "doc type", "tipo", "tipo documento", "tipo de documento",
                         "type de document", "type de pièce", "belegart", "dokumentart")),
        Column("order_id", "id", "Sales order the document bills (links to Orders).",
               synonyms=("order", "order number", "sales order", "so", "pedido", "número de pedido", "ordine",
                         "numero ordine", "commande", "n° commande", "auftrag", "auftragsnummer")),
        Column("dispute_code", "text", "Reason code when the customer disputes the item.",
               synonyms=("dispute", "dispute reason", "disputa", "motivo disputa", "reclamación",
                         "contestazione", "motivo contestazione", "litige", "motif litige", "reklamation",
                         "streitfall")),
        Column("collector", "text", "Collector responsible (empty → from Customers).",
               synonyms=("collector", "cobrador", "gestor de cobro", "responsable de cobro", "incaricato",
                         "recuperatore", "gestore crediti", "chargé de recouvrement", "recouvreur",
                         "sachbearbeiter", "mahnsachbearbeiter")),
        Column("dispute_date", "date", "Date the customer raised the dispute (empty → due date).",
               synonyms=("disputed on", "fecha disputa", "fecha reclamación", "data contestazione",
                         "date litige", "date du litige", "reklamationsdatum")),
        Column("notes", "text", "Free notes on the item (dispute details, agreements).",
               synonyms=("note", "comments", "comment", "remarks", "notas", "observaciones", "comentarios",
                         "note interne", "commenti", "annotazioni", "remarques", "commentaires", "notizen",
                         "bemerkungen")),
    ),
)

PAYMENTS = TableContract(
    name="payments",
    doc="Bank lines / receipts to apply (one row per credit on the bank statement).",
    sheet_names=("Payments", "Bank", "Receipts", "Cobros", "Pagos", "Incassi", "Pagamenti", "Encaissements",
                 "Paiements", "Zahlungen", "Zahlungseingänge"),
    unique="payment_id",
    columns=(
        Column("payment_id", "id", "Bank line or receipt id (empty → a stable id from the line's content).",
               synonyms=("payment", "payment number", "receipt", "receipt number", "bank reference",
                         "transaction id", "id cobro", "número de cobro", "referencia bancaria", "id incasso",
                         "numero incasso", "id pagamento", "n° encaissement", "référence bancaire",
                         "zahlungs-id", "buchungsnummer", "bankreferenz")),
        Column("payment_date", "date", "Value or booking date.", True,
               ("date", "value date", "booking date", "receipt date", "fecha", "fecha valor", "fecha cobro",
                "fecha de cobro", "data", "data valuta", "data incasso", "date de valeur",
                "date d'encaissement", "valutadatum", "buchungsdatum", "datum")),
        Column("amount", "amount", "Amount received (positive).", True,
               ("amount", "credit", "amount received", "importe", "importe cobrado", "haber", "importo",
                "importo incassato", "avere", "montant", "crédit", "montant reçu", "betrag", "haben",
                "gutschrift")),
        Column("currency", "currency", "ISO currency code (empty → Config home_currency).", synonyms=_CURRENCY),
        Column("payer_name", "text", "Ordering party as the bank shows it.",
               synonyms=("payer", "ordering party", "remitter", "debtor name", "name", "ordenante",
                         "nombre ordenante", "pagador", "ordinante", "nome ordinante", "pagatore",
                         "donneur d'ordre", "émetteur", "payeur", "auftraggeber", "zahler", "name zahler")),
        Column("payer_account", "text", "Ordering party's IBAN or account.",
               synonyms=("iban", "payer iban", "account", "payer account", "debtor account", "cuenta ordenante",
                         "iban ordenante", "conto ordinante", "iban ordinante", "compte", "iban émetteur",
                         "konto", "iban auftraggeber")),
        Column("remittance", "text", "Free remittance text (SEPA Ustrd) and structured references.",
               synonyms=("remittance info", "remittance information", "description", "details", "narrative",
                         "memo", "text", "concepto", "concepto bancario", "observaciones", "causale",
                         "descrizione", "libellé", "motif", "communication", "verwendungszweck", "buchungstext")),
        Column("customer_id", "id", "Customer, when the bank or a previous step already knows it.",
               synonyms=tuple(s for s in _CUSTOMER_ID if not s.startswith("account"))),
        Column("instructed_amount", "amount", "Amount the payer instructed (camt InstdAmt, SWIFT 33B, /OCMT/): more "
                                              "than was credited when the bank took charges from it; in "
                                              "instructed_currency when given, else in the payment's currency.",
               synonyms=("instructed amount", "original amount", "ordered amount", "importe ordenado",
                         "importo ordinato", "montant ordonné", "ursprungsbetrag", "suma ordonată")),
        Column("instructed_currency", "currency", "Currency of instructed_amount when the bank converted the payment "
                                                  "(camt InstdAmt Ccy, /OCMT/GBP…); empty: the payment's currency.",
               synonyms=("instructed currency", "original currency", "ordered currency", "moneda original",
                         "divisa original", "valuta originale", "divisa originale", "devise d'origine",
                         "devise ordonnée", "originalwährung", "ursprungswährung", "moneda originală")),
        Column("exchange_rate", "number", "The bank's rate of that conversion (camt CcyXchg XchgRate): units of the "
                                          "payment's currency per one unit of instructed_currency.",
               synonyms=("exchange rate", "fx rate", "rate", "tipo de cambio", "cambio", "tasso di cambio", "cambio "
                         "applicato", "taux de change", "cours", "wechselkurs", "umrechnungskurs", "kurs",
                         "curs de schimb", "curs valutar")),
        Column("charges", "amount", "Bank charges taken from the payment (camt Chrgs, SWIFT 71F, /CHGS/).",
               synonyms=("bank charges", "fees", "gastos", "comisiones", "spese", "commissioni", "frais", "gebühren",
                         "spesen")),
        Column("ultimate_debtor", "text", "The party paid on behalf of (camt UltmtDbtr, SEPA ABWA+).",
               synonyms=("ultimate debtor", "on behalf of", "abweichender auftraggeber", "ordenante final",
                         "debitore effettivo", "débiteur final")),
    ),
)

_INVOICING = (
    Column("vat_id", "text", "VAT number with its country prefix (ESB12345678, IT01234567890); invoices and "
                             "e-invoices need it.",
           synonyms=("vat number", "vat no", "tax id", "nif", "cif", "nif-iva", "partita iva", "p.iva",
                     "n° tva", "numéro de tva", "tva intracommunautaire", "ust-idnr", "ust-id", "steuernummer")),
    Column("street", "text", "Billing address: street and number.",
           synonyms=("street address", "calle", "dirección fiscal", "via", "indirizzo fiscale", "rue",
                     "straße", "strasse")),
    Column("postal_code", "text", "Billing address: postal code.",
           synonyms=("zip", "zip code", "postcode", "código postal", "cp", "cap", "code postal", "plz",
                     "postleitzahl")),
    Column("city", "text", "Billing address: town.",
           synonyms=("town", "ciudad", "población", "localidad", "città", "comune", "ville", "ort", "stadt")),
    Column("province", "text", "Billing address: province (Facturae and FatturaPA print it; IT: 2-letter code).",
           synonyms=("state", "region", "provincia", "département", "bundesland")),
    Column("einvoice_format", "text", "E-invoice to send: facturx, xrechnung, ubl, fatturapa, facturae or pdf (empty → "
                                      "from the country and the routing ids below).",
           synonyms=("e-invoice format", "einvoice", "channel", "invoice channel", "formato factura electrónica",
                     "formato fattura elettronica", "format facture électronique", "e-rechnung format")),
    Column("peppol_id", "text", "Peppol participant id, scheme:id (0088:5790000436101, 9920:ESB12345678).",
           synonyms=("peppol", "peppol participant", "endpoint id", "electronic address")),
    Column("einvoice_address", "text", "France: the buyer's electronic address, scheme:id (0225:<SIREN>, "
           "EM:factures@example.fr), BT-49; empty → peppol_id.",
           synonyms=("e-invoice address", "einvoicing address", "adresse de facturation électronique",
                     "adresse électronique de facturation", "dirección de facturación electrónica",
                     "indirizzo di fatturazione elettronica", "e-rechnungsadresse")),
    Column("leitweg_id", "text", "Germany, public buyers: the Leitweg-ID (04011000-1234512345-06), BT-10 and the "
           "buyer's electronic address; a customer with one gets XRechnung.",
           synonyms=("leitweg-id", "leitweg id", "leitwegid", "buyer reference", "käuferreferenz", "kaeuferreferenz",
                     "referencia del comprador", "riferimento acquirente", "référence acheteur",
                     "referinta cumparator")),
    Column("sdi_code", "text", "Italy: the SDI recipient code (7 characters; 6 for public bodies).",
           synonyms=("codice destinatario", "codice sdi", "sdi", "codice univoco ufficio", "codice ufficio")),
    Column("pec", "text", "Italy: certified e-mail (PEC) that receives e-invoices when there is no SDI code.",
           synonyms=("pec address", "posta elettronica certificata", "indirizzo pec")),
    Column("dir3_accounting_office", "text", "Spanish public bodies (FACe): DIR3 oficina contable.",
           synonyms=("oficina contable", "dir3 oficina contable")),
    Column("dir3_management_body", "text", "Spanish public bodies (FACe): DIR3 órgano gestor.",
           synonyms=("órgano gestor", "organo gestor", "dir3 órgano gestor")),
    Column("dir3_processing_unit", "text", "Spanish public bodies (FACe): DIR3 unidad tramitadora.",
           synonyms=("unidad tramitadora", "dir3 unidad tramitadora")),
    Column("early_discount_pct", "number", "Early-payment discount, % (printed on the invoice with its days).",
           synonyms=("cash discount", "skonto", "skonto %", "descuento pronto pago", "dto pronto pago",
                     "sconto pagamento anticipato", "escompte")),
    Column("early_discount_days", "integer", "Days from the invoice date within which the early-payment "
                                             "discount applies.",
           synonyms=("cash discount days", "skontotage", "skonto tage", "días pronto pago",
                     "giorni sconto", "jours escompte")),
)
"""What an invoice needs of a customer: tax id, billing address parts, e-invoice routing, discount terms."""

CUSTOMERS = TableContract(
    name="customers",
    doc="Customer master: names, bank accounts and contact data used to identify payers and write letters.",
    sheet_names=("Customers", "Clientes", "Clienti", "Clients", "Kunden", "Debitoren"),
    unique="customer_id",
    columns=(
        Column("customer_id", "id", "Customer account.", True, _CUSTOMER_ID),
        Column("customer_name", "text", "Legal name.", True, _CUSTOMER_NAME),
        Column("aliases", "text", "Other names the customer pays under, ';'-separated.",
               synonyms=("alias", "aka", "other names", "alias", "alias nombres", "otros nombres", "altri nomi",
                         "autres noms", "alias namen", "andere namen")),
        Column("iban", "text", "Customer's IBANs, ';'-separated.",
               synonyms=("ibans", "bank account", "bank accounts", "cuenta bancaria", "conto corrente",
                         "compte bancaire", "bankverbindung", "kontonummer")),
        Column("language", "language", "Letter language: es, it, fr, en, de, ro (empty → Config language).",
               synonyms=("lang", "idioma", "lengua", "lingua", "langue", "sprache")),
        Column("email", "text", "Dunning / statement e-mail address.",
               synonyms=("e-mail", "mail", "correo", "correo electrónico", "posta elettronica", "courriel",
                         "adresse mail", "e-mail-adresse")),
        Column("collector", "text", "Collector responsible for the account.",
               synonyms=INVOICES.column("collector").synonyms),
        Column("credit_limit", "amount", "Credit limit in the customer's currency.",
               synonyms=("limit", "credit line", "límite de crédito", "limite de credito", "riesgo",
                         "fido", "limite di credito", "plafond", "limite de crédit", "kreditlimit")),
        Column("payment_terms_days", "integer", "Standard payment terms in days.",
               synonyms=("terms", "payment terms", "days", "días", "plazo", "plazo de pago", "giorni",
                         "termini di pagamento", "délai de paiement", "jours", "zahlungsziel", "tage")),
        Column("country", "text", "Country code or name (for reports by country).",
               synonyms=("país", "pais", "paese", "nazione", "pays", "land")),
        Column("parent_id", "id", "Group / parent account that may pay for this customer.",
               synonyms=("parent", "group", "parent account", "grupo", "matriz", "gruppo", "capogruppo",
                         "groupe", "maison mère", "konzern", "muttergesellschaft")),
        Column("contact", "text", "Person to contact about payments (letters are addressed to them).",
               synonyms=("contact name", "contact person", "attention", "contacto", "persona de contacto",
                         "referente", "persona di riferimento", "interlocuteur", "contact client",
                         "ansprechpartner", "kontakt")),
        Column("phone", "text", "Telephone number for collection calls.",
               synonyms=("telephone", "tel", "phone number", "teléfono", "telefono", "numero di telefono",
                         "téléphone", "telefon", "telefonnummer")),
        Column("address", "text", "Postal address for letters; lines separated by ';' or line breaks.",
               synonyms=("postal address", "billing address", "dirección", "direccion", "domicilio",
                         "indirizzo", "adresse", "anschrift")),
        Column("dunning_block", "text", "Not empty: never send dunning letters (the text is the reason).",
               synonyms=("dunning blocked", "dunning stop", "no dunning", "bloqueo reclamación",
                         "bloqueo de reclamación", "blocco solleciti", "blocage relance", "mahnsperre")),
        Column("insolvency", "text", "Not empty: the customer is insolvent or in pre-insolvency (the text says which; "
                                     "its open items go to the legal list).",
               synonyms=("insolvency status", "insolvent", "bankruptcy", "concurso", "concurso de acreedores",
                         "preconcurso", "procedura concorsuale", "insolvenza", "fallimento", "procédure collective",
                         "redressement judiciaire", "insolvenz", "insolvenzverfahren", "insolvență")),
        *_INVOICING,
    ),
)

ORDERS = TableContract(
    name="orders",
    doc="Delivered or earned order lines, for unbilled revenue (one row per order/delivery line).",
    sheet_names=("Orders", "Deliveries", "Pedidos", "Albaranes", "Ordini", "Consegne", "Commandes", "Livraisons",
                 "Aufträge", "Lieferungen"),
    columns=(
        Column("order_id", "id", "Sales order (invoices carry it in order_id).", True,
               INVOICES.column("order_id").synonyms),
        Column("customer_id", "id", "Customer account.", True, _CUSTOMER_ID),
        Column("delivery_date", "date", "Delivery or performance date (unbilled ageing runs from it).", True,
               ("delivery", "delivered", "delivery date", "performance date", "fecha entrega",
                "fecha de entrega", "fecha albarán", "data consegna", "data di consegna", "date de livraison",
                "date livraison", "lieferdatum", "leistungsdatum")),
        Column("amount", "amount", "Value delivered / earned.", True, _AMOUNT),
        Column("billed_amount", "amount", "Already invoiced (empty → summed from invoices with this order_id).",
               synonyms=("billed", "invoiced", "invoiced amount", "facturado", "importe facturado", "fatturato",
                         "importo fatturato", "facturé", "montant facturé", "fakturiert", "berechnet")),
        Column("currency", "currency", "ISO currency code (empty → Config home_currency).", synonyms=_CURRENCY),
        Column("project", "text", "Project or contract.",
               synonyms=("proyecto", "contrato", "progetto", "commessa", "projet", "contrat", "projekt",
                         "vertrag")),
    ),
)

SALES = TableContract(
    name="sales",
    doc="Credit sales by month (or by document), for DSO and CEI; optional.",
    sheet_names=("Sales", "Ventas", "Facturación", "Vendite", "Fatturato", "Ventes", "Chiffre d'affaires",
                 "Umsatz", "Umsätze"),
    columns=(
        Column("date", "date", "Month end, or document date, of the sales.", True,
               ("month", "period", "period end", "fecha", "mes", "periodo", "data", "mese", "mois", "période",
                "datum", "monat", "periode")),
        Column("amount", "amount", "Credit sales (net of credit notes).", True,
               ("sales", "credit sales", "revenue", "ventas", "importe", "vendite", "fatturato", "importo",
                "ventes", "chiffre d'affaires", "montant", "umsatz", "betrag")),
        Column("currency", "currency", "ISO currency code (empty → Config home_currency).", synonyms=_CURRENCY),
    ),
)

ALIASES = TableContract(
    name="aliases",
    doc="Learned payers: a payer name or IBAN seen on bank lines, and the customer it belongs to. "
        "Fed from confirmed applications (the AliasSuggestions sheet); read before fuzzy names.",
    sheet_names=("Aliases", "Payer aliases", "Alias", "Alias pagadores", "Alias pagatori", "Alias payeurs",
                 "Zahleraliase"),
    unique="payer",
    columns=(
        Column("payer", "text", "Payer name as the bank shows it, or the payer's IBAN.", True,
               ("payer name", "payer iban", "ordenante", "pagador", "ordinante", "pagatore", "payeur",
                "donneur d'ordre", "zahler", "auftraggeber")),
        Column("customer_id", "id", "The customer this payer pays for.", True, _CUSTOMER_ID),
        Column("note", "text", "Who confirmed it, when, why.",
               synonyms=("comment", "nota", "comentario", "commento", "remarque", "notiz", "bemerkung")),
    ),
)

CLEARED_ITEMS = TableContract(
    name="cleared_items",
    doc="The ERP's cleared items (optional): invoices already paid or otherwise cleared, with the clearing date and "
        "document. A payment naming one of them is paid twice: it is never applied automatically, and is proposed as "
        "a duplicate to refund or keep on account.",
    sheet_names=("ClearedItems", "Cleared items", "Partidas compensadas", "Partite pareggiate", "Pièces lettrées",
                 "Ausgeglichene Posten"),
    columns=(
        Column("invoice_id", "id", "The cleared document's number.", True, INVOICES.column("invoice_id").synonyms),
        Column("customer_id", "id", "Customer account.", True, _CUSTOMER_ID),
        Column("currency", "currency", "ISO currency code (empty → Config home_currency).", synonyms=_CURRENCY),
        Column("amount", "amount", "Document amount.", synonyms=_AMOUNT),
        Column("clearing_date", "date", "Date it was cleared.", True,
               ("cleared on", "clearing", "fecha compensación", "fecha de compensación", "data pareggio",
                "date de lettrage", "ausgleichsdatum", "ausgeglichen am")),
        Column("clearing_document", "id", "The payment or clearing document that cleared it.",
               synonyms=("clearing doc", "clearing document number", "documento compensación", "documento di pareggio",
                         "pièce de lettrage", "ausgleichsbeleg", "ausgleichsbelegnummer")),
        Column("reference", "text", "Customer PO or payment reference of the document.",
               synonyms=INVOICES.column("reference").synonyms),
    ),
)

ADVICES = TableContract(
    name="advices",
    doc="Remittance advice lines (optional): per bank line, the invoices it pays, the amount paid for each, what "
        "was deducted and why. Filled by otc-xl import-bank --advice (CSV/XLSX advices, lockbox files, EDI 820, "
        "PDF advices in .eml files) or typed.",
    sheet_names=("Advices", "Remittance advices", "Avisos de pago", "Avvisi di pagamento", "Avis de paiement",
                 "Zahlungsavise"),
    columns=(
        Column("payment_id", "id", "The bank line (Payments.payment_id) the advice explains.", True,
               ("payment", "payment reference", "payment id", "bank reference", "id cobro", "id incasso",
                "référence paiement", "zahlungsreferenz")),
        Column("invoice_id", "text", "The invoice as the customer wrote it.", True,
               ("invoice", "invoice number", "invoice no", "document", "factura", "nº factura", "fattura",
                "numero fattura", "facture", "n° facture", "rechnung", "rechnungsnummer")),
        Column("paid_amount", "amount", "Amount paid for it (empty → the invoice's open amount less the deduction).",
               synonyms=("paid", "amount paid", "amount", "importe pagado", "importo pagato", "montant payé",
                         "gezahlt", "zahlbetrag")),
        Column("deduction_amount", "amount", "Amount deducted from it (discount or deduction).",
               synonyms=("deduction", "discount", "deducción", "descuento", "sconto", "deduzione", "remise",
                         "escompte", "abzug", "skonto")),
        Column("reason", "text", "Why it was deducted (freight, damaged goods, Skonto …).",
               synonyms=("reason code", "motivo", "causa", "motif", "grund")),
        Column("source", "text", "Where the line was read from (file, format)."),
    ),
)

EXCHANGE_RATES = TableContract(
    name="exchange_rates",
    doc="Exchange rates (optional), e.g. the ECB's reference rates pasted by the user: one rate per day and currency, "
        "as units of the currency per one unit of base_currency (1 EUR = 0.8614 GBP). Cash application converts a "
        "payment in another currency than the items it pays at the rate of its date or the latest before it (see "
        "Config fx_rate_max_days), unless the bank's own rate is on the payment.",
    sheet_names=("ExchangeRates", "Exchange rates", "FX rates", "Tipos de cambio", "Tassi di cambio", "Taux de change",
                 "Wechselkurse", "Cursuri valutare"),
    columns=(
        Column("rate_date", "date", "The day the rate is for.", True,
               ("date", "day", "rate date", "fecha", "data", "date du cours", "datum", "kursdatum")),
        Column("currency", "currency", "The currency quoted (GBP, CHF, USD …).", True,
               ("quoted currency", "to currency", "to", "moneda", "divisa", "valuta", "devise", "währung")),
        Column("rate", "number", "Units of currency per one unit of base_currency.", True,
               ("exchange rate", "fx rate", "tipo de cambio", "cambio", "tasso di cambio", "taux de change", "cours",
                "wechselkurs", "kurs", "curs", "curs de schimb")),
        Column("base_currency", "currency", "The currency the rate is per one unit of (empty → Config home_currency).",
               synonyms=("base", "from currency", "from", "moneda base", "divisa base", "valuta base", "devise de base",
                         "basiswährung", "moneda de bază")),
        Column("source", "text", "Where the rate comes from (ECB, the bank, the ERP's rate table).",
               synonyms=("fuente", "fonte", "origine", "quelle", "sursa")),
    ),
)

CONTRACTS: dict[str, TableContract] = {c.name: c for c in (INVOICES, PAYMENTS, CUSTOMERS, ORDERS, SALES, ALIASES,
                                                           CLEARED_ITEMS, ADVICES, EXCHANGE_RATES)}

THEIR_ACCOUNT = TableContract(
    name="their_account",
    doc="The customer's view of the account (their vendor ledger, open items or statement, .xlsx or .csv) sent "
        "for reconciliation. Amounts in one signed column or in debit/credit columns, in either sign convention.",
    sheet_names=("CustomerAccount",),
    columns=(
        Column("document", "text", "Our document number as they recorded it (their 'external document', "
                                   "supplier invoice number).",
               synonyms=("external document no", "external document number", "external doc no", "ext doc no",
                         "vendor invoice no", "vendor invoice number", "supplier invoice", "supplier invoice no",
                         "invoice", "invoice no", "invoice number", "your invoice", "factura", "nº factura",
                         "numero factura", "num factura", "factura proveedor", "su factura", "fattura",
                         "numero fattura", "n fattura", "fattura fornitore", "vostra fattura", "facture",
                         "numéro facture", "n° facture", "facture fournisseur", "votre facture", "rechnung",
                         "rechnungsnummer", "rechnungsnr", "externe belegnummer", "lieferantenrechnung",
                         "ihre rechnung", "reference", "ref", "referencia", "riferimento", "référence", "referenz",
                         "document", "documento", "nº documento", "numero documento", "n documento",
                         "n documento fornitore", "belegfeld 1", "belegfeld1")),
        Column("their_document", "text", "Their own document or posting number.",
               synonyms=("document no", "document number", "doc no", "asiento", "numero registrazione",
                         "n protocollo", "protocollo", "n° pièce",
                         "numéro de pièce", "pièce", "piece", "belegnummer", "belegnr", "beleg", "entry no",
                         "voucher", "voucher no")),
        Column("date", "date", "Document or posting date.",
               synonyms=("document date", "posting date", "invoice date", "fecha", "fecha documento", "fecha factura",
                         "data", "data documento", "data fattura", "date pièce", "date facture", "datum",
                         "belegdatum", "buchungsdatum", "rechnungsdatum")),
        Column("doc_type", "text", "Kind of line: invoice, credit note, payment …",
               synonyms=("type", "document type", "doc type", "tipo", "tipo documento", "tipo doc", "tipo movimento",
                         "type de pièce", "type pièce", "belegart", "art")),
        Column("amount", "amount", "Signed amount (either convention: the sign is settled against our items).",
               synonyms=("importe", "importo", "montant", "betrag", "amount eur", "importe eur", "importo eur",
                         "montant eur", "betrag eur", "open amount", "pendiente", "importe pendiente", "residuo",
                         "montant restant", "offener betrag", "restbetrag")),
        Column("debit", "amount", "Debit column.", synonyms=("debe", "cargo", "dare", "débit", "soll", "debit amount")),
        Column("credit", "amount", "Credit column.", synonyms=("haber", "abono", "avere", "crédit", "haben",
                                                               "credit amount")),
        Column("currency", "currency", "Currency.", synonyms=_CURRENCY),
        Column("description", "text", "Text of the line.",
               synonyms=("text", "concepto", "descripción", "descripcion", "descrizione", "causale", "libellé",
                         "libelle", "buchungstext", "beschreibung", "narrative", "details")),
    ),
)
"""Not one of the workbook's tables: read from the file a customer sends (``otc-xl reconcile``) or a
sheet named CustomerAccount the user pasted it into (the Reconcile button)."""
