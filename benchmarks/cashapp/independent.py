"""A second, independent generator for the cash-application benchmark.

Written apart from ``otc_xl.demo.synth`` (which the engine was built with): other vocabularies and
countries (PT, NL, RO, UK, DE, PL firms), other numbering schemes (``FT A/2026/000123``,
``2026-00123``, ``F26/0123``, ``RO20260000123``, plain ``100012345``), bank labels laid out as
Portuguese, Dutch, Romanian, British and German banks write them, and the traps found on real data:
sibling customers that differ by legal form or word order, payment providers as payers, order and
PO numbers in the text, the same digits in two numbering schemes, references one keystroke off,
late (unearned) discounts, partial payments of another customer's invoice, invoices paid
elsewhere, remainders equal to an unnamed invoice, dates and amounts written in the text.

``make_independent(seed)`` returns (invoices, payments, customers, truth); ``truth`` has one row
per (payment, invoice) that should be applied automatically, and for the classes in
``MUST_NOT_AUTO`` one row with an empty invoice: any automatic application there is false.
"""

from __future__ import annotations

import datetime as dt
import random
import string

import pandas as pd

AS_OF = dt.date(2026, 11, 30)
WORDS = {
    "PT": (["Ribeiro", "Almeida", "Carvalho", "Sousa", "Pinto", "Moreira", "Teixeira", "Correia"],
           ["Construções", "Transportes", "Metalúrgica", "Têxteis", "Vinhos", "Cerâmicas"],
           ["Lda", "S.A.", "Unipessoal Lda"]),
    "NL": (["Van der Berg", "De Groot", "Bakker", "Visser", "Smit", "Mulder", "De Vries", "Jansen"],
           ["Installatietechniek", "Logistiek", "Bouw", "Handelsonderneming", "Metaalwerken"],
           ["B.V.", "N.V.", "V.O.F."]),
    "RO": (["Popescu", "Ionescu", "Dumitru", "Stan", "Gheorghe", "Munteanu", "Dunarea", "Carpati"],
           ["Tehnoplast", "Agro", "Construct", "Trans", "Prod Impex", "Comserv"], ["S.R.L.", "S.A.", "SRL"]),
    "UK": (["Whitfield", "Harrow", "Pennington", "Ashdown", "Kingsley", "Thornbury", "Oakham", "Bramley"],
           ["Engineering", "Fabrication", "Plastics", "Haulage", "Joinery", "Electrical"],
           ["Ltd", "PLC", "LLP", "Limited"]),
    "DE": (["Brandt", "Schulte", "Kruger", "Hofmann", "Lehmann", "Vogel", "Hartmann", "Lorenz"],
           ["Kältetechnik", "Metallbau", "Fördertechnik", "Elektro", "Holzbau", "Anlagenbau"],
           ["GmbH", "GmbH & Co. KG", "AG", "e.K."]),
    "PL": (["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski"],
           ["Budownictwo", "Transport", "Stal", "Drewno", "Instalacje"], ["Sp. z o.o.", "S.A.", "sp.k."]),
}
SYLLABLES = {  # per country: name starts and endings, to build surnames beyond the lists above
    "PT": (["Al", "Bar", "Cas", "Dor", "Fer", "Gal", "Lou", "Mar", "Nor", "Pal", "Ros", "Sal", "Tor", "Val"],
           ["eiro", "ado", "inho", "elo", "ares", "ada", "ães"]),
    "NL": (["Van ", "De ", "Ter ", "Ver "], ["Hoek", "Dijk", "Berg", "Meer", "Veld", "Bosch", "Kamp", "Laan", "Stra",
                                           "Wijk", "Linden", "Broek"]),
    "RO": (["Con", "Dra", "Flo", "Ghe", "Mir", "Pet", "Rad", "Sor", "Tud", "Vas", "Zam", "Bal"],
           ["escu", "eanu", "ache", "oiu", "ila", "aru"]),
    "UK": (["Ash", "Brook", "Clay", "Dun", "Elm", "Fair", "Glen", "Hart", "Kings", "Lang", "Marsh", "North", "Oak",
            "Ridge"], ["ford", "ley", "wood", "field", "ton", "bury", "stead"]),
    "DE": (["Alt", "Berg", "Eich", "Feld", "Gross", "Hohen", "Kling", "Lind", "Mittel", "Neu", "Ober", "Stein"],
           ["mann", "hauser", "berger", "müller", "bach", "feld", "er"]),
    "PL": (["Bor", "Dab", "Jab", "Kra", "Lis", "Mal", "Pio", "Sob", "Wol", "Zal"],
           ["owski", "ewicz", "czak", "iński", "ecki", "ak"]),
}


def _surname(rng: random.Random, country: str) -> str:
    listed = WORDS[country][0]
    if rng.random() < 0.3:
        return rng.choice(listed)
    starts, ends = SYLLABLES[country]
    return rng.choice(starts) + rng.choice(ends)


PSP = ["PAYPAL (EUROPE) S.A R.L. ET CIE", "STRIPE PAYMENTS EUROPE LTD", "ADYEN N.V.", "KLARNA BANK AB",
       "MOLLIE B.V.", "SUMUP PAYMENTS"]
LABELS = {
    "PT": "TRF DE {payer} REF {text}", "NL": "/TRTP/SEPA OVERBOEKING/NAME/{payer}/REMI/{text}",
    "RO": "PLATA FACT {text} ORDONATOR {payer}", "UK": "FASTER PAYMENT {payer} REF {text}",
    "DE": "SEPA-GUTSCHRIFT {payer} SVWZ+{text}", "PL": "PRZELEW {payer} TYTUL {text}",
}
KEYWORD = {"PT": "Fatura", "NL": "Factuur", "RO": "Factura", "UK": "Invoice", "DE": "Rechnung", "PL": "Faktura"}
ORDER_WORD = {"PT": "ENCOMENDA", "NL": "ORDER", "RO": "COMANDA", "UK": "PO", "DE": "BESTELLUNG", "PL": "ZAMOWIENIE"}
CLASSES = {  # class: weight
    "ref_exact": 22, "ref_mangled": 10, "ref_multi": 7, "name_only": 9, "psp_payer": 5, "sibling_pay": 5,
    "short_fee": 5, "discount_early": 4, "discount_late": 3, "partial_own": 3, "foreign_partial": 3,
    "near_miss": 3, "order_number": 4, "remainder": 3, "overpay": 3, "unidentified": 4, "paid_elsewhere": 3,
    "twin_schemes": 3, "text_noise": 3,
}
MUST_NOT_AUTO = ("discount_late", "foreign_partial", "order_number", "unidentified", "paid_elsewhere")
"""Classes whose right answer is no automatic application at all (review or nothing)."""


def _scheme(rng: random.Random) -> str:
    return rng.choice(["FT {s}/{y}/{n:06d}", "{y}-{n:05d}", "F{yy}/{n:04d}", "RO{y}{n:07d}", "{big}"])


def _number(scheme: str, n: int, year: int = 2026, series: str = "A") -> str:
    return scheme.format(s=series, y=year, yy=str(year)[2:], n=n, big=100_000_000 + n)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _mangle(rng: random.Random, number: str) -> str:
    how = rng.randrange(5)
    if how == 0:
        return number.lower()
    if how == 1:
        return number.replace("/", " ").replace("-", " ")
    if how == 2:
        return number.replace("/", ".").replace("-", ".")
    if how == 3:  # prefix dropped
        return number.split("/", 1)[-1] if "/" in number else number.lstrip(string.ascii_letters)
    return number.replace("/", "")


def _payer_variant(rng: random.Random, name: str, form: str) -> str:
    base = name.upper()
    how = rng.randrange(4)
    if how == 0:
        return f"{base} {form.upper()}"[:35]
    if how == 1:
        return base[:35]
    if how == 2:  # words swapped, as some banks print surname first
        parts = base.split()
        return " ".join(parts[1:] + parts[:1])[:35] + f" {form.upper()}"[: max(0, 35 - len(base))]
    return f"{base} {form}"[:35]


def make_independent(seed: int = 21, customers: int = 2500, invoices: int = 50000, payments: int = 8000):
    rng = random.Random(seed)
    cust_rows, by_country = [], {}
    for i in range(customers):
        country = rng.choice(list(WORDS))
        surnames, trades, forms = WORDS[country]
        name = f"{_surname(rng, country)} {rng.choice(trades)}" + (f" {_surname(rng, country)}"
                                                                   if rng.random() < 0.5 else "")
        form = rng.choice(forms)
        cust_rows.append({"customer_id": f"K{i:05d}", "customer_name": f"{name} {form}", "base": name, "form": form,
                          "country": country, "aliases": "", "parent_id": "",
                          "iban": f"{country[:2]}{rng.randint(10, 99)}{rng.randint(10**15, 10**16 - 1)}"
                          if rng.random() < 0.5 else "", "scheme": _scheme(rng)})
    # siblings: same trading name, another legal form (or the words in another order)
    for i in range(0, customers, 40):
        a, b = cust_rows[i], cust_rows[i + 1]
        forms = WORDS[a["country"]][2]
        other = next((f for f in forms if f != a["form"]), a["form"] + " II")
        b.update(base=a["base"], form=other, country=a["country"], customer_name=f"{a['base']} {other}")
    for c in cust_rows:
        by_country.setdefault(c["country"], []).append(c)
    inv_rows, counter = [], {}
    for j in range(invoices):
        c = cust_rows[rng.randrange(customers)]
        counter[c["scheme"]] = counter.get(c["scheme"], 0) + 1
        issued = AS_OF - dt.timedelta(days=rng.randint(1, 150))
        amount = round(rng.choice([rng.lognormvariate(6.5, 1.1), rng.choice([100.0, 250.0, 500.0, 1000.0])])
                       if rng.random() < 0.1 else rng.lognormvariate(6.5, 1.1), 2)
        inv_rows.append({"invoice_id": _number(c["scheme"], counter[c["scheme"]] + 17 * (j % 3)), "customer_id":
                         c["customer_id"], "customer_name": c["customer_name"], "invoice_date": pd.Timestamp(issued),
                         "due_date": pd.Timestamp(issued + dt.timedelta(days=rng.choice([30, 45, 60]))),
                         "currency": "EUR", "amount": max(amount, 5.0), "open_amount": max(amount, 5.0),
                         "reference": ""})
    # the same digits in another numbering scheme, for another customer (two entities' series)
    for row in rng.sample(inv_rows, len(inv_rows) // 40):
        other = cust_rows[rng.randrange(customers)]
        if other["customer_id"] != row["customer_id"]:
            inv_rows.append({**row, "invoice_id": f"FV-{_digits(row['invoice_id'])}",
                             "customer_id": other["customer_id"],
                             "customer_name": other["customer_name"],
                             "open_amount": round(row["open_amount"] * rng.uniform(0.3, 2.0), 2)})
    inv = pd.DataFrame(inv_rows).drop_duplicates("invoice_id").reset_index(drop=True)
    inv["amount"] = inv["open_amount"]
    by_customer = {cid: g.index.tolist() for cid, g in inv.groupby("customer_id")}
    by_digits: dict[str, list[int]] = {}
    for k, number in enumerate(inv["invoice_id"]):
        by_digits.setdefault(_digits(number).lstrip("0"), []).append(k)
    used: set[int] = set()
    pays, truth = [], []
    names, weights = list(CLASSES), list(CLASSES.values())

    def free(cid: str) -> list[int]:
        return [k for k in by_customer.get(cid, []) if k not in used]

    def line(pid, amount, payer, text, country, account=""):
        label = LABELS[country].format(payer=payer, text=text)
        in_field = rng.random() < 0.75
        return {"payment_id": pid, "payment_date": pd.Timestamp(AS_OF - dt.timedelta(days=rng.randint(0, 4))),
                "amount": round(amount, 2), "currency": "EUR", "payer_name": payer if in_field else "",
                "payer_account": account, "remittance": label if not in_field else text, "customer_id": ""}

    n = 0
    while len(pays) < payments and n < payments * 4:
        n += 1
        kind = rng.choices(names, weights)[0]
        pid = f"IB{n:06d}"
        c = cust_rows[rng.randrange(customers)]
        mine = free(c["customer_id"])
        if not mine:
            continue
        k = rng.choice(mine)
        number, amount = inv.at[k, "invoice_id"], float(inv.at[k, "open_amount"])
        payer = _payer_variant(rng, c["base"], c["form"])
        account = c["iban"] if c["iban"] and rng.random() < 0.4 else ""
        word = KEYWORD[c["country"]]
        rows = [(k, amount)]
        if kind == "ref_exact":
            text = f"{word} {number}"
        elif kind == "ref_mangled":
            text = f"{word} {_mangle(rng, number)}"
        elif kind == "ref_multi":
            more = [x for x in mine if x != k][: rng.randint(1, 2)]
            if not more:
                continue
            rows += [(x, float(inv.at[x, "open_amount"])) for x in more]
            amount = round(sum(a for _, a in rows), 2)
            text = f"{word} " + rng.choice([", ", " + ", " & ", " / "]).join(inv.at[x, "invoice_id"] for x, _ in rows)
        elif kind == "name_only":
            text = rng.choice(["", "pagamento", "betaling", "plata", "payment", "Zahlung"])
        elif kind == "psp_payer":
            text = f"{c['base']} {word} {number}" if rng.random() < 0.5 else f"{c['base']} {c['form']}"
            payer, account = rng.choice(PSP), ""
        elif kind == "sibling_pay":
            index = int(c["customer_id"][1:])
            if index % 40 not in (0, 1):
                continue
            text = f"{word} {number}" if rng.random() < 0.5 else ""
            payer = f"{c['base'].upper()} {c['form'].upper()}" if rng.random() < 0.5 else c["base"].upper()
        elif kind == "short_fee":
            text = f"{word} {number}"
            amount = round(amount - rng.choice([0.35, 1.20, 2.50, 4.90]), 2)
            if amount < float(inv.at[k, "open_amount"]) * 0.995 - 0.01:
                continue  # a fee is a small share of the invoice (within the 0.5 % tolerance)
        elif kind in ("discount_early", "discount_late"):
            text = f"{word} {number}"
            amount = round(amount * 0.98, 2)
            days = rng.randint(2, 8) if kind == "discount_early" else rng.randint(25, 90)
            inv.at[k, "invoice_date"] = pd.Timestamp(AS_OF - dt.timedelta(days=days + 2))
        elif kind == "partial_own":
            text = f"{word} {number} parcial"
            amount = round(amount * rng.choice([0.3, 0.5]), 2)
            rows = [(k, amount)]
        elif kind == "foreign_partial":
            other = rng.choice(cust_rows)
            if other["base"] == c["base"]:
                continue
            payer = _payer_variant(rng, other["base"], other["form"])
            account = ""
            text = f"{word} {number}"
            amount = round(amount * 0.4, 2)
        elif kind == "near_miss":
            digits = _digits(number)
            neighbours = [x for x in mine if x != k and len(_digits(inv.at[x, "invoice_id"])) == len(digits)
                          and sum(a != b for a, b in zip(_digits(inv.at[x, "invoice_id"]), digits)) == 1]
            if not neighbours:
                continue
            wrong = neighbours[0]
            text = f"{word} {inv.at[wrong, 'invoice_id']}"  # a slipped digit: names the neighbour
        elif kind == "order_number":
            text = f"{ORDER_WORD[c['country']]} {_digits(number)[-5:]}"
            payer, account = "", ""
        elif kind == "remainder":
            extra = [x for x in mine if x != k]
            if not extra:
                continue
            x = rng.choice(extra)
            rows.append((x, float(inv.at[x, "open_amount"])))
            amount = amount + float(inv.at[x, "open_amount"])
            text = f"{word} {number}"
        elif kind == "overpay":
            text = f"{word} {number}"
            amount = amount + rng.choice([13.37, 41.10, 77.77])
        elif kind == "unidentified":
            payer = f"{rng.choice(['NOMAD', 'ORBITAL', 'QUASAR', 'ZENITH'])} {rng.choice(['TRADING', 'HOLDINGS'])}"
            text, account = rng.choice(["", "betaling", "plata"]), ""
        elif kind == "paid_elsewhere":
            inv.at[k, "open_amount"] = 0.0  # already cleared in the ERP (paid by cheque)
            text = f"{word} {number}"
        elif kind == "twin_schemes":
            twins = by_digits.get(_digits(number).lstrip("0"), [])
            if len([t for t in twins if inv.at[t, "customer_id"] != c["customer_id"]]) < 1:
                continue
            text = f"{word} {_digits(number)}"
        elif kind == "text_noise":
            text = f"{word} {number} pago {AS_OF:%d/%m/%Y} {amount:,.2f} EUR".replace(",", "X").replace(
                ".", ",").replace("X", ".")
        else:
            continue
        used.update(x for x, _ in rows)
        pays.append(line(pid, amount, payer, text, c["country"], account))
        if kind in MUST_NOT_AUTO:
            truth.append({"payment_id": pid, "invoice_id": "", "amount": 0.0, "class": kind})
        else:
            truth += [{"payment_id": pid, "invoice_id": inv.at[x, "invoice_id"], "amount": a, "class": kind}
                      for x, a in rows]
    customers_frame = pd.DataFrame(cust_rows)[["customer_id", "customer_name", "aliases", "iban", "parent_id"]]
    return inv, pd.DataFrame(pays), customers_frame, pd.DataFrame(truth)
