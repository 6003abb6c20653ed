"""Disputed items and their root causes.

``dispute_code`` (any language, any spelling) is mapped to a reason through :data:`REASONS`
keywords, then the notes are searched; codes nobody recognises are shown as they are.
A dispute's age runs from ``dispute_date`` (else the due date); past ``escalation_days`` it is
flagged for escalation.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from ..config import Config
from ..model.money import cents, from_cents
from ..model.values import strip_accents
from ..reports.buckets import age_in_days

REASONS: dict[str, tuple[str, ...]] = {
    "early-payment discount": ("skonto", "cash discount", "escompte", "sconto", "pronto pago", "descuento pronto pago",
                               "early payment discount", "prompt payment discount"),
    "freight": ("freight", "fracht", "frachtkosten", "porto", "shipping", "portes", "trasporto", "spese trasporto",
                "frais de port", "transport costs", "transportkosten", "nolo"),
    "promotion": ("promotion", "promo", "advertising", "werbekostenzuschuss", "wkz", "co op", "coop", "listing fee",
                  "listungsgebuhr", "rebate", "rappel", "ristorno", "bonus"),
    "returns": ("return", "returns", "returned", "retoure", "retouren", "rucksendung", "devolucion", "reso", "resi",
                "retour"),
    "penalty": ("penalty", "penalties", "vertragsstrafe", "konventionalstrafe", "penalidad", "penale", "penalite",
                "chargeback", "otif", "fine"),
    "pricing": ("price", "pricing", "prc", "precio", "precios", "tarifa", "prezzo", "prezzi", "prix", "tarif",
                "preis", "pret"),
    "quantity": ("quantity", "qty", "cantidad", "quantita", "quantite", "menge", "cantitate", "short shipment",
                 "shortage", "fehlmenge", "mindermenge"),
    "damaged goods": ("damaged", "damage", "broken", "defective", "danado", "defectuoso", "rotura",
                      "danneggiato", "difettoso", "endommage", "avarie", "defectueux", "beschadigt",
                      "beschaedigt", "defekt",
                      "deteriorat"),
    "duplicate billing": ("duplicate", "dup", "double", "duplicado", "duplicata", "doppia", "doublon",
                          "doppelt", "dublura"),
    "missing PO": ("missing po", "missing_po", "po missing", "no po", "sin pedido", "falta pedido",
                   "manca ordine", "bon de commande manquant", "sans commande", "bestellnummer fehlt"),
    "tax": ("tax", "vat", "iva", "tva", "mwst", "ust", "steuer", "impuesto", "imposta", "taxe", "impozit"),
    "delivery": ("delivery", "not delivered", "late delivery", "entrega", "consegna", "livraison",
                 "lieferung", "livrare"),
}
ITEM_COLUMNS = ["invoice_id", "customer_id", "customer_name", "collector", "currency", "open_amount", "dispute_code",
                "reason", "notes", "disputed_since", "dispute_days", "escalate"]
SUMMARY_COLUMNS = ["reason", "currency", "items", "amount", "share", "oldest_days", "average_days", "to_escalate"]


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", strip_accents(str(text)).lower()).strip() + " "


def _mentions(words: str, key: str) -> bool:
    """``key`` as a whole word or phrase; keys of 5+ letters also as a word's start (endommage → endommagée)."""
    return f" {key} " in words or (len(key) >= 5 and " " not in key and f" {key}" in words)


@lru_cache(maxsize=1)
def _reason_keys() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each reason's keys as words (built once)."""
    return tuple((reason, tuple(_words(k).strip() for k in keys)) for reason, keys in REASONS.items())


@lru_cache(maxsize=8192)
def dispute_reason(code: str, notes: str = "") -> str:
    """The root-cause reason of a dispute code (``"PRECIO"`` → ``pricing``); else the code itself.
    Pure, so cached: a ledger repeats the same few codes and notes."""
    for text in (code, notes):
        words = _words(text)
        for reason, keys in _reason_keys():
            if any(_mentions(words, k) for k in keys):
                return reason
    return str(code).strip().lower() or "other"


def dispute_items(invoices: pd.DataFrame, as_of: dt.date,
                  escalation_days: int = Config.dispute_escalation_days) -> pd.DataFrame:
    """One row per open disputed item, oldest dispute first."""
    items = invoices.loc[(invoices["dispute_code"] != "") & (cents(invoices["open_amount"]) != 0)].copy()
    notes = items["notes"]
    items["reason"] = [dispute_reason(c, n) for c, n in zip(items["dispute_code"], notes)]
    items["disputed_since"] = items["dispute_date"].fillna(items["due_date"])
    items["dispute_days"] = np.maximum(age_in_days(items["disputed_since"], as_of), 0)
    items["escalate"] = items["dispute_days"] > escalation_days
    return items[ITEM_COLUMNS].sort_values(["dispute_days", "invoice_id"], ascending=[False, True],
                                           kind="stable", ignore_index=True)


def disputes_summary(items: pd.DataFrame) -> pd.DataFrame:
    """Count, amount, share of the disputed amount, age and escalations by reason and currency."""
    if items.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    c = items.assign(_c=cents(items["open_amount"]))
    grouped = c.groupby(["reason", "currency"], as_index=False).agg(
        items=("invoice_id", "size"), _c=("_c", "sum"), oldest_days=("dispute_days", "max"),
        average_days=("dispute_days", "mean"), to_escalate=("escalate", "sum"))
    total = grouped.groupby("currency")["_c"].transform("sum")
    grouped["share"] = (grouped["_c"] / total.where(total != 0)).fillna(0).round(4)
    grouped["amount"] = from_cents(grouped.pop("_c"))
    grouped["average_days"] = grouped["average_days"].round(1)
    grouped["to_escalate"] = grouped["to_escalate"].astype("int64")
    return grouped[SUMMARY_COLUMNS].sort_values(["currency", "amount", "reason"], ascending=[True, False, True],
                                                kind="stable", ignore_index=True)
