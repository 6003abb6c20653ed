"""Realistic synthetic AR data with ground truth, from a fixed seed.

Used for the demo workbook and for benchmarks. Customers in ES/IT/FR/EN/DE/RO with legal
forms, valid IBANs, groups and trade-name aliases; open invoices and credit notes; bank lines
whose remittances are as messy as real ones (see :data:`PAYMENT_CLASSES`); delivered orders
partly billed. Every bank line records what it really pays in ``truth``.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from dataclasses import dataclass
from typing import Any

import pandas as pd

NAME_PARTS = {
    "es": (["Distribuciones", "Talleres", "Construcciones", "Suministros", "Comercial", "Transportes",
            "Industrias", "Almacenes", "Servicios", "Ferretería"],
           ["García", "Martínez", "López", "Sánchez", "Fernández", "Ruiz", "Navarro", "Ibérica", "del Norte",
            "Levante"], ["S.L.", "S.A.", "S.L.U."], "ES"),
    "it": (["Ferramenta", "Alimentari", "Costruzioni", "Trasporti", "Forniture", "Officine", "Commerciale",
            "Industrie", "Elettronica", "Logistica"],
           ["Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Conti", "Esposito"],
           ["S.r.l.", "S.p.A.", "S.n.c."], "IT"),
    "fr": (["Boulangerie", "Transports", "Établissements", "Menuiserie", "Distribution", "Société", "Ateliers",
            "Garage", "Imprimerie", "Laboratoires"],
           ["Dupont", "Martin", "Bernard", "Moreau", "Lefèvre", "Laurent", "Girard", "Roux", "Fournier",
            "Mercier"], ["SARL", "SAS", "SA", "EURL"], "FR"),
    "en": (["Northwind", "Acme", "Riverside", "Pennine", "Harbour", "Summit", "Crown", "Oakfield", "Bridgewater",
            "Kingsway"],
           ["Traders", "Components", "Logistics", "Engineering", "Supplies", "Foods", "Holdings", "Systems",
            "Packaging", "Retail"], ["Ltd", "PLC", "Limited"], "GB"),
    "de": (["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann",
            "Schäfer"],
           ["Maschinenbau", "Logistik", "Elektrotechnik", "Handel", "Metallbau", "Lebensmittel", "Bautechnik",
            "Kunststofftechnik", "Anlagenbau", "Medizintechnik"], ["GmbH", "AG", "GmbH & Co. KG"], "DE"),
    "ro": (["Transport", "Construct", "Agro", "Comert", "Industrial"],
           ["Ionescu", "Popescu", "Dumitru", "Stan", "Stoica"], ["S.R.L.", "S.A."], "RO"),
}
PLACES = {
    "es": ["Madrid", "Valencia", "Sevilla", "Bilbao", "Zaragoza", "Murcia", "Toledo", "Vigo", "Gijón", "Cádiz",
           "Burgos", "León", "Málaga", "Alicante", "Córdoba"],
    "it": ["Milano", "Torino", "Bologna", "Verona", "Napoli", "Genova", "Firenze", "Bari", "Padova", "Brescia",
           "Parma", "Modena", "Lecce", "Trento", "Udine"],
    "fr": ["Lyon", "Lille", "Nantes", "Rennes", "Bordeaux", "Toulouse", "Nice", "Dijon", "Reims", "Metz",
           "Brest", "Tours", "Nancy", "Rouen", "Grenoble"],
    "en": ["Leeds", "Bristol", "Derby", "York", "Cardiff", "Glasgow", "Norwich", "Exeter", "Bath", "Hull",
           "Dundee", "Luton", "Reading", "Slough", "Swindon"],
    "de": ["Köln", "Bremen", "Dresden", "Leipzig", "Hannover", "Mainz", "Kassel", "Essen", "Ulm", "Trier",
           "Bonn", "Kiel", "Jena", "Passau", "Fulda"],
    "ro": ["Cluj", "Iasi", "Brasov", "Arad", "Sibiu", "Oradea", "Pitesti", "Bacau", "Suceava", "Galati"],
}
LANGUAGE_WEIGHTS = {"es": 30, "it": 25, "fr": 20, "en": 15, "de": 7, "ro": 3}
COLLECTORS = {"es": "Ana López", "it": "Marco Ferri", "fr": "Claire Moreau", "en": "James Walsh",
              "de": "Jonas Keller", "ro": "Ioana Radu"}
KEYWORDS = {"es": ["Fra.", "Factura", "FRA", "Fact.", "N/Fra"], "it": ["Fatt.", "Fattura", "FT", "Fatt. n."],
            "fr": ["Facture", "Fact.", "FACT", "Fac"], "en": ["Inv", "Invoice", "INV", "Inv."],
            "de": ["Rechnung", "RG", "Re.", "Rg.-Nr."], "ro": ["Factura", "Fact.", "FF"]}
BANK_PREFIXES = ["", "", "", "ORDENANTE: ", "SEPA CT ", "VIR SEPA ", "BONIFICO DA ", "GUTSCHRIFT ", "TRF FROM "]
OCR_SLIPS = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}
DISPUTES = ["PRICING", "QUANTITY", "DAMAGED", "DUPLICATE", "MISSING_PO", "TAX"]

# Payment classes and their share of bank lines (see docs/cash-application.md for the why).
PAYMENT_CLASSES = {
    "exact_ref": 0.30,          # one invoice, its number in the text, exact amount
    "noisy_ref": 0.18,          # number mangled: prefix dropped, zeros stripped, split, OCR slip
    "multi_ref": 0.12,          # several invoices listed (or a range), exact sum
    "name_amount": 0.10,        # no reference; payer name and exact amount of one invoice
    "name_subset": 0.05,        # no reference; pays a unique subset of the customer's items
    "short_pay": 0.06,          # reference; bank fee deducted (within tolerance)
    "discount": 0.04,           # reference; early-payment discount taken
    "partial": 0.04,            # reference; pays part of the invoice on purpose
    "overpay": 0.03,            # reference; pays more than the invoice
    "credit_netted": 0.02,      # invoices minus a credit note, both referenced
    "unidentified": 0.04,       # unknown payer, no usable reference
    "ambiguous": 0.02,          # no reference, two open items of the same amount
}


@dataclass
class Dataset:
    customers: pd.DataFrame
    invoices: pd.DataFrame
    payments: pd.DataFrame
    orders: pd.DataFrame
    truth: pd.DataFrame
    """One row per (payment_id, invoice_id, amount) the payment really pays; class per payment."""
    as_of: dt.date
    sales: pd.DataFrame


# (bank codes, branch digits, account digits) per country: real bank codes, random accounts
IBAN_PARTS = {"ES": (("2100", "0049", "0182", "0081"), 4, 10), "IT": (("05428", "03069", "02008"), 5, 12),
              "FR": (("30004", "30006", "10278"), 5, 11), "GB": (("NWBK", "BARC", "HBUK", "LOYD"), 6, 8),
              "DE": (("37040044", "50010517", "10020030"), 0, 10), "RO": (("BTRL", "RNCB", "BRDE"), 0, 16)}


def iban(rng: random.Random, country: str) -> str:
    """A valid IBAN for ``country`` (national structure and check digits, via schwifty)."""
    from schwifty import IBAN

    banks, branch_digits, account_digits = IBAN_PARTS[country]
    digits = lambda n: "".join(rng.choice(string.digits) for _ in range(n))  # noqa: E731
    return str(IBAN.generate(country, bank_code=rng.choice(banks), account_code=digits(account_digits),
                             branch_code=digits(branch_digits)))


def rf_reference(body: str) -> str:
    """An ISO 11649 creditor reference ``RFkk…`` for ``body``."""
    numeric = "".join(str(int(c, 36)) for c in body.upper() + "RF00")
    return f"RF{98 - int(numeric) % 97:02d}{body.upper()}"


def _customers(rng: random.Random, n: int) -> pd.DataFrame:
    rows, names = [], set()
    languages = list(LANGUAGE_WEIGHTS)
    for i in range(n):
        lang = rng.choices(languages, weights=list(LANGUAGE_WEIGHTS.values()))[0]
        first, second, forms, country = NAME_PARTS[lang]
        name = f"{rng.choice(first)} {rng.choice(second)} {rng.choice(forms)}"
        while name in names or (rng.random() < 0.5 and n > 300):  # larger masters: more distinct names
            place = rng.choice(PLACES[lang] + ["Hermanos", "Nord", "Sud", "Group", "Est"])
            name = f"{rng.choice(first)} {rng.choice(second)} {place} {rng.choice(forms)}"
            if name not in names:
                break
        names.add(name)
        words = name.split()
        alias = f"{words[1].upper()} {words[0][:4].upper()}" if rng.random() < 0.15 else ""
        ibans = [iban(rng, country) for _ in range(rng.choice([1, 1, 1, 2]))] if rng.random() < 0.8 else []
        rows.append({
            "customer_id": f"C{10001 + i}", "customer_name": name, "aliases": alias, "iban": ";".join(ibans),
            "language": lang,
            "email": f"ap@{''.join(c for c in ''.join(words[:2]).lower() if c.isascii() and c.isalnum())}.example",
            "collector": COLLECTORS[lang], "credit_limit": float(rng.choice([5000, 10000, 25000, 50000, 100000])),
            "payment_terms_days": rng.choice([30, 30, 45, 60, 60, 90]), "country": country, "parent_id": "",
        })
    for row in rows[5::17]:  # some group members whose parent pays for them
        row["parent_id"] = rows[0]["customer_id"] if row is not rows[0] else ""
    return pd.DataFrame(rows)


def _amount(rng: random.Random) -> float:
    return round(min(max(rng.lognormvariate(7.2, 1.1), 35.0), 95000.0), 2)


def _invoices(rng: random.Random, customers: pd.DataFrame, n: int, as_of: dt.date) -> pd.DataFrame:
    rows = []
    weights = [rng.paretovariate(1.2) for _ in range(len(customers))]
    cust = customers.to_dict("records")
    last_amount: dict[str, float] = {}
    for i in range(n):
        c = rng.choices(cust, weights=weights)[0]
        credit = rng.random() < 0.05
        issued = as_of - dt.timedelta(days=int(min(rng.expovariate(1 / 55), 400)))
        amount = -round(_amount(rng) / 4, 2) if credit else _amount(rng)
        if not credit and c["customer_id"] in last_amount and rng.random() < 0.08:
            amount = last_amount[c["customer_id"]]  # recurring fee: same amount as last month
        if not credit:
            last_amount[c["customer_id"]] = amount
        open_amount = amount
        if not credit and rng.random() < 0.06:
            open_amount = round(amount * rng.choice([0.5, 0.3, 0.75]), 2)
        currency = "GBP" if c["country"] == "GB" else ("USD" if rng.random() < 0.03 else "EUR")
        reference = rng.choice(["", "", f"PO-{rng.randint(10000, 99999)}", f"OC {as_of.year}/{rng.randint(1, 999)}",
                                rf_reference(f"{i + 1:08d}") if rng.random() < 0.3 else ""])
        rows.append({
            "invoice_id": f"CN-{issued.year}-{i + 1:05d}" if credit else f"INV-{issued.year}-{i + 1:05d}",
            "customer_id": c["customer_id"], "customer_name": c["customer_name"],
            "invoice_date": issued, "due_date": issued + dt.timedelta(days=int(c["payment_terms_days"])),
            "currency": currency, "amount": amount, "open_amount": open_amount, "reference": reference,
            "doc_type": "CRN" if credit else "INV",
            "order_id": f"SO-{rng.randint(50000, 59999)}" if rng.random() < 0.3 else "",
            "dispute_code": rng.choice(DISPUTES) if not credit and rng.random() < 0.03 else "", "collector": "",
        })
    frame = pd.DataFrame(rows)
    frame["invoice_date"] = pd.to_datetime(frame["invoice_date"])
    frame["due_date"] = pd.to_datetime(frame["due_date"])
    return frame


def mangle_reference(rng: random.Random, invoice_id: str) -> str:
    """What customers do to our invoice numbers."""
    prefix, year, number = invoice_id.split("-")
    style = rng.randrange(7)
    if style == 0:
        return number.lstrip("0")                       # 00451 → 451
    if style == 1:
        return f"{year[2:]}/{number}"                   # 26/00451
    if style == 2:
        return f"{prefix}{year}{number}"                # INV202600451
    if style == 3:
        digits = f"{year}{number}"
        return f"{digits[:4]} {digits[4:]}"             # 2026 00451
    if style == 4:
        chars = list(f"{year}{number}")
        k = rng.choice([i for i, d in enumerate(chars) if d in OCR_SLIPS] or [0])
        chars[k] = OCR_SLIPS.get(chars[k], chars[k])
        return f"{prefix}-{''.join(chars[:4])}-{''.join(chars[4:])}"   # one OCR slip
    if style == 5:
        return invoice_id.lower().replace("-", " ")
    return f"{prefix[0]}{year[2:]}-{number}"            # I26-00451


def _payer(rng: random.Random, name: str) -> str:
    text = name
    if rng.random() < 0.3:
        text = text.upper()
    if rng.random() < 0.2:
        text = " ".join(text.split()[:-1])               # legal form dropped
    text = rng.choice(BANK_PREFIXES) + text
    return text[:35]                                     # SEPA name truncation


def _remittance(rng: random.Random, lang: str, refs: list[str], extra: str = "") -> str:
    keyword = rng.choice(KEYWORDS[lang])
    joiner = rng.choice([", ", " ", "; ", " + ", " y " if lang == "es" else " e " if lang == "it" else " et "
                         if lang == "fr" else " and "])
    text = f"{keyword} {joiner.join(refs)}" if refs else ""
    return f"{text} {extra}".strip()[:140]


def _payments(rng: random.Random, invoices: pd.DataFrame, customers: pd.DataFrame, n: int,
              as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    cust = customers.set_index("customer_id")
    open_inv = invoices[(invoices["doc_type"] == "INV") & (invoices["dispute_code"] == "")]
    by_customer: dict[Any, pd.DataFrame] = {k: g for k, g in open_inv.groupby("customer_id")}
    credits: dict[Any, pd.DataFrame] = {k: g for k, g in invoices[invoices["doc_type"] == "CRN"].groupby("customer_id")}
    used: set[str] = set()
    payments: list[dict] = []
    truth: list[dict] = []
    classes = list(PAYMENT_CLASSES)
    weights = list(PAYMENT_CLASSES.values())
    customer_ids = sorted(by_customer)
    k = -1
    while len(payments) < n and k < 3 * n:
        k += 1
        kind = rng.choices(classes, weights=weights)[0]
        pid = f"BK{as_of:%y%m%d}{k + 1:05d}"
        date = as_of - dt.timedelta(days=rng.randint(0, 6))
        cid = rng.choice(customer_ids)
        items: list[Any] = [r for r in by_customer[cid].itertuples() if r.invoice_id not in used]
        c: Any = cust.loc[cid]
        lang = c["language"]
        account = c["iban"].split(";")[0] if c["iban"] and rng.random() < 0.7 else ""
        payer = _payer(rng, c["customer_name"] if not (c["aliases"] and rng.random() < 0.5) else c["aliases"])
        chosen, amount, refs, extra = [], 0.0, [], ""
        if kind == "multi_ref" and len(items) >= 2:
            chosen = rng.sample(items, min(len(items), rng.randint(2, 4)))
        elif kind == "name_subset" and len(items) >= 2:
            chosen = rng.sample(items, 2)
        elif kind == "credit_netted" and cid in credits and items:
            credit = credits[cid].iloc[0]
            inv = max(items, key=lambda r: r.open_amount)
            if inv.open_amount + credit["open_amount"] > 0 and credit["invoice_id"] not in used:
                chosen = [inv]
                used.add(credit["invoice_id"])
                truth.append({"payment_id": pid, "invoice_id": credit["invoice_id"],
                              "amount": credit["open_amount"], "class": kind})
                amount = credit["open_amount"]
                refs.append(credit["invoice_id"])
        elif kind == "ambiguous":
            pair = _same_amount_pair(by_customer[cid], used)
            if pair is not None:
                used.update((pair[0].invoice_id, pair[1].invoice_id))
                payments.append(_line(pid, date, pair[0].open_amount, pair[0].currency, payer, account,
                                      rng.choice(["Pago pendiente", "Payment", "Pagamento fatture", "Règlement",
                                                  "Zahlung"])))
                truth.append({"payment_id": pid, "invoice_id": "", "amount": 0.0, "class": kind})
                continue
            kind = "unidentified"
        if kind == "unidentified":
            payments.append(_line(pid, date, _amount(rng), "EUR", _payer(rng, rng.choice(
                ["Particular Juan Pérez", "M ROSSI GIOVANNI", "Cabinet Notarial Vidal", "J SMITH", "KASSE"])),
                "", rng.choice(["", "Transferencia", "Pago", "ref 88231", "Versamento", "Virement", "Zahlung 4711"])))
            truth.append({"payment_id": pid, "invoice_id": "", "amount": 0.0, "class": kind})
            continue
        if not chosen:
            if not items:
                continue
            chosen = [rng.choice(items)]
            if kind in ("multi_ref", "name_subset", "credit_netted"):
                kind = "exact_ref"
        if kind == "name_amount":
            twins = [r for r in items if r.open_amount == chosen[0].open_amount and r.currency == chosen[0].currency]
            if len(twins) > 1:  # without a reference nobody can tell which one is paid
                kind = "ambiguous"
                used.update(r.invoice_id for r in twins)
        currency = chosen[0].currency
        chosen = [r for r in chosen if r.currency == currency]
        used.update(r.invoice_id for r in chosen)
        pays = {r.invoice_id: r.open_amount for r in chosen}
        total = round(sum(pays.values()) + amount, 2)
        inv = chosen[0]
        if kind == "short_pay":
            total = round(total - rng.choice([1.5, 3.0, 7.5, 12.0]), 2)
        elif kind == "discount":
            total = round(total * (1 - rng.choice([0.01, 0.02, 0.03])), 2)
            # the discount is taken by paying early: within the 10-day window of the invoice
            date = min(date, max(r.invoice_date for r in chosen).date() + dt.timedelta(days=6)) \
                if hasattr(max(r.invoice_date for r in chosen), "date") else date
        elif kind == "partial":
            total = round(inv.open_amount * rng.choice([0.5, 0.25, 0.4]), 2)
            pays[inv.invoice_id] = total
        elif kind == "overpay":
            total = round(total + rng.choice([50.0, 100.0, 250.0]), 2)
        if kind == "noisy_ref":
            refs += [mangle_reference(rng, r.invoice_id) for r in chosen]
        elif kind in ("name_amount", "name_subset", "ambiguous"):
            extra = rng.choice(["", "Pago proveedores", "Pagamento", "Paiement fournisseur", "Payment", "Zahlung"])
        elif kind == "multi_ref" and len(chosen) >= 3 and rng.random() < 0.3:
            refs += [r.invoice_id for r in chosen]
        else:
            refs += [r.invoice_id if rng.random() < 0.6 else mangle_reference(rng, r.invoice_id) for r in chosen]
            if inv.reference.startswith("RF") and rng.random() < 0.5 and kind == "exact_ref":
                refs = [inv.reference]
        if kind in ("exact_ref", "short_pay") and rng.random() < 0.1:
            extra = rng.choice(['=HYPERLINK("http://x","y")', "+34 600 000 000", "@ref", "-- see advice --"])
        payments.append(_line(pid, date, total, currency, payer, account, _remittance(rng, lang, refs, extra)))
        truth += [{"payment_id": pid, "invoice_id": i, "amount": a, "class": kind} for i, a in pays.items()]
    pay = pd.DataFrame(payments)
    pay["payment_date"] = pd.to_datetime(pay["payment_date"])
    return pay, pd.DataFrame(truth)


def _same_amount_pair(items: pd.DataFrame, used: set[str]):
    free: list[Any] = [r for r in items.itertuples() if r.invoice_id not in used]
    seen: dict[tuple[float, str], object] = {}
    for r in free:
        key = (r.open_amount, r.currency)
        if key in seen:
            return seen[key], r
        seen[key] = r
    return None


def _line(pid, date, amount, currency, payer, account, remittance) -> dict:
    return {"payment_id": pid, "payment_date": date, "amount": round(amount, 2), "currency": currency,
            "payer_name": payer, "payer_account": account, "remittance": remittance, "customer_id": ""}


def _orders(rng: random.Random, customers: pd.DataFrame, invoices: pd.DataFrame, n: int,
            as_of: dt.date) -> pd.DataFrame:
    rows = []
    linked = invoices.loc[invoices["order_id"] != ""].drop_duplicates("order_id")
    r: Any
    for r in linked.head(n // 2).itertuples():
        rows.append({"order_id": r.order_id, "customer_id": r.customer_id,
                     "delivery_date": r.invoice_date - dt.timedelta(days=rng.randint(0, 10)),
                     "amount": round(r.amount * rng.choice([1.0, 1.0, 1.5, 2.0]), 2), "billed_amount": None,
                     "currency": r.currency, "project": ""})
    ids = customers["customer_id"].tolist()
    for k in range(n - len(rows)):
        amount = _amount(rng)
        rows.append({"order_id": f"SO-{60000 + k}", "customer_id": rng.choice(ids),
                     "delivery_date": pd.Timestamp(as_of - dt.timedelta(days=int(rng.expovariate(1 / 25)))),
                     "amount": amount, "billed_amount": rng.choice([0.0, 0.0, round(amount / 2, 2), amount]),
                     "currency": "EUR", "project": rng.choice(["", "Rollout 2026", "Mantenimiento", "Assistenza"])})
    frame = pd.DataFrame(rows)
    frame["delivery_date"] = pd.to_datetime(frame["delivery_date"])
    return frame


def make_dataset(seed: int = 2026, customers: int = 120, invoices: int = 2000, payments: int = 300,
                 orders: int = 150, as_of: dt.date = dt.date(2026, 11, 30)) -> Dataset:
    """Build a whole synthetic ledger; same seed and sizes → same data."""
    rng = random.Random(seed)
    cust = _customers(rng, customers)
    inv = _invoices(rng, cust, invoices, as_of)
    pay, truth = _payments(rng, inv, cust, payments, as_of)
    ords = _orders(rng, cust, inv, orders, as_of)
    return Dataset(cust, inv, pay, ords, truth, as_of, _sales(rng, inv, as_of))


def _sales(rng: random.Random, invoices: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Monthly credit sales per currency for the 12 months to ``as_of``: what was invoiced that month,
    open or since paid (paid invoices are not in the open-items list, so sales exceed it)."""
    rows = []
    end = pd.Timestamp(as_of)
    for k in range(12):
        begin = end - pd.DateOffset(months=1)
        month = invoices.loc[(invoices["invoice_date"] > begin) & (invoices["invoice_date"] <= end)]
        for currency in ("EUR", "GBP", "USD"):
            listed = month.loc[month["currency"] == currency, "amount"].sum()
            base = max(listed, 0) + {"EUR": 950000, "GBP": 140000, "USD": 30000}[currency] * (1 + k / 12)
            rows.append({"date": end, "amount": round(base * rng.uniform(1.05, 1.25), 2), "currency": currency})
        end = begin
    return pd.DataFrame(rows)
