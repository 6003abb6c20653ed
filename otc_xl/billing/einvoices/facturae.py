"""Facturae 3.2.2 (Spain; FACe for public bodies) with the **facturae** library's model of the format.

The file built here is unsigned: posting signs it XAdES-EPES (:mod:`.xades`) when Config
facturae_certificate names the company's certificate; otherwise the signing tool or the channel
(FACe, the e-invoicing platform) must. Spanish public bodies are addressed through their three DIR3 codes (Customers
``dir3_*``). Lines, VAT and totals are the draft's own figures, the same the PDF prints. A credit
note is a corrective invoice "por diferencias": negative amounts, the corrected invoice's month as
tax period. Exempt lines carry SpecialTaxableEvent; a DNI/NIE holder is a natural person (F).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from decimal import Decimal

from ...model.billing import InvoiceDoc, Line, VatTotal
from ...model.company import Company
from ...model.problems import Problem, ValidationError
from ..identifiers import natural_person
from . import amount, day, delivery_dates

# facturae imports signxml (for signing, which otc_xl does not do), whose type hints name DSA keys:
# cryptography warns "DSA is deprecated" at that import, on every post. Not ours to act on; silenced there only.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"signxml\b")

ALPHA3 = {"ES": "ESP", "PT": "PRT", "FR": "FRA", "IT": "ITA", "DE": "DEU", "AT": "AUT", "BE": "BEL", "NL": "NLD",
          "LU": "LUX", "IE": "IRL", "DK": "DNK", "SE": "SWE", "FI": "FIN", "PL": "POL", "CZ": "CZE", "SK": "SVK",
          "HU": "HUN", "SI": "SVN", "HR": "HRV", "RO": "ROU", "BG": "BGR", "GR": "GRC", "CY": "CYP", "MT": "MLT",
          "EE": "EST", "LV": "LVA", "LT": "LTU", "GB": "GBR", "CH": "CHE", "NO": "NOR", "US": "USA"}
"""ISO 3166 alpha-2 → alpha-3 (Facturae's CountryType) for the countries our customers are in."""
UNITS = {"C62": "01", "H87": "01", "EA": "01", "HUR": "02", "KGM": "03", "LTR": "04", "BX": "06", "CLT": "15",
         "CMT": "16", "GRM": "21", "KMT": "22", "MTR": "25", "MMT": "26", "PK": "28", "RO": "30", "MTQ": "33",
         "SEC": "34", "WTT": "35", "KWH": "36"}
"""UN/ECE rec. 20 unit → Facturae UnitOfMeasure (05: other)."""
DIR3_ROLES = (("dir3_accounting_office", "01"), ("dir3_management_body", "02"), ("dir3_processing_unit", "03"))
"""FACe: oficina contable (01 fiscal), órgano gestor (02 receptor), unidad tramitadora (03 pagador)."""
VAT = "01"  # TaxTypeCode IVA
TRANSFER = "04"
EXEMPT_EVENT = {"E": "01", "K": "01", "G": "01", "Z": "01", "O": "02"}
"""SpecialTaxableEventCode of a line without VAT: 01 subject and exempt, 02 not subject (Facturae 3.2.2)."""
RETURNS = "16"  # ReasonCode: taxable base (returned or cancelled goods, art. 80.Dos Ley 37/1992)


def _amount(value: float) -> float:
    """facturae formats its amounts itself (``'%.2f' % x``): it takes a number."""
    return float(amount(value))


def _nif(vat_id: str, country: str) -> tuple[str, str]:
    """(TaxIdentificationNumber, ResidenceTypeCode): Spanish NIF without its ES prefix and R
    (resident); EU VAT numbers as they are and U; others E."""
    vat_id = re.sub(r"[^A-Z0-9]", "", str(vat_id).upper())
    if country == "ES":
        return (vat_id[2:] if vat_id.startswith("ES") else vat_id), "R"
    return vat_id, "U" if country in ALPHA3 and country not in ("GB", "CH", "NO", "US") else "E"


def _address(street: str | None, postal: str | None, city: str | None, province: str | None):
    from facturae import facturae

    address = facturae.AddressInSpain()
    address.feed({"address": street or "-", "postcode": str(postal or "")[:5], "town": city or "-",
                  "province": province or city or "-", "countrycode": "ESP"})
    return address


def person_names(name: str) -> tuple[str, str, str]:
    """(Name, FirstSurname, SecondSurname) of a natural person's name as Customers holds it: "García
    López, María" (surnames first, a comma) or "María García López" (the first word is taken as the
    given name)."""
    name = " ".join(str(name or "").split())
    if "," in name:
        surnames, _, given = name.partition(",")
    else:
        given, _, surnames = name.partition(" ")
    first, _, second = surnames.strip().partition(" ")
    return given.strip()[:50] or "-", first[:40] or "-", second[:40]


def _party(party, name: str, vat_id: str, country: str, street: str | None, postal: str | None, city: str | None,
           province: str | None):
    """A Facturae party: a natural person (a DNI or NIE: PersonTypeCode F, Individual) or a legal entity
    (a CIF: J, LegalEntity)."""
    from facturae import facturae

    number, residence = _nif(vat_id, country)
    person = natural_person(number)
    tax = facturae.TaxIdentification()
    tax.feed({"persontypecode": "F" if person else "J", "residencetypecode": residence,
              "taxidentificationnumber": number})
    address = _address(street, postal, city, province)
    if person:
        given, first, second = person_names(name)
        entity = facturae.Individual()
        entity.feed({"givenname": given, "firstsurname": first, **({"secondsurname": second} if second else {}),
                     "addressinspain": address})
        party.feed({"taxidentification": tax, "individual": entity})
    else:
        entity = facturae.LegalEntity()
        entity.feed({"corporatename": name[:80], "addressinspain": address})
        party.feed({"taxidentification": tax, "legalentity": entity})


def facturae_xml(doc: InvoiceDoc, lines: list[Line], totals: list[VatTotal], customer: dict, seller: Company) -> bytes:
    from facturae import facturae

    if seller.country != "ES" or (customer.get("country") or "ES") != "ES":
        raise ValidationError([Problem("Customers", f"Facturae {doc.invoice_id}: otc_xl writes Facturae between "
                                                    "Spanish parties (AddressInSpain); choose another einvoice_format "
                                                    f"for customer {doc.customer_id}")])
    credit = doc.doc_type == "CRN"
    sign = -1 if credit else 1  # a corrective invoice "por diferencias" carries the difference: negative
    gross, net, vat = sign * _amount(doc.gross), sign * _amount(doc.net), sign * _amount(doc.vat)
    root = facturae.FacturaeRoot()
    totals_batch = {}
    for tag in ("TotalInvoicesAmount", "TotalOutstandingAmount", "TotalExecutableAmount"):
        block = facturae.Totals(tag)
        block.feed({"totalamount": gross})
        totals_batch[tag.lower()] = block
    batch = facturae.Batch()
    batch.feed({"batchidentifier": f"{_nif(seller.vat_id, 'ES')[0]}{doc.invoice_id}"[:70], "invoicescount": 1,
                "invoicecurrencycode": doc.currency, **totals_batch})
    root.fileheader.feed({"schemaversion": "3.2.2", "modality": "I", "invoiceissuertype": "EM", "batch": batch})
    _party(root.parties.sellerparty, seller.invoice_name, seller.vat_id, "ES", seller.street, seller.postal_code,
           seller.city, seller.province)
    _party(root.parties.buyerparty, customer.get("customer_name") or doc.customer_id,
                           customer.get("vat_id", ""), "ES", customer.get("street"), customer.get("postal_code"),
                           customer.get("city"), customer.get("province"))
    centres = []
    for column, role in DIR3_ROLES:
        if str(customer.get(column) or "").strip():
            centre = facturae.AdministrativeCentre()
            centre.feed({"centrecode": str(customer[column]).strip(), "roletypecode": role,
                         "addressinspain": _address(customer.get("street"), customer.get("postal_code"),
                                                    customer.get("city"), customer.get("province"))})
            centres.append(centre)
    if centres:
        root.parties.buyerparty.administrativecentres.feed({"administrativecentre": centres})
    invoice = facturae.Invoice()
    series, _, number = doc.invoice_id.rpartition("-")
    header = {"invoicenumber": number, "invoiceseriescode": series, "invoicedocumenttype": "FC",
              "invoiceclass": "OR" if credit else "OO"}
    if credit:
        original_series, _, original_number = str(doc.original_invoice).rpartition("-")
        period = facturae.TaxPeriod()  # the period of the invoice corrected (RD 1619/2012 art. 15)
        original = doc.original_date
        corrected = day(original) if original is not None and original == original else day(doc.invoice_date)
        last = (corrected.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        period.feed({"startdate": corrected.replace(day=1).isoformat(), "enddate": last.isoformat()})
        corrective = facturae.Corrective()
        corrective.feed({"invoicenumber": original_number, "invoiceseriescode": original_series,
                         "reasoncode": RETURNS, "reasondescription": "Base imponible", "taxperiod": period,
                         "correctionmethod": "02", "correctionmethoddescription": "Rectificación por diferencias"})
        header["corrective"] = corrective
    invoice.invoiceheader.feed(header)
    issue = {"issuedate": day(doc.invoice_date).isoformat(), "invoicecurrencycode": doc.currency,
             "taxcurrencycode": doc.currency, "languagename": "es"}
    first, last = delivery_dates(lines, doc)
    if first == last != day(doc.invoice_date):  # RD 1619/2012 art. 6.1.l: the date of the operation
        issue["operationdate"] = first.isoformat()
    elif first != last:
        period = facturae.InvoicingPeriod()
        period.feed({"startdate": first.isoformat(), "enddate": last.isoformat()})
        issue["invoicingperiod"] = period
    invoice.invoiceissuedata.feed(issue)
    invoice.taxesoutputs.feed({"tax": [_tax(t.vat_rate, sign * abs(t.net), sign * abs(t.vat))
                                       for t in totals]})
    invoice.invoicetotals.feed({"totalgrossamount": net, "totalgrossamountbeforetaxes": net, "totaltaxoutputs": vat,
                                "totaltaxeswithheld": 0.0, "invoicetotal": gross, "totaloutstandingamount": gross,
                                "totalexecutableamount": gross})
    items = []
    mentions = {t.vat_category: t.mention for t in totals}
    for x in lines:
        quantity = sign * Decimal(str(abs(x.quantity)))
        eight = Decimal("0.00000001")
        cost = (quantity * Decimal(str(x.unit_price))).quantize(eight)
        pct = Decimal(str(x.discount_pct or 0))
        discount = (cost * pct / 100).quantize(eight)
        line_net = sign * amount(x.net)  # the line's taxable base: cost − discount, to the cent
        line_vat = sign * amount(x.vat) if x.vat else \
            (line_net * Decimal(str(x.vat_rate)) / 100).quantize(Decimal("0.01"))
        line = facturae.InvoiceLine()
        values = {"itemdescription": str(x.description or x.item or "-")[:2500], "quantity": float(quantity),
                  "unitofmeasure": UNITS.get(str(x.unit or "C62").upper(), "05"),
                  "unitpricewithouttax": float(x.unit_price), "totalcost": float(cost),
                  "grossamount": float(cost - discount),
                  "taxesoutputs": _taxes([_tax(x.vat_rate, float(line_net), float(line_vat))]),
                  "articlecode": str(x.item or "")[:20] or None}
        if x.vat_category in EXEMPT_EVENT:  # the exemption itself, not a 0 % rate alone
            event = facturae.SpecialTaxableEvent()
            event.feed({"specialtaxableeventcode": EXEMPT_EVENT[x.vat_category],
                        "specialtaxableeventreason": (mentions.get(x.vat_category) or "-")[:2500]})
            values["specialtaxableevent"] = event
        if discount:
            discounts = facturae.GeneralDiscounts("DiscountsAndRebates")
            block = facturae.Discount()
            block.feed({"discountreason": "Descuento", "discountrate": f"{pct:.4f}", "discountamount": f"{discount:f}"})
            discounts.feed({"discount": [block]})
            values["discountandrebates"] = discounts
        line.feed({k: v for k, v in values.items() if v is not None})
        items.append(line)
    invoice.items.feed({"invoiceline": items})
    if not credit:
        account = facturae.Account("AccountToBeCredited")
        account.feed({"iban": seller.iban, **({"bic": seller.bic} if seller.bic else {})})
        installment = facturae.Installment()
        installment.feed({"installmentduedate": day(doc.due_date).isoformat(), "installmentamount": gross,
                          "paymentmeans": TRANSFER, "accounttobecredited": account,
                          "paymentreconciliationreference": doc.payment_reference})
        invoice.paymentdetails.feed({"installment": [installment]})
    literals = [facturae.LegalReference(t.mention[:250]) for t in totals if t.mention]
    if literals:
        invoice.legalliterals.feed({"legalreference": literals})
    root.invoices.feed({"invoice": [invoice]})
    root.build_tree()
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + str(root).encode("utf-8").split(b"?>", 1)[-1].lstrip()


def _tax(rate: float, base: float, amount: float):
    from facturae import facturae

    tax = facturae.Tax()
    taxable, quota = facturae.TaxData("TaxableBase"), facturae.TaxData("TaxAmount")
    taxable.feed({"totalamount": float(Decimal(f"{base:.2f}")) + 0.0})  # + 0.0: never "-0.00"
    quota.feed({"totalamount": float(Decimal(f"{amount:.2f}")) + 0.0})
    tax.feed({"taxtypecode": VAT, "taxrate": float(rate), "taxablebase": taxable, "taxamount": quota})
    return tax


def _taxes(taxes: list):
    from facturae import facturae

    block = facturae.Taxes("TaxesOutputs")
    block.feed({"tax": taxes})
    return block

