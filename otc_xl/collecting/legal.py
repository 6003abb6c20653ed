"""Legal hand-over and insolvency: items that leave normal collection for a lawyer or a claim.

An open invoice moves to the legal list (``LegalCases``) when

* its customer is flagged in Customers ``insolvency`` (insolvent, pre-insolvency, concurso,
  insolvenza, procédure collective, Insolvenz …: any text) — every open invoice of the customer,
  disputed ones included, since an insolvency claim lists them all; or
* it was dunned at the last dunning level, the payment deadline of that notice (the pay-by date its
  letter gave) has passed, and it is at least ``min_days`` overdue (not disputed).

Both only while money is still open *after today's cash application*: a customer who paid is never
handed over. Only the legal command records a hand-over (with the case file written for it, named in
``case_file``); every other command shows the hand-overs due today without recording them.

Once there it stays: the record is read back on every run, so a hand-over is never repeated and
never silently undone. Each customer has one case (``LGL-<customer>``) that later items join. The
``status`` column is the user's (open, with lawyer, claim filed, …); two kinds of status matter here:

* *returned* (returned, devuelto, restituito, retourné, zurück): back to normal collection — dunning
  and calls resume, and the item is not handed over again;
* *uncollectable* (uncollectable, incobrable, inesigibile, irrécouvrable, uneinbringlich): the legal
  outcome is that it will not be paid — it is proposed for write-off through the WriteOffs approvals.

Every other item in the list blocks dunning notices and collection calls for it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..model.money import cents
from ..model.values import strip_accents
from ..reports.buckets import age_in_days

COLUMNS = ["case_id", "customer_id", "customer_name", "invoice_id", "currency", "handed_over_amount", "open_amount",
           "due_date", "days_overdue", "handed_over_on", "reason", "status", "note", "case_file"]
RETURNED = {"returned", "devuelto", "restituito", "retourne", "zuruck", "zurueck", "returned to collections"}
UNCOLLECTABLE = {"uncollectable", "uncollectible", "incobrable", "inesigibile", "irrecouvrable", "uneinbringlich"}


def _key(status: str) -> str:
    return strip_accents(str(status)).strip().lower()


def is_returned(status: str) -> bool:
    return _key(status) in RETURNED


def is_uncollectable(status: str) -> bool:
    return _key(status) in UNCOLLECTABLE


def legal_cases(invoices: pd.DataFrame, customers: pd.DataFrame | None, as_of: dt.date, history: pd.DataFrame,
                last_level: int, min_days: int, cases: pd.DataFrame | None = None,
                deadline_days: int = 0) -> pd.DataFrame:
    """The legal list (``COLUMNS``): the earlier record, refreshed with today's open amounts, plus the
    items due for hand-over today (``handed_over_on`` today, ``case_file`` empty). ``invoices`` are
    the open items after today's cash; ``deadline_days`` what the last level's letter gave to pay."""
    today = pd.Timestamp(as_of)
    inv = invoices.assign(_c=cents(invoices["open_amount"]), days_overdue=age_in_days(invoices["due_date"], as_of))
    earlier = cases.reindex(columns=COLUMNS) if cases is not None and len(cases) else pd.DataFrame(columns=COLUMNS)
    known = set(earlier["invoice_id"])
    flagged = _insolvent(customers)
    dunned_last = set()
    if history is not None and len(history):  # a last-level notice whose pay-by date has passed
        expired = pd.to_datetime(history["dunned_on"]) + pd.Timedelta(days=deadline_days) < today
        dunned_last = set(history.loc[expired & (history["level"].astype("int64") >= last_level), "invoice_id"])
    candidates = inv.loc[(inv["_c"] > 0) & ~inv["invoice_id"].isin(known)]
    insolvency = candidates["customer_id"].map(flagged).astype(object).fillna("").astype(str)
    escalated = (candidates["invoice_id"].isin(dunned_last) & (candidates["days_overdue"] >= min_days)
                 & (candidates["dispute_code"] == ""))
    new = candidates.loc[(insolvency != "") | escalated].copy()
    new["reason"] = np.where(insolvency[new.index] != "", "customer insolvency: " + insolvency[new.index],
                             f"last dunning level, its deadline passed, {min_days}+ days overdue")
    new["case_id"] = "LGL-" + new["customer_id"]
    new["handed_over_amount"] = new["open_amount"]
    new["handed_over_on"] = today
    new["status"], new["note"], new["case_file"] = "open", "", ""
    names = inv.drop_duplicates("customer_id").set_index("customer_id")["customer_name"]
    if customers is not None and len(customers):
        names = customers.drop_duplicates("customer_id").set_index("customer_id")["customer_name"].combine_first(names)
    out = pd.concat([earlier, new.reindex(columns=COLUMNS)], ignore_index=True)
    if out.empty:  # no case at all (e.g. an Invoices table without rows): pandas cannot map dates onto nothing
        return pd.DataFrame(columns=COLUMNS)
    now = inv.set_index("invoice_id")
    out["customer_name"] = (out["customer_id"].map(names).astype(object).fillna(out["customer_name"])
                            .astype(object).fillna(""))
    out["open_amount"] = out["invoice_id"].map(now["open_amount"]).fillna(0.0).astype("float64")
    out["due_date"] = pd.to_datetime(out["invoice_id"].map(now["due_date"]).fillna(out["due_date"]))
    out["days_overdue"] = age_in_days(out["due_date"], as_of) if len(out) else pd.Series(dtype="int64")
    out["status"] = out["status"].fillna("open").replace("", "open")
    out["note"] = out["note"].astype(object).fillna("")
    out["case_file"] = out["case_file"].astype(object).fillna("")
    return out[COLUMNS].sort_values(["case_id", "invoice_id"], kind="stable", ignore_index=True)


def blocked_items(cases: pd.DataFrame) -> pd.Series:
    """invoice_id → why dunning and calls leave it alone (every item in the list not returned)."""
    active = cases.loc[~cases["status"].map(is_returned).astype(bool)] if len(cases) else cases
    return pd.Series(("in legal case " + active["case_id"] + " (" + active["status"] + ")").to_numpy(),
                     index=active["invoice_id"].to_numpy(), dtype=object)


def blocked_customers(cases: pd.DataFrame) -> dict[str, str]:
    """customer_id → the case that stops collection calls and refunds for the customer."""
    blocked = blocked_items(cases)
    active = cases.loc[cases["invoice_id"].isin(blocked.index)]
    return {c: f"held: legal case {k}" for c, k in zip(active["customer_id"], active["case_id"])}


def uncollectable_items(cases: pd.DataFrame) -> pd.DataFrame:
    """(invoice_id, reason) of open items whose legal outcome is uncollectable: write-off proposals."""
    done = cases.loc[cases["status"].map(is_uncollectable).astype(bool) & (cents(cases["open_amount"]) > 0)] \
        if len(cases) else cases
    return pd.DataFrame({"invoice_id": done["invoice_id"].to_numpy(),
                         "reason": ("legal outcome uncollectable (" + done["case_id"] + ")").to_numpy()})


def _insolvent(customers: pd.DataFrame | None) -> pd.Series:
    if customers is None or not len(customers):
        return pd.Series(dtype=object)
    flagged = customers.loc[customers["insolvency"].astype(str).str.strip() != ""]
    return flagged.drop_duplicates("customer_id").set_index("customer_id")["insolvency"]


def case_file(case_id: str, cases: pd.DataFrame, invoices: pd.DataFrame, customers: pd.DataFrame | None,
              history: pd.DataFrame, contacts: pd.DataFrame, as_of: dt.date) -> dict[str, pd.DataFrame]:
    """What a lawyer or an insolvency administrator needs about one case, as named frames:
    ``Case`` (the customer and the claim), ``Items`` (handed over), ``Statement`` (every open item),
    ``Letters`` (dunning notices sent, with dates and levels), ``Contacts`` (every contact outcome,
    promises with their status) and ``Disputes`` (disputed items and their notes)."""
    mine = cases.loc[cases["case_id"] == case_id]
    customer_id = mine["customer_id"].iloc[0]
    master: dict = {}
    if customers is not None and len(customers):
        found = customers.loc[customers["customer_id"] == customer_id]
        master = found.iloc[0].to_dict() if len(found) else {}
    own = invoices.loc[invoices["customer_id"] == customer_id].assign(
        days_overdue=lambda f: age_in_days(f["due_date"], as_of))
    item_columns = ["invoice_id", "invoice_date", "due_date", "days_overdue", "currency", "amount", "open_amount",
                    "reference", "dispute_code"]
    items = own.loc[own["invoice_id"].isin(set(mine["invoice_id"]))].reindex(columns=item_columns)
    statement = own.loc[cents(own["open_amount"]) != 0].reindex(columns=item_columns)
    letters = (history.loc[history["customer_id"] == customer_id] if len(history) else history)
    letters = letters.reindex(columns=["dunned_on", "invoice_id", "level", "currency", "open_amount", "fee",
                                       "interest"]).sort_values(["dunned_on", "invoice_id"], kind="stable")
    log = contacts.loc[contacts["customer_id"] == customer_id] if len(contacts) else contacts
    log = log.reindex(columns=["worklist_date", "outcome", "promise_date", "promise_amount", "promise_status",
                               "note"]).sort_values("worklist_date", kind="stable")
    disputes = own.loc[own["dispute_code"] != ""].reindex(
        columns=["invoice_id", "due_date", "open_amount", "dispute_code", "notes"])
    broken = int((log["promise_status"] == "broken").sum()) if len(log) else 0
    rows = [("case", case_id), ("customer", customer_id), ("name", master.get("customer_name", "")
                                                             or mine["customer_name"].iloc[0]),
            ("address", str(master.get("address", "") or "").replace(";", ",")), ("country", master.get("country", "")),
            ("contact", master.get("contact", "")), ("phone", master.get("phone", "")),
            ("e-mail", master.get("email", "")),
            ("insolvency", master.get("insolvency", "")),
            ("handed over on", f"{mine['handed_over_on'].min():%Y-%m-%d}"),
            ("reason", "; ".join(dict.fromkeys(mine["reason"]))), ("status", "; ".join(dict.fromkeys(mine["status"]))),
            ("items handed over", f"{len(mine)}"), ("dunning notices sent", f"{letters['dunned_on'].nunique()}"),
            ("promises broken", f"{broken}"), ("as of", f"{as_of:%Y-%m-%d}")]
    for currency, group in mine.groupby("currency"):
        rows.append((f"handed over {currency}", f"{int(cents(group['handed_over_amount']).sum()) / 100:,.2f}"))
        rows.append((f"still open {currency}", f"{int(cents(group['open_amount']).sum()) / 100:,.2f}"))
    case = pd.DataFrame(rows, columns=["field", "value"]).astype({"value": str})
    return {"Case": case, "Items": items, "Statement": statement, "Letters": letters, "Contacts": log,
            "Disputes": disputes}
