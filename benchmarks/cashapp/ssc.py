"""A third generator for the cash-application benchmark: a multi-company shared-services centre.

Written for issue 29, apart from ``otc_xl.demo.synth`` and ``independent.py``: six company codes with
their own numbering (Spain ``FV2026-000412`` with credit notes ``AV2026-000412`` in a second series,
Italy ``FT 87/2026`` numbered per year, Germany eight-digit ``90417702``, the UK ``SI-104512``, the US
six-digit ``193450`` with credit memos ``CM004017`` and customer POs, the Netherlands with RF
payment references), bank lines as those countries' banks and the US ACH / lockbox channels write
them, the ERP's cleared items, remittance advices (a table of lines, EDI 820 segments in ACH CTX
bank lines, lockbox stubs), customers sharing an IBAN, customer-specific Skonto terms, and one class
per trap of the issue.

``make_ssc(seed)`` returns a dict: invoices, payments, customers, cleared (ClearedItems), advices
(Advices lines), truth (one row per (payment, invoice) that should be applied automatically; for the
classes in ``MUST_NOT_AUTO`` one row with an empty invoice) and deductions (the deduction rows that
should be opened: payment, invoice, amount).
"""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd

AS_OF = dt.date(2026, 11, 30)
COUNTRIES = {  # company code: (country, surname starts, surname ends, trades, legal forms, currency)
    "ES01": ("ES", ["Gar", "Mar", "Ler", "Rod", "Fer", "Ibar", "Echev", "Olab", "Zubi", "Arre"],
             ["ía", "ez", "ola", "arri", "eta", "uren", "ando"],
             ["Suministros", "Distribuciones", "Talleres", "Ferretería", "Construcciones"], ["S.L.", "S.A.", "S.L.U."],
             "EUR"),
    "IT01": ("IT", ["Ross", "Bian", "Ferr", "Espos", "Ricc", "Marin", "Gall", "Conti", "Bruno", "Mancin"],
             ["i", "etti", "ello", "oni", "ucci", "ato"],
             ["Meccanica", "Forniture", "Impianti", "Arredamenti", "Trasporti"], ["S.r.l.", "S.p.A.", "S.n.c."], "EUR"),
    "DE01": ("DE", ["Brau", "Kessl", "Wint", "Schr", "Zimm", "Krau", "Fisch", "Wolf", "Neum", "Schwarz"],
             ["er", "mann", "ner", "inger", "hoff", "ke"],
             ["Maschinenbau", "Elektrotechnik", "Logistik", "Baustoffe", "Verpackungen"],
             ["GmbH", "AG", "GmbH & Co. KG"],
             "EUR"),
    "UK01": ("UK", ["Hal", "Wor", "Ben", "Crom", "Dal", "Fen", "Hux", "Pem", "Stan", "Wex"],
             ["ton", "ley", "wick", "more", "field", "shaw"],
             ["Components", "Supplies", "Engineering", "Packaging", "Distribution"], ["Ltd", "PLC", "Limited"], "GBP"),
    "US01": ("US", ["Ander", "Jeff", "Mill", "Harr", "Tay", "Whit", "Brook", "Coop", "Hay", "Mor"],
             ["son", "ers", "ington", "wood", "well", "ford"],
             ["Industrial", "Supply", "Manufacturing", "Foods", "Hardware"], ["Inc", "LLC", "Corp"], "USD"),
    "NL01": ("NL", ["Van den ", "De ", "Van ", "Ter "], ["Heuvel", "Boer", "Meijer", "Linden", "Haan", "Wouters"],
             ["Techniek", "Groothandel", "Transport", "Installaties"], ["B.V.", "N.V."], "EUR"),
}
US_ROUTING = ["021000021", "011000015", "026009593", "121000248", "111000025", "071000013"]
FACTORS = ["NORDIC FACTORING AB", "EULER FINANCE SA", "ABN AMRO COMMERCIAL FINANCE", "COFACE FINANZ GMBH"]
CLASSES = {  # class: weight
    "ref_exact": 20, "ref_mangled": 7, "ref_multi": 6, "name_only": 6, "bank_fee": 4, "skonto": 3,
    "paid_twice": 5, "neighbour": 3, "deduction_claimed": 4, "short_unexplained": 3, "advice_bulk": 2,
    "advice_deduction": 2, "ctx_edi": 3, "lockbox": 3, "rf_name": 3, "series_collision": 2, "credit_unnamed": 2,
    "po_deliveries": 2, "shared_iban": 2, "ultimate_debtor": 2, "instructed_charges": 2, "customer_number": 1,
    "unidentified": 3, "year_qualified": 3,
}
MUST_NOT_AUTO = ("paid_twice", "neighbour", "unidentified")
WHERE = {"neighbour": ("DE",), "skonto": ("DE",), "advice_bulk": ("DE",), "ctx_edi": ("US",), "lockbox": ("US",),
         "rf_name": ("NL",), "series_collision": ("ES",), "year_qualified": ("IT", "ES"), "po_deliveries": ("US", "UK"),
         "instructed_charges": ("UK", "US")}
"""Classes that happen in some countries only: their payers are drawn there."""
"""Classes whose right answer is no automatic application at all."""
REASONS = [("FRACHT", "freight"), ("FREIGHT", "freight"), ("DAMAGED GOODS", "damaged goods"),
           ("PRICE DIFFERENCE", "pricing"), ("RETOURE", "returns"), ("WKZ", "promotion")]


def _rf(reference: str) -> str:
    """An ISO 11649 creditor reference for ``reference`` (check digits by mod 97)."""
    body = "".join(str(int(c, 36)) for c in reference + "RF00")
    return f"RF{98 - int(body) % 97:02d}{reference}"


def _iban(rng: random.Random, country: str) -> str:
    if country == "US":
        return f"{rng.choice(US_ROUTING)}/{rng.randint(10**8, 10**10 - 1)}"
    code = {"UK": "GB"}.get(country, country)
    return f"{code}{rng.randint(10, 99)}{rng.randint(10**17, 10**18 - 1)}"


def _fmt_eu(value: float) -> str:
    return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _payer(rng: random.Random, name: str, form: str) -> str:
    how = rng.randrange(3)
    if how == 0:
        return f"{name} {form}".upper()[:35]
    if how == 1:
        return name.upper()[:35]
    return f"{name} {form}"[:35]


def make_ssc(seed: int = 31, customers: int = 2500, invoices: int = 50000, payments: int = 8000) -> dict:
    rng = random.Random(seed)
    codes = list(COUNTRIES)
    cust, by_company = [], {c: [] for c in codes}
    for i in range(customers):
        company = codes[i % len(codes)]
        country, starts, ends, trades, forms, currency = COUNTRIES[company]
        name = f"{rng.choice(starts)}{rng.choice(ends)} {rng.choice(trades)}"
        if rng.random() < 0.6:
            name += f" {rng.choice(starts)}{rng.choice(ends)}"
        form = rng.choice(forms)
        terms = (3.0, 14) if country == "DE" and rng.random() < 0.3 else (None, None)
        row = {"customer_id": f"{country}{10000 + i}", "customer_name": f"{name} {form}", "base": name, "form": form,
               "company": company, "country": country, "currency": currency, "aliases": "", "parent_id": "",
               "iban": _iban(rng, country) if rng.random() < 0.7 else "",
               "early_discount_pct": terms[0], "early_discount_days": terms[1]}
        cust.append(row)
        by_company[company].append(row)
    # duplicates in the master: a second account of the same customer, sharing its IBAN
    for i in range(0, customers - 1, 50):
        a, b = cust[i], cust[i + 1]
        if a["iban"]:
            b.update(base=a["base"], form=a["form"], customer_name=f"{a['base']} {a['form']}", iban=a["iban"],
                     company=a["company"], country=a["country"], currency=a["currency"])
    counters = {c: 0 for c in codes}
    taken: set[str] = set()

    def number(company: str, credit: bool = False, at: int | None = None) -> str:
        if at is None:
            counters[company] += 1 + (rng.random() < 0.15)  # cancelled numbers leave gaps
            at = counters[company]
            while _number(company, credit, at) in taken:
                at = counters[company] = at + 1
        doc = _number(company, credit, at)
        taken.add(doc)
        return doc

    def _number(company: str, credit: bool, at: int) -> str:
        country = COUNTRIES[company][0]
        if country == "ES":
            return f"{'AV' if credit else 'FV'}2026-{at:06d}"
        if country == "IT":
            return f"FT {at}/2026" if not credit else f"NC {at}/2026"
        if country == "DE":
            return f"{'GS' if credit else ''}904{at:05d}"
        if country == "UK":
            return f"{'CN' if credit else 'SI'}-{100000 + at:06d}"
        if country == "US":
            return f"CM{at:06d}" if credit else f"{190000 + at:06d}"
        return f"NL26-{at:05d}" if not credit else f"NLC26-{at:05d}"

    inv_rows = []

    def add_item(c: dict, amount: float, credit: bool = False, ref: str = "", at: int | None = None,
                 days: int | None = None) -> int:
        issued = AS_OF - dt.timedelta(days=days if days is not None else rng.randint(5, 120))
        doc = number(c["company"], credit, at)
        inv_rows.append({"invoice_id": doc, "customer_id": c["customer_id"], "customer_name": c["customer_name"],
                         "invoice_date": pd.Timestamp(issued), "due_date": pd.Timestamp(issued + dt.timedelta(days=30)),
                         "currency": c["currency"], "amount": round(-amount if credit else amount, 2),
                         "open_amount": round(-amount if credit else amount, 2), "reference": ref,
                         "creditor_reference": _rf(doc.replace("-", "").replace(" ", "").replace("/", ""))
                         if c["country"] == "NL" else "", "company": c["company"]})
        return len(inv_rows) - 1

    for _ in range(invoices):
        c = cust[rng.randrange(customers)]
        amount = round(rng.lognormvariate(6.6, 1.0), 2) if rng.random() > 0.08 else rng.choice([250.0, 500.0, 1000.0])
        po = f"PO 45{rng.randint(10**7, 10**8 - 1)}" if c["country"] in ("US", "UK") and rng.random() < 0.5 else ""
        add_item(c, max(amount, 12.0), ref=po)
    # a few open credit notes per company (some sharing an invoice's digits in the other series)
    for _ in range(invoices // 50):
        c = cust[rng.randrange(customers)]
        add_item(c, round(rng.uniform(10, 300), 2), credit=True)
    by_customer: dict[str, list[int]] = {}
    for k, r in enumerate(inv_rows):
        if r["amount"] > 0:
            by_customer.setdefault(r["customer_id"], []).append(k)
    cleared_rows: list[dict] = []

    def clear(c: dict, amount: float, at: int | None = None) -> dict:
        """An item of ``c`` cleared last week (in the cleared-items export, not open)."""
        doc = number(c["company"], at=at)
        row = {"invoice_id": doc, "customer_id": c["customer_id"], "currency": c["currency"], "amount": amount,
               "clearing_date": pd.Timestamp(AS_OF - dt.timedelta(days=rng.randint(3, 20))),
               "clearing_document": f"14{rng.randint(10**7, 10**8 - 1)}", "reference": ""}
        cleared_rows.append(row)
        return row

    for _ in range(invoices // 10):  # the export holds many cleared items nobody pays again
        c = cust[rng.randrange(customers)]
        clear(c, round(rng.lognormvariate(6.6, 1.0), 2))

    used: set[int] = set()
    pays, truth, deductions, advices = [], [], [], []
    names, weights = list(CLASSES), list(CLASSES.values())

    def free(cid: str) -> list[int]:
        return [k for k in by_customer.get(cid, []) if k not in used and inv_rows[k]["open_amount"] > 0]

    def label(c: dict, text: str) -> tuple[str, str]:
        """(payer field, remittance) as the customer's bank shows them."""
        payer = _payer(rng, c["base"], c["form"])
        country = c["country"]
        if country == "DE":
            return ("", f"SEPA-GUTSCHRIFT {payer} SVWZ+{text}") if rng.random() < 0.3 else (payer, f"SVWZ+{text}")
        if country == "ES":
            return payer, f"TRANSFERENCIA DE {payer} CONCEPTO {text}"
        if country == "IT":
            return payer, f"BONIFICO DA {payer} CAUS {text}"
        if country == "UK":
            return payer, f"FASTER PAYMENT {text}"
        if country == "US":
            return payer, f"ACH CCD {payer} {text}"
        return payer, f"/TRTP/SEPA OVERBOEKING/NAME/{payer}/REMI/{text}"

    pools = {kind: [x for company, rows in by_company.items() if COUNTRIES[company][0] in where for x in rows]
             for kind, where in WHERE.items()}
    n = 0
    while len(pays) < payments and n < payments * 6:
        n += 1
        kind = rng.choices(names, weights)[0]
        pid = f"SSC{n:06d}"
        if kind in WHERE:
            c = rng.choice(pools[kind])
            if kind == "skonto" and not c["early_discount_pct"]:
                continue
        elif kind == "shared_iban":
            c = cust[rng.randrange(0, customers - 1, 50) + rng.randrange(2)]
        else:
            c = cust[rng.randrange(customers)]
        mine = free(c["customer_id"])
        if not mine:
            continue
        k = rng.choice(mine)
        doc, amount = inv_rows[k]["invoice_id"], inv_rows[k]["open_amount"]
        rows = [(k, amount)]
        account = c["iban"] if c["iban"] and rng.random() < 0.6 else ""
        ded: list[tuple[int, float]] = []
        text, payer = "", None
        country = c["country"]
        if kind == "ref_exact":
            text = {"DE": f"RG. {doc}", "ES": f"FACTURA {doc}", "IT": f"SALDO {doc}", "UK": f"INV {doc}",
                    "US": f"INV {doc}", "NL": f"FACTUUR {doc}"}[country]
        elif kind == "ref_mangled":
            digits = "".join(ch for ch in doc if ch.isdigit())
            text = rng.choice([doc.lower(), doc.replace("-", " "), f"NR {digits}", doc.replace("-", "")])
        elif kind == "year_qualified":
            if country not in ("IT", "ES"):
                continue
            serial = int(doc.split("/")[0].split()[-1]) if country == "IT" else int(doc[-6:])
            text = f"SALDO FT {serial}/26" if country == "IT" else f"V/FRA 26/{serial:04d}"
        elif kind == "ref_multi":
            more = [x for x in mine if x != k][: rng.randint(1, 3)]
            if not more:
                continue
            rows += [(x, inv_rows[x]["open_amount"]) for x in more]
            amount = round(sum(a for _, a in rows), 2)
            text = " ".join(inv_rows[x]["invoice_id"] for x, _ in rows)
        elif kind == "name_only":
            if not account:
                continue
            text = rng.choice(["", "PAYMENT", "ZAHLUNG NOV", "PAGO"])
        elif kind == "bank_fee":
            fee = rng.choice([0.35, 1.50, 2.50])
            if fee > amount * 0.005:
                continue
            amount = round(amount - fee, 2)
            text = f"INV {doc}"
        elif kind == "skonto":
            if country != "DE" or not c["early_discount_pct"]:
                continue
            inv_rows[k]["invoice_date"] = pd.Timestamp(AS_OF - dt.timedelta(days=rng.randint(3, 12)))
            amount = round(amount * 0.97, 2)
            text = f"RG {doc} ABZGL. 3% SKONTO"
        elif kind == "paid_twice":
            was = clear(c, amount)
            twin = [x for x in mine if x != k]
            if twin:  # another open item of the same amount: the engine must not take this money for it
                inv_rows[twin[0]]["open_amount"] = inv_rows[twin[0]]["amount"] = amount
            text = {"DE": f"RG. {was['invoice_id']}", "ES": f"FACTURA {was['invoice_id']}"}.get(
                country, f"INV {was['invoice_id']}")
            rows = []
        elif kind == "neighbour":
            if country != "DE":
                continue
            at = int(doc[3:])
            step = rng.choice([10000, 20000, 30000, 40000])  # one digit more: a number not given yet
            if at + step > 99999 or _number(c["company"], False, at + step) in taken:
                continue
            was = clear(c, amount, at=at + step)  # one digit from the open item, same amount, cleared
            text = f"FAKTURA {was['invoice_id']}"
            rows = []
        elif kind == "deduction_claimed":
            words, _ = rng.choice(REASONS)
            cut = round(min(rng.choice([15.0, 25.0, 48.5, 120.0]), amount * 0.2), 2)
            amount = round(amount - cut, 2)
            text = f"{doc} ABZGL. {words} {_fmt_eu(cut)}" if country == "DE" else f"{doc} LESS {cut:.2f} {words}"
            rows, ded = [(k, amount)], [(k, cut)]
        elif kind == "short_unexplained":
            cut = round(amount * rng.choice([0.012, 0.025, 0.04, 0.075]), 2)
            if cut <= min(25.0, amount * 0.005) + 0.01:
                continue
            amount = round(amount - cut, 2)
            text = f"INV {doc}"
            rows, ded = [(k, amount)], [(k, cut)]
        elif kind in ("advice_bulk", "advice_deduction"):
            if kind == "advice_bulk" and country != "DE":
                continue
            many = mine[: rng.randint(20, 200)] if kind == "advice_bulk" else mine[: rng.randint(2, 5)]
            if len(many) < 2:
                continue
            rows, total = [], 0.0
            for j, x in enumerate(many):
                gross = inv_rows[x]["open_amount"]
                if kind == "advice_bulk":
                    inv_rows[x]["invoice_date"] = pd.Timestamp(AS_OF - dt.timedelta(days=rng.randint(3, 9)))
                    cut, why = round(gross * 0.02, 2), "Skonto 2%"
                    if c["early_discount_pct"]:
                        cut, why = round(gross * 0.03, 2), "Skonto 3%"
                elif j == 0:
                    cut, why = round(min(gross * 0.1, 40.0), 2), rng.choice(["FRACHT", "damaged goods", "price"])
                    ded = [(x, cut)]
                else:
                    cut, why = 0.0, ""
                paid = round(gross - cut, 2)
                rows.append((x, paid))
                total += paid
                advices.append({"payment_id": pid, "invoice_id": inv_rows[x]["invoice_id"], "paid_amount": paid,
                                "deduction_amount": cut or None, "reason": why, "source": "ssc"})
            amount = round(total, 2)
            text = f"AVIS {rng.randint(10**5, 10**6)} SAMMELZAHLUNG"
        elif kind == "ctx_edi":
            if country != "US":
                continue
            more = [x for x in mine if x != k][: rng.randint(0, 3)]
            rows = [(x, inv_rows[x]["open_amount"]) for x in [k, *more]]
            segs = "".join(f"RMR*IV*{inv_rows[x]['invoice_id']}*PI*{a:.2f}*{a:.2f}~" for x, a in rows)
            amount = round(sum(a for _, a in rows), 2)
            text = f"CTX {c['base'].upper()[:16]} ISA*00~ST*820*0001~BPR*C*{amount:.2f}*C*ACH*CTX~{segs}SE*9*0001~"
        elif kind == "lockbox":
            if country != "US":
                continue
            batch, item, check = rng.randint(1, 40), rng.randint(1, 99), rng.randint(1000, 99999)
            add_item(c, round(rng.uniform(20, 90), 2), credit=True, at=batch * 1000 + item)  # CM0bbiii: a trap
            text = f"LOCKBOX 0041 BATCH {batch:03d} ITEM {item:03d} CHK {check}"
            advices.append({"payment_id": pid, "invoice_id": doc, "paid_amount": amount, "deduction_amount": None,
                            "reason": "", "source": "lockbox stub"})
            payer, account = c["base"].upper()[:35], ""
        elif kind == "rf_name":
            if country != "NL":
                continue
            rf = inv_rows[k]["creditor_reference"]
            spaced = " ".join(rf[j:j + 4] for j in range(0, len(rf), 4))
            text = f"{spaced} {c['base'].upper()}"
            payer, account = "", ""
        elif kind == "series_collision":
            if country != "ES":
                continue
            at = int(doc[-6:])
            add_item(c, round(rng.uniform(20, 200), 2), credit=True, at=at)  # AV2026-<same digits>
            fee = 1.20
            if fee > amount * 0.005:
                continue
            amount = round(amount - fee, 2)
            text = f"V/FACT {doc[2:]}"
        elif kind == "credit_unnamed":
            credit = add_item(c, round(min(rng.uniform(10, 60), amount * 0.3), 2), credit=True)
            rows.append((credit, inv_rows[credit]["open_amount"]))
            amount = round(amount + inv_rows[credit]["open_amount"], 2)
            text = f"INV {doc}"
        elif kind == "po_deliveries":
            if country not in ("US", "UK"):
                continue
            po = f"PO 45{rng.randint(10**7, 10**8 - 1)}"
            parts = [add_item(c, round(rng.uniform(800, 4000), 2), ref=po) for _ in range(3)]
            residual = add_item(c, 8.33, ref=po)
            used.add(residual)
            rows = [(x, inv_rows[x]["open_amount"]) for x in parts]
            amount = round(sum(a for _, a in rows), 2)
            text = po
        elif kind == "shared_iban":
            index = cust.index(c)
            if index % 50 not in (0, 1) or not c["iban"]:
                continue
            account = c["iban"]
            text = f"INV {doc}"
        elif kind == "ultimate_debtor":
            payer, account = rng.choice(FACTORS), ""
            text = (f"{doc} ABWA+{c['base'].upper()}" if country == "DE"
                    else f"{doc} | on behalf of: {c['base']} {c['form']}")
        elif kind == "instructed_charges":
            if country not in ("UK", "US"):
                continue
            fee = rng.choice([25.0, 30.0, 45.0])
            if fee >= amount * 0.5:
                continue
            text = f"/INV/{doc} /OCMT/{c['currency']}{amount:.2f}/ /CHGS/{c['currency']}{fee:.2f}/"
            amount = round(amount - fee, 2)
        elif kind == "customer_number":
            text = f"KD-NR. {c['customer_id']} ZAHLUNG"
            payer, account = "", ""
            same = [x for x in free(c["customer_id"]) if inv_rows[x]["open_amount"] == amount]
            if len(same) != 1:
                continue
        elif kind == "unidentified":
            payer = f"{rng.choice(['ALPINE', 'COASTAL', 'VERTEX', 'SUMMIT'])} {rng.choice(['TRADING', 'GROUP'])}"
            text, account, rows = rng.choice(["", "PAYMENT", "ZAHLUNG"]), "", []
        else:
            continue
        shown_payer, shown_text = label(c, text)
        if payer is None:
            payer = shown_payer
        else:
            shown_text = text
        used.update(x for x, _ in rows)
        pays.append({"payment_id": pid, "payment_date": pd.Timestamp(AS_OF - dt.timedelta(days=rng.randint(0, 3))),
                     "amount": round(amount, 2), "currency": c["currency"], "payer_name": payer,
                     "payer_account": account, "remittance": shown_text, "customer_id": ""})
        if kind in MUST_NOT_AUTO:
            truth.append({"payment_id": pid, "invoice_id": "", "amount": 0.0, "class": kind})
        else:
            truth += [{"payment_id": pid, "invoice_id": inv_rows[x]["invoice_id"], "amount": a, "class": kind}
                      for x, a in rows]
        deductions += [{"payment_id": pid, "invoice_id": inv_rows[x]["invoice_id"], "amount": a} for x, a in ded]
    invoices_frame = pd.DataFrame(inv_rows).drop_duplicates("invoice_id").reset_index(drop=True)
    customers_frame = pd.DataFrame(cust)[["customer_id", "customer_name", "aliases", "iban", "parent_id",
                                          "early_discount_pct", "early_discount_days"]]
    return {"invoices": invoices_frame.drop(columns=["company"]), "payments": pd.DataFrame(pays),
            "customers": customers_frame, "cleared": pd.DataFrame(cleared_rows), "advices": pd.DataFrame(advices),
            "truth": pd.DataFrame(truth), "deductions": pd.DataFrame(deductions, columns=["payment_id", "invoice_id",
                                                                                         "amount"])}
