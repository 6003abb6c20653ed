"""Where the fields of a BAI lockbox transmission are, per variant: the positions are data.

The BAI lockbox transmission is a fixed-width file whose record types are shared by every US bank
(``1`` immediate address header, ``2`` service, ``5`` lockbox/batch header, ``6`` detail = one
check, ``4`` overflow = stub lines of the check above, ``7`` batch total, ``8`` service/lockbox
total, ``9`` destination trailer), but whose field positions are not: the banks' own specifications
call their field tables "typical, not definitive" (KeyBank, *Lockbox Transmission Toolkit*). Each
variant is one :class:`LockboxLayout`; a bank whose positions differ is one more entry in
:data:`LAYOUTS`, not another branch of the reader. Positions are 1-based and inclusive, as the
specifications print them (``(8, 17)`` = columns 8 to 17).

Which variants there are and where their positions come from is written in docs/bank-formats.md
("BAI lockbox").
"""

from __future__ import annotations

from dataclasses import dataclass

Span = tuple[int, int]
"""First and last column of a field, 1-based, inclusive."""


@dataclass(frozen=True)
class StubFields:
    """Where one stub line (invoice paid by the check) sits in a record."""

    invoice: Span
    paid: Span
    """Amount paid for the invoice, digits with two implied decimals."""
    deduction: Span | None = None
    """Amount the remitter deducted from the invoice (discount, claim), when the layout carries it."""
    reason: Span | None = None
    """The remitter's reason for the deduction, text."""


@dataclass(frozen=True)
class LockboxLayout:
    name: str
    title: str
    width: int
    """Record length; shorter lines (trailing blanks lost) are padded back, longer ones refused."""
    # record 1, immediate address header
    transmission_date: Span | None
    # fields shared by records 5, 6, 4, 7 (and 8)
    batch: Span
    item: Span
    # record 5, lockbox (batch) header; 7 and 8 repeat the lockbox number and deposit date
    lockbox: Span
    deposit_date: Span
    # record 6, detail: one check
    amount: Span
    routing: Span
    account: Span
    check: Span
    # record 4, overflow: stub lines of the check above
    overflow_sequence: Span
    overflow_last: Span
    """``9`` on the last overflow record of a check, ``0`` when more follow."""
    overflow_stubs: tuple[StubFields, ...]
    # record 7, batch total
    batch_items: Span
    batch_amount: Span
    # record 8, service (lockbox) total
    lockbox_items: Span
    lockbox_amount: Span
    # record 9, destination trailer
    file_records: Span
    detail_stubs: tuple[StubFields, ...] = ()
    """Stub lines the detail record itself carries in its unused columns (some banks do)."""
    file_items: Span | None = None
    file_amount: Span | None = None
    remitter: Span | None = None
    """The remitter's name on the detail record (the payer), where the layout carries it."""
    overflow_memo: Span | None = None
    """Overflow records of free text (the check's memo line, invoice numbers keyed by the bank) instead
    of stub fields: added to the receipt's remittance text, not made advice lines."""


BAI = LockboxLayout(
    name="bai", title="BAI lockbox, 80 characters, one stub with its deduction per overflow record",
    width=80, transmission_date=(24, 29),
    batch=(2, 4), item=(5, 7), lockbox=(8, 14), deposit_date=(15, 20),
    amount=(8, 17), routing=(18, 26), account=(27, 36), check=(37, 46),
    overflow_sequence=(9, 10), overflow_last=(11, 11),
    overflow_stubs=(StubFields(invoice=(12, 27), paid=(28, 37), deduction=(38, 47), reason=(48, 80)),),
    batch_items=(21, 23), batch_amount=(24, 33),
    lockbox_items=(21, 24), lockbox_amount=(25, 34),
    file_records=(2, 7),
)
"""The default: the BAI positions of records 1, 5, 6, 7, 8 and 9 as the banks' BAI lockbox
specifications lay them out; the overflow carries one stub (invoice, paid, deduction, reason)."""

BAI_STUB_ON_DETAIL = LockboxLayout(
    name="bai-stub6", title="BAI lockbox, 80 characters, a stub on the detail record and two per overflow record; "
                            "trailer with item count and amount",
    width=80, transmission_date=(24, 29),
    batch=(2, 4), item=(5, 7), lockbox=(8, 14), deposit_date=(15, 20),
    amount=(8, 17), routing=(18, 26), account=(27, 36), check=(37, 46),
    detail_stubs=(StubFields(invoice=(47, 62), paid=(63, 72)),),
    overflow_sequence=(9, 10), overflow_last=(11, 11),
    overflow_stubs=(StubFields(invoice=(12, 27), paid=(28, 37)), StubFields(invoice=(38, 53), paid=(54, 63))),
    batch_items=(21, 23), batch_amount=(24, 33),
    lockbox_items=(21, 24), lockbox_amount=(25, 34),
    file_records=(2, 7), file_items=(8, 13), file_amount=(14, 25),
)
"""The variant the KeyBank toolkit describes in words: "companies that use a Type 4 record often
utilize the blank portion of the Type 6 record for invoice information"."""

BAI_WIDE = LockboxLayout(
    name="bai-wide", title="BAI lockbox, 128 characters, 12-digit amounts, 17-character accounts",
    width=128, transmission_date=(24, 29),
    batch=(2, 4), item=(5, 7), lockbox=(8, 14), deposit_date=(15, 20),
    amount=(8, 19), routing=(20, 28), account=(29, 45), check=(46, 60),
    overflow_sequence=(9, 10), overflow_last=(11, 11),
    overflow_stubs=(StubFields(invoice=(12, 41), paid=(42, 53), deduction=(54, 65), reason=(66, 128)),),
    batch_items=(21, 25), batch_amount=(26, 39),
    lockbox_items=(21, 26), lockbox_amount=(27, 40),
    file_records=(2, 9), file_items=(10, 17), file_amount=(18, 33),
)
"""Records of 128 characters with room for large amounts (12 digits), 17-character accounts (the
NACHA account width) and 30-character invoice numbers."""

BAI_REMITTER = LockboxLayout(
    name="bai-remitter", title="BAI lockbox, records up to 160 characters, the remitter's name on the check, "
                               "overflow records as memo text",
    width=160, transmission_date=(24, 29),
    batch=(2, 4), item=(5, 7), lockbox=(8, 14), deposit_date=(15, 20),
    amount=(8, 17), routing=(18, 26), account=(27, 36), check=(37, 46), remitter=(53, 82),
    overflow_sequence=(9, 10), overflow_last=(11, 11), overflow_stubs=(), overflow_memo=(12, 41),
    batch_items=(21, 23), batch_amount=(24, 33),
    lockbox_items=(21, 24), lockbox_amount=(25, 34),
    file_records=(2, 7),
)
"""The BAI positions with what one US bank adds (FundersClub's ``bai-lockbox`` parser, written to its
bank's specification and tested with its files): the check date (47-52, MMDDYY, not read) and the
remitter's name (53-82) on the detail record, the payee after it, and overflow records holding a
30-character memo line (12-41) rather than invoice and amount fields."""

LAYOUTS: tuple[LockboxLayout, ...] = (BAI, BAI_STUB_ON_DETAIL, BAI_WIDE, BAI_REMITTER)
"""Tried in this order; the first under which a file reads and ties is the one used."""
BY_NAME = {layout.name: layout for layout in LAYOUTS}
