"""Writers for bank statements in the layouts banks send (MT940, camt.05x, AEB Norma 43, CFONB 120,
CODA, BAI2, OFX): sample files with known receipts and totals. They build the test corpus
(``tests/fixtures/bank/corpus/make_corpus.py``), the round-trip property tests and the statement
benchmark (``python -m benchmarks.io.bench_bank_statements``), and know nothing of otc_xl's readers:
what they write is the expectation the readers are checked against.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape


@dataclass
class Line:
    """One booked movement: positive = credit (a receipt), negative = debit. A reversal keeps the
    direction of its own booking: a reversed credit is a negative amount with ``reversal`` (camt
    ``DBIT`` + ``RvslInd``, MT940 ``RC``)."""

    amount: Decimal
    date: dt.date
    payer: str = ""
    iban: str = ""
    text: str = ""
    reference: str = ""
    reversal: bool = False
    status: str = "BOOK"
    ultimate: str = ""
    batch: list[tuple[Decimal, str, str]] = field(default_factory=list)
    """(amount, payer, text) of each transaction of a batch credit (amounts add up to ``amount``)."""


def mt_amount(value: Decimal) -> str:
    return f"{abs(value):.2f}".replace(".", ",")


def mt940(statements: list[tuple[str, Decimal, list[Line]]], account: str = "DE89370400440532013000",
          currency: str = "EUR", details: str = "german", sep: str = "\n", closing_shift: Decimal = Decimal(0),
          header_blocks: bool = False) -> str:
    """MT940 text: one statement per (id, opening balance, lines). ``details``: german (``?20``…),
    dutch (``/NAME/…/REMI/``) or free. ``closing_shift`` falsifies the closing balance."""
    out = []
    if header_blocks:
        out.append("{1:F01BANKDEFFXXXX0000000000}{2:O9400000000000BANKDEFFXXXX00000000000000000000N}{4:")
    for number, (ident, opening, lines) in enumerate(statements, start=1):
        first = lines[0].date if lines else dt.date(2026, 11, 20)
        out += [f":20:{ident}", f":25:{account}", f":28C:{number:05d}/001",
                f":60F:{'C' if opening >= 0 else 'D'}{first:%y%m%d}{currency}{mt_amount(opening)}"]
        balance = opening
        for line in lines:
            mark = ("R" if line.reversal else "") + ("C" if (line.amount > 0) != line.reversal else "D")
            ref = line.reference or "NONREF"
            out.append(f":61:{line.date:%y%m%d}{line.date:%m%d}{mark}{mt_amount(line.amount)}NTRF{ref[:16]}")
            out.append(":86:" + _details(line, details))
            balance += -abs(line.amount) if mark in ("D", "RC") else abs(line.amount)
        last = lines[-1].date if lines else first
        balance += closing_shift
        out.append(f":62F:{'C' if balance >= 0 else 'D'}{last:%y%m%d}{currency}{mt_amount(balance)}")
        out.append("-")
    if header_blocks:
        out.append("-}")
    return sep.join(out) + sep


def _details(line: Line, style: str) -> str:
    if style == "dutch":
        body = (f"/TRTP/SEPA OVERBOEKING/IBAN/{line.iban}/BIC/ABNANL2A/NAME/{line.payer}/REMI/USTD//{line.text}/"
                "EREF/NOTPROVIDED")
        return "\n".join(body[i:i + 65] for i in range(0, len(body), 65))
    if style == "free":
        body = f"{line.payer} {line.text}".strip()
        return "\n".join(body[i:i + 65] for i in range(0, len(body), 65))
    purpose = f"SVWZ+{line.text}"
    chunks = [purpose[i:i + 27] for i in range(0, len(purpose), 27)] or [""]
    subfields = "".join(f"?{20 + k}{c}" for k, c in enumerate(chunks[:10]))
    name = line.payer[:27], line.payer[27:54]
    return (f"166?00GUTSCHRIFT{subfields}?30COBADEFFXXX?31{line.iban}?32{name[0]}"
            + (f"?33{name[1]}" if name[1] else ""))


def camt(statements: list[tuple[str, Decimal, list[Line]]], version: str = "053", schema: str = "08",
         account: str = "ES7921000813610123456789", currency: str = "EUR", account_ccy: str | None = None,
         balances: bool = True, closing_shift: Decimal = Decimal(0), tx_amount_path: str = "Amt") -> str:
    """A camt.052/053/054 document. ``tx_amount_path``: where batch transactions carry their
    amount: ``Amt`` (TxDtls/Amt), ``TxAmt`` or ``InstdAmt`` (AmtDtls/…)."""
    group, element = {"052": ("BkToCstmrAcctRpt", "Rpt"), "053": ("BkToCstmrStmt", "Stmt"),
                      "054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn")}[version]
    new_status = int(schema) >= 9
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.{version}.001.{schema}"><{group}>',
           "<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-11-21T08:00:00</CreDtTm></GrpHdr>"]
    for ident, opening, lines in statements:
        ccy = f"<Ccy>{account_ccy}</Ccy>" if account_ccy else ""
        out.append(f"<{element}><Id>{escape(ident)}</Id><Acct><Id><IBAN>{account}</IBAN></Id>{ccy}</Acct>")
        booked = opening
        for line in lines:
            if line.status == "BOOK":  # the amount's sign is the booking's direction, reversals too
                booked += line.amount
        if balances and version == "053":
            close = booked + closing_shift
            for code, value in (("OPBD", opening), ("CLBD", close)):
                out.append(f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{currency}\">"
                           f"{abs(value):.2f}</Amt><CdtDbtInd>{'CRDT' if value >= 0 else 'DBIT'}</CdtDbtInd>"
                           f"<Dt><Dt>2026-11-21</Dt></Dt></Bal>")
        for line in lines:
            out.append(_entry(line, currency, new_status, tx_amount_path))
        out.append(f"</{element}>")
    out.append(f"</{group}></Document>")
    return "\n".join(out) + "\n"


def _entry(line: Line, currency: str, new_status: bool, path: str) -> str:
    status = f"<Sts><Cd>{line.status}</Cd></Sts>" if new_status else f"<Sts>{line.status}</Sts>"
    ind = "CRDT" if line.amount > 0 else "DBIT"
    ref = f"<AcctSvcrRef>{escape(line.reference)}</AcctSvcrRef>" if line.reference else ""
    parts = [f'<Ntry><Amt Ccy="{currency}">{abs(line.amount):.2f}</Amt><CdtDbtInd>{ind}</CdtDbtInd>',
             "<RvslInd>true</RvslInd>" if line.reversal else "", status,
             f"<BookgDt><Dt>{line.date.isoformat()}</Dt></BookgDt><ValDt><Dt>{line.date.isoformat()}</Dt></ValDt>",
             ref, "<BkTxCd/>"]
    txs = line.batch or [(abs(line.amount), line.payer, line.text)]
    details = []
    for amount, payer, text in txs:
        own = ""
        if line.batch:
            own = {"Amt": f'<Amt Ccy="{currency}">{amount:.2f}</Amt>',
                   "TxAmt": f'<AmtDtls><TxAmt><Amt Ccy="{currency}">{amount:.2f}</Amt></TxAmt></AmtDtls>',
                   "InstdAmt": f'<AmtDtls><InstdAmt><Amt Ccy="{currency}">{amount:.2f}</Amt></InstdAmt>'
                               '</AmtDtls>'}[path]
        party = f"<Pty><Nm>{escape(payer)}</Nm></Pty>" if new_status else f"<Nm>{escape(payer)}</Nm>"
        ultimate = (f"<UltmtDbtr>{'<Pty>' if new_status else ''}<Nm>{escape(line.ultimate)}</Nm>"
                    f"{'</Pty>' if new_status else ''}</UltmtDbtr>") if line.ultimate else ""
        iban = f"<DbtrAcct><Id><IBAN>{line.iban}</IBAN></Id></DbtrAcct>" if line.iban and not line.batch else ""
        details.append(f"<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>{own}<RltdPties><Dbtr>{party}"
                       f"</Dbtr>{iban}{ultimate}</RltdPties><RmtInf><Ustrd>{escape(text)}</Ustrd></RmtInf></TxDtls>")
    parts.append("<NtryDtls>" + "".join(details) + "</NtryDtls></Ntry>")
    return "".join(p for p in parts if p)


def norma43(accounts: list[tuple[str, Decimal, list[Line]]], bank: str = "2100", branch: str = "0813",
            currency: str = "978", closing_shift: Decimal = Decimal(0), end_record: bool = True) -> str:
    """AEB Norma 43: per (account number, opening balance, lines) an 11, 22/23 per line and a 33
    with the counts and totals; a closing 88 with the number of records. ``closing_shift``
    falsifies the closing balance."""
    out = []
    for number, opening, lines in accounts:
        first = lines[0].date if lines else dt.date(2026, 11, 20)
        last = lines[-1].date if lines else first
        name = "OTC XL TEST SL"
        out.append(f"11{bank}{branch}{number:0>10}{first:%y%m%d}{last:%y%m%d}{'2' if opening >= 0 else '1'}"
                   f"{_digits(opening, 14)}{currency}3{name:<26.26}   ")
        credit = debit = Decimal(0)
        n_credit = n_debit = 0
        for line in lines:
            key = "2" if line.amount > 0 else "1"
            concept = "04" if line.amount > 0 else "99"
            ref1 = (line.reference or "")[:12]
            out.append(f"22    {branch}{line.date:%y%m%d}{line.date:%y%m%d}{concept}000{key}{_digits(line.amount, 14)}"
                       f"{'0' * 10}{ref1:<12}{'':<16}")
            texts = [line.payer, line.text]
            out.append(f"2301{texts[0][:38]:<38}{texts[1][:38]:<38}")
            if len(line.text) > 38:
                out.append(f"2302{line.text[38:76]:<38}{line.text[76:114]:<38}")
            if line.amount > 0:
                credit, n_credit = credit + line.amount, n_credit + 1
            else:
                debit, n_debit = debit - line.amount, n_debit + 1
        closing = opening + credit - debit + closing_shift
        out.append(f"33{bank}{branch}{number:0>10}{n_debit:05d}{_digits(debit, 14)}{n_credit:05d}{_digits(credit, 14)}"
                   f"{'2' if closing >= 0 else '1'}{_digits(closing, 14)}{currency}    ")
    if end_record:
        out.append(f"88{'9' * 18}{len(out):06d}{'':<54}")
    return "\r\n".join(out) + "\r\n"


def _digits(value: Decimal, width: int) -> str:
    return f"{int(abs(value) * 100):0{width}d}"


_POSITIVE, _NEGATIVE = "{ABCDEFGHI", "}JKLMNOPQR"


def _overpunch(value: Decimal, decimals: int = 2) -> str:
    units = f"{int(abs(value) * 10 ** decimals):014d}"
    table = _POSITIVE if value >= 0 else _NEGATIVE
    return units[:-1] + table[int(units[-1])]


def cfonb120(statements: list[tuple[str, Decimal, list[Line]]], bank: str = "30004", branch: str = "00001",
             currency: str = "EUR", closing_shift: Decimal = Decimal(0)) -> str:
    """CFONB 120: per (account, previous balance, lines) an 01, an 04 per line (with 05 complements
    NPY payer and LIB text), and an 07 new balance."""
    out = []
    for account, opening, lines in statements:
        first = lines[0].date if lines else dt.date(2026, 11, 20)
        head = f"{bank}    {branch}{currency}2 {account:0>11}"
        out.append(f"01{head}  {first:%d%m%y}{'':50}{_overpunch(opening)}{'':16}")
        balance = opening
        for k, line in enumerate(lines, start=1):
            code = "05" if line.amount > 0 else "B1"
            wording = (line.text or line.payer)[:31]
            out.append(f"04{bank}0000{branch}{currency}2 {account:0>11}{code}{line.date:%d%m%y}  {line.date:%d%m%y}"
                       f"{wording:<31}  {k:07d}  {_overpunch(line.amount)}{(line.reference or '')[:16]:<16}")
            cont = f"05{bank}0000{branch}{currency}2 {account:0>11}{code}{line.date:%d%m%y}     "
            if line.payer:
                out.append(f"{cont}NPY{line.payer[:70]:<70}  ")
            if len(line.text) > 31:
                out.append(f"{cont}LIB{line.text[31:101]:<70}  ")
            balance += line.amount
        last = lines[-1].date if lines else first
        out.append(f"07{head}  {last:%d%m%y}{'':50}{_overpunch(balance + closing_shift)}{'':16}")
    return "\n".join(out) + "\n"


def _cbi_amount(value: Decimal) -> str:
    """12 digits, a comma, 2 decimals: the CBI way of writing an amount (its sign is a column of its own)."""
    cents = f"{int(abs(value) * 100):014d}"
    return f"{cents[:12]},{cents[12:]}"


def cbi(statements: list[tuple[str, Decimal, list[Line]]], abi: str = "03069", cab: str = "09400",
        sia: str = "A1B2C", currency: str = "EUR", closing_shift: Decimal = Decimal(0), sep: str = "\r\n",
        leading_blank: bool = True, name: str = "RH20261120OTCXL") -> str:
    """CBI RH (rendicontazione movimenti, CBI-RND-001): an RH header; per (account number,
    opening balance, lines) a statement: 61 opening balance (dated the first line's day), per line
    a 62 (causale 48 for credits, 50 for debits; the reference as the bank's) with 63 details —
    YYY (payer), YY2 (IBAN) and RI1 (text, 104 characters a record, the rest in free-text 63s) —,
    a 64 closing balance (``closing_shift`` falsifies it) and a 65; an EF trailer counting the
    statements and every record. Columns are the specification's (1-based in the comments)."""
    created = (statements[0][2][0].date if statements and statements[0][2] else dt.date(2026, 11, 20))
    out = [f" RH{abi}{sia}{created:%d%m%y}{name:<20.20}{'':76}{'':5}"]
    for number, (account, opening, lines) in enumerate(statements, start=1):
        first = lines[0].date if lines else created
        last = lines[-1].date if lines else first
        progressive = f"{number:07d}"
        # 2-3 type, 4-10 number, 11-23 filler, 24-28 original ABI, 29-33 causale, 34-49 description, 50-51 type,
        # 52 CIN, 53-57 ABI, 58-62 CAB, 63-74 account, 75-77 currency, 78-83 date, 84 sign, 85-99 balance,
        # 100-101 country, 102-103 IBAN check digits, 104-120 filler
        out.append(f" 61{progressive}{'':13}{'':5}93001{'CONTO CORRENTE':<16}CCX{abi}{cab}{account:0>12}{currency}"
                   f"{first:%d%m%y}{'C' if opening >= 0 else 'D'}{_cbi_amount(opening)}IT60{'':17}")
        balance = opening
        for k, line in enumerate(lines, start=1):
            mv = f"{k % 1000:03d}"
            credit = line.amount > 0
            # 4-10 number, 11-13 movement, 14-19 value date, 20-25 booking date, 26 sign, 27-41 amount,
            # 42-43 causale CBI, 44-45 internal causale, 46-61 cheque, 62-77 bank reference,
            # 78-86 customer reference type, 87-120 description
            wording = "BONIFICO A VOSTRO FAVORE" if credit else "DISPOSIZIONE DI BONIFICO"
            out.append(f" 62{progressive}{mv}{line.date:%d%m%y}{line.date:%d%m%y}{'C' if credit else 'D'}"
                       f"{_cbi_amount(line.amount)}{'48' if credit else '50'}AB{'':16}{(line.reference or '')[:16]:<16}"
                       f"{'':9}{wording:<34}")
            if line.payer:  # 17-24 order date GGMMAAAA, 25-40 tax code, 41-80 ordering customer, 81-120 place
                out.append(f" 63{progressive}{mv}YYY{line.date:%d%m%Y}{'':16}{line.payer[:40]:<40}{'MILANO':<40}")
            if line.iban:  # 17-66 address, 67-100 IBAN, 101-120 filler
                out.append(f" 63{progressive}{mv}YY2{'VIA ROMA 1':<50}{line.iban:<34}{'':20}")
            if line.text:
                out.append(f" 63{progressive}{mv}RI1{line.text[:104]:<104}")
                for start in range(104, len(line.text), 107):
                    out.append(f" 63{progressive}{mv}{line.text[start:start + 107]:<107}")
            balance += line.amount
        closing = balance + closing_shift
        # 11-13 currency, 14-19 date, 20 sign, 21-35 accounting balance, 36 sign, 37-51 available balance
        out.append(f" 64{progressive}{currency}{last:%d%m%y}{'C' if closing >= 0 else 'D'}{_cbi_amount(closing)}"
                   f"{'C' if balance >= 0 else 'D'}{_cbi_amount(balance)}{'':69}")
        out.append(f" 65{progressive}{last + dt.timedelta(days=1):%d%m%y}{'C' if balance >= 0 else 'D'}"
                   f"{_cbi_amount(balance)}{'':88}")
    records = len(out) + 1
    out.append(f" EF{abi}{sia}{created:%d%m%y}{name:<20.20}{'':6}{len(statements):07d}{'':30}{records:07d}{'':25}"
               f"{'':6}")
    if any(len(r) != 120 for r in out):
        raise ValueError(f"a CBI record is not 120 characters: {[len(r) for r in out]}")
    if not leading_blank:
        out = [r[1:] for r in out]
    return sep.join(out) + sep


def bai2(accounts: list[tuple[str, Decimal, list[Line]]], currency: str = "USD", closing_shift: Decimal = Decimal(0),
         group_status: str = "1") -> str:
    """BAI2: one group (as of the first line's date) with, per (account, opening ledger, lines), an
    03 with the 010/015 ledgers and 100/400 totals, a 16 per line (195 incoming wire for credits,
    475 check paid for debits; the payer and text in the text field), a 49 with its control total
    and record count; 98 and 99 trailers."""
    first = next((ls[0].date for _, _, ls in accounts if ls), dt.date(2026, 11, 20))
    out = ["01,OTCXLBANK,OTCXL,261121,0800,1,80,,2/",
           f"02,OTCXL,OTCXLBANK,{group_status},{first:%y%m%d},2400,{currency},2/"]
    group_total, group_records = 0, 1
    cents = lambda v: int(abs(v) * 100)  # noqa: E731
    for number, opening, lines in accounts:
        credits = [line for line in lines if line.amount > 0]
        debits = [line for line in lines if line.amount <= 0]
        closing = opening + sum((ln.amount for ln in lines), Decimal(0)) + closing_shift
        sign = lambda v: f"{'-' if v < 0 else '+'}{cents(v)}"  # noqa: E731
        total_in, total_out = sum(cents(ln.amount) for ln in credits), sum(cents(ln.amount) for ln in debits)
        records = [f"03,{number},{currency},010,{sign(opening)},,,015,{sign(closing)},,/",
                   f"88,100,{total_in},{len(credits)},,400,{total_out},{len(debits)},/"]
        control = int(sign(opening)) + int(sign(closing)) + total_in + total_out
        for line in lines:
            code = "195" if line.amount > 0 else "475"
            text = " ".join(t for t in (line.payer, line.text) if t).rstrip("/")
            records.append(f"16,{code},{cents(line.amount)},0,{line.reference},,{text}")
            control += cents(line.amount)
        records.append(f"49,{control},{len(records) + 1}/")
        out += records
        group_total += control
        group_records += len(records)
    out.append(f"98,{group_total},{len(accounts)},{group_records + 1}/")
    out.append(f"99,{group_total},1,{len(out) + 1}/")
    return "\n".join(out) + "\n"


def coda(statements: list[tuple[str, Decimal, list[Line]]], closing_shift: Decimal = Decimal(0),
         structured: bool = False) -> str:
    """CODA 2: per (Belgian IBAN, old balance, lines) a block 0, 1 (structure 2), 2.1/2.2/2.3 per
    line (a line with a ``batch`` becomes a globalised total and its details), 8, 9. ``structured``
    writes each text of 12 digits as a Belgian structured reference (type 101)."""
    out = []
    for number, (iban, opening, lines) in enumerate(statements, start=1):
        day = lines[0].date if lines else dt.date(2026, 11, 20)
        block = [f"00000{day:%d%m%y}30005        00000000  OTC XL TEST NV            GEBABEBB   00000000000 00000"
                 f"                                       2"]
        amount15 = lambda v: f"{int(abs(v) * 1000):015d}"  # noqa: E731
        sign = lambda v: "1" if v < 0 else "0"  # noqa: E731
        block.append(f"12{number:03d}{iban:<34}EUR{sign(opening)}{amount15(opening)}{day:%d%m%y}"
                     f"{'OTC XL TEST NV':<26}{'Compte courant':<35}{number:03d}")
        debit = credit = Decimal(0)
        for seq, line in enumerate(lines, start=1):
            parts = [(0, line.amount, line.payer, line.text, line.iban, line.reference)]
            glob = "1" if line.batch else "0"
            parts += [(k, a, p, t, "", "") for k, (a, p, t) in enumerate(line.batch, start=1)]
            for detail, amount, payer, text, iban2, ref in parts:
                key = f"{seq:04d}{detail:04d}"
                ref = (ref or f"REF{seq:05d}{detail:04d}")[:21]
                if structured and text.isdigit() and len(text) == 12:
                    comm = f"1101{text}".ljust(53)
                else:
                    comm = f"0{text[:53]:<53}"
                block.append(f"21{key}{ref:<21}{sign(amount)}{amount15(amount)}{line.date:%d%m%y}00150000{comm}"
                             f"{line.date:%d%m%y}{number:03d}{glob if detail == 0 else '0'}1 1")
                block.append(f"22{key}{'':<53}{'':<35}{'GEBABEBB':<11}{'':<15}1 1")
                block.append(f"23{key}{iban2:<34}EUR{payer[:35]:<35}{'':<43}0 0")
            if line.amount < 0:
                debit -= line.amount
            else:
                credit += line.amount
        closing = opening + credit - debit + closing_shift
        block.append(f"8{number:03d}{iban:<34}EUR{sign(closing)}{amount15(closing)}"
                     f"{lines[-1].date if lines else day:%d%m%y}"
                     f"{'':<64}0")
        block.append(f"9{'':<15}{len(block) - 1:06d}{amount15(debit)}{amount15(credit)}{'':<75}2")
        out += block
    return "\n".join(line.ljust(128)[:128] for line in out) + "\n"


def ofx(statements: list[tuple[str, Decimal, list[Line]]], currency: str = "USD", xml: bool = False) -> str:
    """OFX: 1.02 SGML (leaves not closed) or 2.11 XML; per (account, ledger balance before, lines)
    a STMTRS with one STMTTRN per line (FITID the line's reference, else a running number)."""
    def leaf(tag: str, value: object) -> str:
        text = escape(str(value))
        return f"<{tag}>{text}</{tag}>" if xml else f"<{tag}>{text}"
    body = []
    for account, opening, lines in statements:
        txs = []
        for k, line in enumerate(lines, start=1):
            txs.append("<STMTTRN>" + leaf("TRNTYPE", "CREDIT" if line.amount > 0 else "DEBIT")
                       + leaf("DTPOSTED", f"{line.date:%Y%m%d}120000.000[-5:EST]") + leaf("TRNAMT",
                                                                                          f"{line.amount:.2f}")
                       + leaf("FITID", line.reference or f"{account}-{k:06d}") + leaf("NAME", line.payer or "BANK")
                       + (leaf("MEMO", line.text) if line.text else "") + "</STMTTRN>")
        ledger = opening + sum((ln.amount for ln in lines), Decimal(0))
        first = lines[0].date if lines else dt.date(2026, 11, 20)
        body.append("<STMTTRNRS>" + leaf("TRNUID", "1") + "<STATUS>" + leaf("CODE", 0) + leaf("SEVERITY", "INFO")
                    + "</STATUS><STMTRS>" + leaf("CURDEF", currency) + "<BANKACCTFROM>" + leaf("BANKID", "121000248")
                    + leaf("ACCTID", account) + leaf("ACCTTYPE", "CHECKING") + "</BANKACCTFROM><BANKTRANLIST>"
                    + leaf("DTSTART", f"{first:%Y%m%d}") + leaf("DTEND", f"{lines[-1].date if lines else first:%Y%m%d}")
                    + "\n".join(txs) + "</BANKTRANLIST><LEDGERBAL>" + leaf("BALAMT", f"{ledger:.2f}")
                    + leaf("DTASOF", f"{first:%Y%m%d}") + "</LEDGERBAL></STMTRS></STMTTRNRS>")
    signon = ("<SIGNONMSGSRSV1><SONRS><STATUS>" + leaf("CODE", 0) + leaf("SEVERITY", "INFO") + "</STATUS>"
              + leaf("DTSERVER", "20261121080000") + leaf("LANGUAGE", "ENG") + "</SONRS></SIGNONMSGSRSV1>")
    ofx_body = "<OFX>" + signon + "<BANKMSGSRSV1>" + "\n".join(body) + "</BANKMSGSRSV1></OFX>"
    if xml:
        return ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<?OFX OFXHEADER="200" VERSION="211" '
                'SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n' + ofx_body + "\n")
    return ("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
            "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n" + ofx_body + "\n")
