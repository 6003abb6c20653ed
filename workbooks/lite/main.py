"""xlwings Lite entry points for otc_xl: paste into the Lite editor (or load this file).

The scripts are the same functions as the desktop ribbon (otc_xl.excel.buttons), bound to buttons
on a Dashboard sheet; the UDFs are otc_xl's, named =OTC.AGEBUCKET(...) and so on: their module sets
the namespace (``__xlwings_func_namespace__ = "OTC"`` in otc_xl/excel/udfs.py), nothing to set by hand.
requirements.txt (beside this file) lists otc_xl itself and what it needs in Pyodide.
"""

import xlwings as xw

from otc_xl.excel import buttons
from otc_xl.excel.udfs import (  # noqa: F401
    agebucket,
    ageing,
    bestcustomer,
    daysoverdue,
    findinvoices,
    matchscore,
    normalize_amount,
    paymentplan,
)


@xw.script(button="[btnApplyCash]Dashboard!B3", show_taskpane=True)
def apply_cash(book: xw.Book):
    buttons.apply_cash(book)


@xw.script(button="[btnAgeing]Dashboard!B5", show_taskpane=True)
def ageing_report(book: xw.Book):
    buttons.ageing(book)


@xw.script(button="[btnUnapplied]Dashboard!B7", show_taskpane=True)
def unapplied_cash(book: xw.Book):
    buttons.unapplied_cash(book)


@xw.script(button="[btnUnbilled]Dashboard!B9", show_taskpane=True)
def unbilled_revenue(book: xw.Book):
    buttons.unbilled_revenue(book)


@xw.script(button="[btnKPIs]Dashboard!B11", show_taskpane=True)
def kpis(book: xw.Book):
    buttons.kpis(book)


@xw.script(button="[btnRefresh]Dashboard!B13", show_taskpane=True)
def refresh_all(book: xw.Book):
    buttons.refresh_all(book)


@xw.script(button="[btnDunning]Dashboard!D3", show_taskpane=True)
def dunning(book: xw.Book):
    buttons.dunning(book)


@xw.script(button="[btnWorklist]Dashboard!D5", show_taskpane=True)
def worklist(book: xw.Book):
    buttons.worklist(book)


@xw.script(button="[btnDisputes]Dashboard!D7", show_taskpane=True)
def disputes(book: xw.Book):
    buttons.disputes(book)


@xw.script(button="[btnCredits]Dashboard!F3", show_taskpane=True)
def credits(book: xw.Book):
    buttons.credits(book)


@xw.script(button="[btnReconcile]Dashboard!F5", show_taskpane=True)
def reconcile(book: xw.Book):
    buttons.reconcile(book)


# Refunds (a SEPA file), legal case files, letters and statements are files: Lite runs in the browser
# with no folder to write them to, so they are desktop/CLI buttons (otc-xl refunds, otc-xl legal,
# otc-xl dunning, otc-xl statement). The sheets above work everywhere.
