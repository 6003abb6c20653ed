"""Who paid: the customer behind a bank line, from its IBAN, a learned alias, or a fuzzy name.

Names are compared after :func:`normalise_name`: upper case, no accents or punctuation, no bank
prefixes ("ORDENANTE:", "SEPA CT", "VIR SEPA", "BONIFICO DA" …) and no legal forms (S.L., S.p.A.,
SARL, GmbH, Ltd …). Similarity is rapidfuzz's ``token_set_ratio`` (as ERPNext does), computed
once per unique payer name against every customer name and alias (``process.cdist``, all cores).
A name identifies a customer only when it scores at least ``cutoff`` *and* beats every other
customer by ``margin`` points: two near-identical customers are a tie, not a match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ..config import Config
from ..model.values import strip_accents, us_account

LEGAL_FORMS = frozenset("""SL SLU SLL SA SAU SAL SC SCOOP SRL SRLS SPA SNC SAS SAPA SCARL SCRL SARL EURL SASU SCI SNC
GMBH AG KG OHG UG EK EG GBR MBH CO KGAA LTD LIMITED PLC LLP LLC INC CORP BV NV SPRL BVBA OY AB AS ASA APS
SRO SP ZOO CIA""".split())
BANK_PREFIX = re.compile(
    r"^(?:ORDENANTE|ORD|BENEFICIARIO|SEPA\s*CT|SEPA\s*CREDIT\s*TRANSFER|SEPA|VIR(?:EMENT)?\s*(?:SEPA)?\s*(?:RECU)?|"
    r"VIREMENT\s*DE|BONIFICO(?:\s*SEPA)?(?:\s*DA|\s*A\s*FAVORE\s*DI)?|GIROCONTO|GUTSCHRIFT|UEBERWEISUNG|"
    r"UBERWEISUNG|TRF(?:\s*FROM)?|TRANSFER(?:\s*FROM)?|TRANSFERENCIA(?:\s*DE)?|TRANSF|PAYMENT\s*FROM|CT|FROM|DE|DA|"
    r"EINZAHLUNG|INCASSO|COBRO)\b[\s:./-]*")
LONG_LEGAL_FORMS = ("LIMITED", "GMBH", "SARL", "EURL", "SPRL", "SCARL", "SRL", "SPA", "SLU", "SNC", "SAS")
PAYMENT_SERVICES = re.compile(
    r"\b(?:PAYPAL|STRIPE|ADYEN|KLARNA|WORLDPAY|SUMUP|MOLLIE|NEXI|SATISPAY|BIZUM|WISE|REVOLUT|GOCARDLESS|"
    r"CHECKOUT\s*COM|BRAINTREE|AMAZON\s*PAY|SQUARE|SEPA\s*(?:COLLECTION|DIRECT\s*DEBIT)|LASTSCHRIFT|INKASSO|"
    r"FACTOR(?:ING)?|COLLECTION\s*SERVICE|COBROS?|REMESA|CAIXABANK|SANTANDER|BBVA|SABADELL|BANKINTER|INTESA|"
    r"UNICREDIT|BNP\s*PARIBAS|SOCIETE\s*GENERALE|CREDIT\s*AGRICOLE|DEUTSCHE\s*BANK|COMMERZBANK|SPARKASSE|"
    r"RABOBANK|ABN\s*AMRO|BARCLAYS|HSBC|LLOYDS|NATWEST|CAIXA\s*GERAL|MILLENNIUM)\b")
"""Payers that are a bank, a payment provider, a factor or a collection service, not the customer."""

_WORD = re.compile(r"[A-Z0-9]+")
_INITIAL_DOT = re.compile(r"(?<=\b[A-Z])\.(?=[A-Z]\b)")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[0-9A-Z]{8,30}")
_IBAN_START = re.compile(r"\s*[A-Za-z]{2}\d{2}")


def is_payment_service(payer: str) -> bool:
    """True for a payer field naming a bank, payment provider, factor or collection service."""
    return bool(PAYMENT_SERVICES.search(strip_accents(str(payer or "")).upper()))
MARGIN = 5.0
TIE_BREAK = 8.0  # full-string similarity lead that settles a token-set tie


BLOCK = 3
"""Letters of a word's start that a name and a customer name must share to be compared (blocking, as
record-linkage libraries do: a name sharing no word start with a customer name cannot score 85)."""
BUCKET_CAP = 400
"""Word starts shared by more customer names than this ("TRA…", "LOG…") select no candidates on their own
(the name's rarer words do); a name with only such words still gets its smallest bucket."""


def _pairs_near(names: list[str], keys: list[str]) -> tuple[list[int], list[int]]:
    """(name index, key index) pairs, by name, of the customer names each payer name is compared with: those
    sharing one of its words, and for a word no customer name has (a typo), those sharing its first ``BLOCK``
    letters; rarest words first, up to ``BUCKET_CAP`` names (the rarest word's always), so the work per name
    stays bounded however many customers share a common word."""
    words: dict[str, list[int]] = {}
    starts: dict[str, list[int]] = {}
    for j, key in enumerate(keys):
        for word in set(key.split()):
            words.setdefault(word, []).append(j)
            starts.setdefault(word[:BLOCK], []).append(j)
    rows: list[int] = []
    cols: list[int] = []
    for i, name in enumerate(names):
        # buckets in a fixed order (size, then word): never the order of a set of strings, which changes
        # from one process to the next, so the same payer is compared with the same names every run
        keyed = sorted((len(bucket), w, bucket) for w, bucket in
                       ((w, words[w] if w in words else starts[w[:BLOCK]]) for w in set(name.split())
                        if w in words or w[:BLOCK] in starts))
        found = [bucket for _, _, bucket in keyed]
        if not found:
            continue
        if len(found[0]) > BUCKET_CAP and len(found) > 1:
            # even the rarest word is common: the names holding the two rarest words (when there are any)
            both = sorted(set(found[0]).intersection(found[1]))
            near = both or found[0]
        else:
            chosen, size = [found[0]], len(found[0])
            for bucket in found[1:]:
                if size + len(bucket) > BUCKET_CAP:
                    break
                chosen.append(bucket)
                size += len(bucket)
            near = sorted(set().union(*chosen)) if len(chosen) > 1 else chosen[0]
        rows += [i] * len(near)
        cols += near
    return rows, cols


def _pairs_within(texts: list[str], keys: list[str]) -> tuple[list[int], list[int]]:
    """(text index, key index) pairs that can score 100 on token sets (one word set inside the other): keys
    whose rarest word is in the text, and keys holding the text's rarest word."""
    by_word: dict[str, list[int]] = {}
    for j, key in enumerate(keys):
        for word in set(key.split()):
            by_word.setdefault(word, []).append(j)
    # a key inside a text has its two rarest words in it: index keys by them (one word for one-word keys)
    by_rarest: dict[tuple[str, ...], list[int]] = {}
    for j, key in enumerate(keys):
        rare = tuple(sorted(sorted(set(key.split()), key=lambda w: (len(by_word[w]), w))[:2]))
        by_rarest.setdefault(rare, []).append(j)
    rows: list[int] = []
    cols: list[int] = []
    for i, text in enumerate(texts):
        words = set(text.split())
        listed = sorted(w for w in words if w in by_word)
        near = {j for w in listed for j in by_rarest.get((w,), ())}
        near |= {j for a in range(len(listed)) for b in range(a + 1, len(listed))
                 for j in by_rarest.get((listed[a], listed[b]), ())}
        if listed and len(words) <= 4:  # a text wholly inside a customer name is short
            near |= set(by_word[min(listed, key=lambda w: (len(by_word[w]), w))])
        rows += [i] * len(near)
        cols += sorted(near)
    return rows, cols


@lru_cache(maxsize=1 << 17)
def normalise_name(name: str) -> str:
    """``"ORDENANTE: Talleres García, S.L.U."`` → ``"TALLERES GARCIA"``."""
    text = _undotted(name).replace("&", " ")
    previous = None
    while previous != text:
        previous, text = text, BANK_PREFIX.sub("", text.strip())
    words = _WORD.findall(text)
    while len(words) > 1 and (words[-1] in LEGAL_FORMS or _cut_legal_form(words[-1])):
        words.pop()  # a legal form, or one cut short by the bank's 35 characters ("LIMI", "S.r")
    kept = [w for w in words if w not in LEGAL_FORMS] or words
    return " ".join(kept)


def _undotted(name: str) -> str:
    """Upper case, no accents, no dots: ``"S.L.U."`` → ``"SLU"``, ``"S.p.A."`` → ``"SPA"``."""
    text = strip_accents(str(name or "")).upper()
    return _INITIAL_DOT.sub("", text).replace(".", "")


@lru_cache(maxsize=1 << 16)
def legal_forms(name: str) -> frozenset[str]:
    """The legal forms written in a name: ``"Talleres Iriarte, S.L."`` → {"SL"}."""
    return frozenset(w for w in _WORD.findall(_undotted(name)) if w in LEGAL_FORMS and w not in ("CO", "CIA"))


def _cut_legal_form(word: str) -> bool:
    """``LIMI`` (LIMITED), ``SR`` (SRL), ``GMB`` (GMBH): the start of a legal form, cut short."""
    return len(word) >= 2 and any(f.startswith(word) and len(f) > len(word) for f in LONG_LEGAL_FORMS)


def normalise_iban(value: str) -> str:
    """An IBAN without spaces, upper case; a US routing and account number (``ABA 021000021 ACCT 123456789``,
    ``021000021/123456789``) as its 18-26 digits, so the master's and the bank line's spellings meet."""
    text = str(value or "")
    if not text or _IBAN_START.match(text):
        return _NOT_ALNUM.sub("", text.upper())
    return us_account(text) or _NOT_ALNUM.sub("", text.upper())


@dataclass(frozen=True)
class Identification:
    customer_id: str
    score: float
    method: str
    """``iban``, ``alias``, ``name`` or ``given``; empty when nobody was identified."""
    detail: str
    """One phrase for explanations, e.g. ``payer 'TALLERES GARCIA' ≈ Talleres García S.L. (97)``."""
    runner_up: str = ""
    candidates: tuple[str, ...] = ()
    """On a tie: every customer the name fits equally (siblings such as "… SL" and "… SA")."""


NOBODY = Identification("", 0.0, "", "")


class CustomerDirectory:
    """Everything needed to say who paid: IBANs, aliases, normalised names, groups."""

    def __init__(self, customers: pd.DataFrame | None, aliases: pd.DataFrame | None = None,
                 cutoff: float = Config.name_cutoff, margin: float = MARGIN):
        self.cutoff, self.margin = cutoff, margin
        self.by_iban: dict[str, str] = {}
        self.by_alias: dict[str, str] = {}
        self.names: dict[str, str] = {}
        keys: list[tuple[str, str]] = []
        self.family: dict[str, set[str]] = {}
        self.parent: dict[str, str] = {}
        self.same_payer: dict[str, set[str]] = {}
        """Accounts sharing an IBAN (duplicates in the master): one payer."""
        owners_of: dict[str, set[str]] = {}
        if customers is not None and len(customers):
            for row in customers.itertuples(index=False):
                cid = str(row.customer_id)
                self.names[cid] = str(row.customer_name)
                for iban in str(getattr(row, "iban", "") or "").split(";"):
                    if normalise_iban(iban):
                        self.by_iban.setdefault(normalise_iban(iban), cid)
                        owners_of.setdefault(normalise_iban(iban), set()).add(cid)
                for name in [row.customer_name, *str(getattr(row, "aliases", "") or "").split(";")]:
                    key = normalise_name(name)
                    if key:
                        keys.append((key, cid))
                parent = str(getattr(row, "parent_id", "") or "")
                self.family.setdefault(cid, {cid})
                if parent and parent != cid:
                    self.family.setdefault(parent, {parent}).add(cid)
                    self.parent[cid] = parent
        for owners in owners_of.values():
            if len(owners) > 1:
                joined = set().union(owners, *(self.same_payer.get(c, set()) for c in owners))
                for c in joined:
                    self.same_payer[c] = joined
        self._groups: dict[str, set[str]] = {}
        if aliases is not None and len(aliases):
            for row in aliases.itertuples(index=False):
                payer, cid = str(row.payer), str(row.customer_id)
                if normalise_iban(payer) and _IBAN_SHAPE.fullmatch(normalise_iban(payer)):
                    self.by_iban[normalise_iban(payer)] = cid
                elif normalise_name(payer):
                    self.by_alias[normalise_name(payer)] = cid
        self._keys = [k for k, _ in keys]
        self._owners = np.array([c for _, c in keys], dtype=object)
        self._keys_of: dict[str, list[str]] = {}
        for key, owner in keys:
            self._keys_of.setdefault(owner, []).append(key)
        self._found: dict[str, Identification | None] = {}  # fuzzy result per normalised payer name

    def members(self, customer_id: str) -> set[str]:
        """The customer and, for a group parent, the accounts it pays for."""
        return self.family.get(customer_id, {customer_id})

    def group(self, customer_id: str) -> set[str]:
        """Every account of the customer's group: its parent's members (or its own), and the accounts
        sharing an IBAN with any of them (one payer)."""
        found = self._groups.get(customer_id)
        if found is None:
            found = set(self.members(self.parent.get(customer_id, customer_id)))
            if self.same_payer:
                for _ in range(2):
                    found |= {s for c in list(found) for s in self.same_payer.get(c, ())}
                    found |= {m for c in list(found) for m in self.members(self.parent.get(c, c))}
            self._groups[customer_id] = found
        return found

    def identify(self, payments: pd.DataFrame) -> list[Identification]:
        """One :class:`Identification` per payment row (``NOBODY`` when unknown or a tie)."""
        names = payments["payer_name"].fillna("").astype(str).map(normalise_name)
        accounts = payments["payer_account"]
        # optional: match_payments takes frames without their optional columns and fills in only payer_name,
        # payer_account, remittance and currency (test_matching.test_optional_columns_may_be_missing)
        given = payments["customer_id"] if "customer_id" in payments else pd.Series("", index=payments.index)
        settled = given.isin(list(self.names)) | accounts.fillna("").map(normalise_iban).isin(list(self.by_iban))
        unique = sorted(set(names[~settled.to_numpy()]) - {""} - set(self.by_alias))  # fuzzy only where needed
        by_name = self._fuzzy(unique)
        out = []
        for raw, name, account, known in zip(payments["payer_name"].fillna(""), names, accounts.fillna(""),
                                             given.fillna("")):
            if known and known in self.names:
                out.append(Identification(known, 100.0, "given", f"customer {known} given on the bank line"))
            elif normalise_iban(account) in self.by_iban:
                cid = self.by_iban[normalise_iban(account)]
                shared = sorted(self.same_payer.get(cid, ()))
                out.append(Identification(cid, 100.0, "iban", f"IBAN {account} belongs to {cid}" if len(shared) < 2
                                          else f"IBAN {account} belongs to {' and '.join(shared)} (accounts of "
                                               "one payer)"))
            elif name in self.by_alias:
                cid = self.by_alias[name]
                out.append(Identification(cid, 99.0, "alias", f"payer {raw!r} is a learned alias of {cid}"))
            else:
                found = by_name.get(name, NOBODY)
                if found.candidates:
                    found = self._by_legal_form(raw, found)
                out.append(found)
        return self._names_in_text(payments, out)

    def _by_legal_form(self, payer: str, tie: Identification) -> Identification:
        """Siblings that differ only by legal form ("… SL" / "… SA"): the payer's own legal form,
        when it names exactly one of them, decides. It never creates a match on its own."""
        forms = legal_forms(payer)
        if not forms:
            return tie
        fits = [c for c in tie.candidates if legal_forms(self.names.get(c, "")) & forms]
        if len(fits) != 1:
            return tie
        cid = fits[0]
        return Identification(cid, tie.score, "name", f"payer {payer!r} ≈ {self.names.get(cid, cid)} "
                              f"({tie.score:.0f}); its legal form {'/'.join(sorted(forms))} tells it from "
                              f"{', '.join(c for c in tie.candidates if c != cid)}")

    def _names_in_text(self, payments: pd.DataFrame, found: list[Identification]) -> list[Identification]:
        """Where the payer field is empty or a bank, payment provider, factor or collection service,
        look for a customer's name (or alias) inside the remittance text, in any word order, as ERPs'
        reconciliation models do with the bank label. Only names of two words or more (or one word of
        seven letters or more) count, and only when exactly one customer's name is found."""
        remittances = payments["remittance"].fillna("").astype(str)
        if not self._keys:
            return found
        wanted = [i for i, (who, payer) in enumerate(zip(found, payments["payer_name"].fillna("").astype(str)))
                  if not who.customer_id and (not normalise_name(payer) or is_payment_service(payer))]
        if not wanted:
            return found
        keys = [(k, c) for k, c in zip(self._keys, self._owners) if len(k.split()) >= 2 or len(k) >= 7]
        if not keys:
            return found
        texts = sorted({normalise_name(remittances.iat[i]) for i in wanted} - {""})
        hits: dict[str, set[str]] = {}
        pairs = _pairs_within(texts, [k for k, _ in keys])  # only keys sharing a word can score 100
        if pairs[0]:
            scores = process.cpdist([texts[r] for r in pairs[0]], [keys[j][0] for j in pairs[1]],
                                    scorer=fuzz.token_set_ratio, workers=-1, dtype=np.uint8)
            for row, j, score in zip(pairs[0], pairs[1], scores):
                if score >= 100:
                    hits.setdefault(texts[row], set()).add(keys[j][1])
        out = list(found)
        for i in wanted:
            owners = hits.get(normalise_name(remittances.iat[i]), set())
            if len(owners) == 1:
                cid = next(iter(owners))
                out[i] = Identification(cid, 90.0, "name", f"the name of {self.names.get(cid, cid)} is in the "
                                        "remittance text (the payer field names no customer)")
            elif owners:
                tie = Identification("", 90.0, "", f"the remittance names {len(owners)} customers of the same name "
                                     f"({', '.join(sorted(owners)[:4])})", runner_up=sorted(owners)[1],
                                     candidates=tuple(sorted(owners)))
                out[i] = self._by_legal_form(cast(str, remittances.iat[i]), tie)
        return out

    def _fuzzy(self, names: list[str]) -> dict[str, Identification]:
        """Fuzzy identification of each normalised payer name (each name scored once per directory:
        the alias suggestions ask again about the payers cash application already identified)."""
        new = [n for n in names if n not in self._found]
        found = self._score(new)
        self._found.update({n: found.get(n) for n in new})
        return {n: known for n in names if (known := self._found[n]) is not None}

    def _score(self, unique: list[str]) -> dict[str, Identification]:
        """Each name against the customer names and aliases it can resemble (:func:`_pairs_near`: sharing a
        word's first three letters), scored in one call; the rest cannot reach the cutoff or a tie."""
        if not unique or not self._keys:
            return {}
        rows, cols = _pairs_near(unique, self._keys)
        if not rows:
            return {}
        flat = process.cpdist([unique[r] for r in rows], [self._keys[j] for j in cols], scorer=fuzz.token_set_ratio,
                              workers=-1, dtype=np.uint8)
        rows_a, cols_a = np.asarray(rows), np.asarray(cols)
        starts = np.searchsorted(rows_a, np.arange(len(unique) + 1))
        owners_all = self._owners
        result = {}
        for i, name in enumerate(unique):
            a, b = starts[i], starts[i + 1]
            if a == b:
                continue
            row = flat[a:b]
            keys_of = cols_a[a:b]
            owners = owners_all[keys_of]
            keys = [self._keys[j] for j in keys_of]
            order = np.argsort(-row.astype(np.int16), kind="stable")  # uint8: -row would wrap
            best = order[0]
            best_cid, best_score = owners[best], float(row[best])
            if best_score < self.cutoff:
                continue
            runner = next((j for j in order[1:] if owners[j] != best_cid), None)
            second = float(row[runner]) if runner is not None else 0.0
            if best_score - second < self.margin:
                # token sets tie when the payer's words contain both names; whole strings may not
                tied = np.flatnonzero(row >= best_score - self.margin)
                whole = process.cdist([name], [keys[j] for j in tied], scorer=fuzz.ratio, dtype=np.float32)[0]
                full: dict[str, float] = {}
                for j, value in zip(tied, whole.tolist()):
                    full[owners[j]] = max(full.get(owners[j], 0.0), value)
                ranked = sorted(full.items(), key=lambda kv: -kv[1])
                if len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= TIE_BREAK:
                    cid = ranked[0][0]
                    result[name] = Identification(cid, best_score, "name", f"payer {name!r} ≈ "
                                                  f"{self.names.get(cid, cid)} ({best_score:.0f}, closest whole name)")
                    continue
                top = ranked[0][1]
                result[name] = Identification("", best_score, "", f"payer {name!r} fits {best_cid} and "
                                              f"{owners[runner]} equally ({best_score:.0f} vs {second:.0f})",
                                              runner_up=str(owners[runner]),
                                              candidates=tuple(c for c, v in ranked if top - v < TIE_BREAK))
                continue
            result[name] = Identification(best_cid, best_score, "name",
                                          f"payer {name!r} ≈ {self.names.get(best_cid, best_cid)} ({best_score:.0f})")
        return result

    def score(self, payer: str, customer_id: str) -> float:
        """Similarity 0-100 of a payer name to one customer's name and aliases."""
        name = normalise_name(payer)
        return max((fuzz.token_set_ratio(name, k) for k in self._keys_of.get(customer_id, [])), default=0.0)

    def conflicts(self, payer: str, customer_id: str, threshold: float = 60.0) -> bool:
        """True when a named payer is clearly not the customer: the name is given, is not a bank or
        payment service, and resembles no account of the customer's group (nor an alias of it)."""
        name = normalise_name(payer)
        if not name or len(name) < 3 or is_payment_service(payer):
            return False
        if self.by_alias.get(name) in self.group(customer_id):
            return False
        return all(self.score(payer, member) < threshold for member in self.group(customer_id))
