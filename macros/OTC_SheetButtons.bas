Attribute VB_Name = "OTC_SheetButtons"
' Macros for buttons drawn on a Dashboard sheet (Insert > Shapes, right-click > Assign Macro).
' They use RunOTC from OTC_Ribbon.bas (RunPython of the embedded xlwings module).
Option Explicit

Public Sub ApplyCash()
    RunOTC "apply_cash"
End Sub

Public Sub Ageing()
    RunOTC "ageing"
End Sub

Public Sub UnappliedCash()
    RunOTC "unapplied_cash"
End Sub

Public Sub UnbilledRevenue()
    RunOTC "unbilled_revenue"
End Sub

Public Sub KPIs()
    RunOTC "kpis"
End Sub

Public Sub RefreshAll()
    RunOTC "refresh_all"
End Sub

Public Sub Dunning()
    RunOTC "dunning"
End Sub

Public Sub Letters()
    RunOTC "letters"
End Sub

Public Sub Statements()
    RunOTC "statements"
End Sub

Public Sub Worklist()
    RunOTC "worklist"
End Sub

Public Sub Disputes()
    RunOTC "disputes"
End Sub

Public Sub PostCredits()
    RunOTC "credits"
End Sub

Public Sub PayRefunds()
    RunOTC "refunds"
End Sub

Public Sub ReconcileAccount()
    RunOTC "reconcile"
End Sub

Public Sub LegalHandOver()
    RunOTC "legal"
End Sub

Public Sub PrepareInvoices()
    RunOTC "prepare_invoices"
End Sub

Public Sub PostInvoices()
    RunOTC "post_invoices"
End Sub

Public Sub TeamReport()
    RunOTC "team"
End Sub
