Attribute VB_Name = "OTC_Ribbon"
' Ribbon callbacks of the OTC tab (customUI14.xml). Each runs one otc_xl button through RunPython
' of the xlwings module embedded in this project (standalone: no xlwings add-in or reference
' needed); the Python side works on the active workbook (xw.Book.caller()) and never shows a
' traceback: problems go to the otc_messages sheet and the status bar.
Option Explicit

Public Sub RunOTC(ByVal action As String)
    RunPython "import otc_xl.excel.buttons as b; b." & action & "()"
End Sub

Public Sub OTC_ApplyCash(control As IRibbonControl)
    RunOTC "apply_cash"
End Sub

Public Sub OTC_UnappliedCash(control As IRibbonControl)
    RunOTC "unapplied_cash"
End Sub

Public Sub OTC_Ageing(control As IRibbonControl)
    RunOTC "ageing"
End Sub

Public Sub OTC_UnbilledRevenue(control As IRibbonControl)
    RunOTC "unbilled_revenue"
End Sub

Public Sub OTC_KPIs(control As IRibbonControl)
    RunOTC "kpis"
End Sub

Public Sub OTC_RefreshAll(control As IRibbonControl)
    RunOTC "refresh_all"
End Sub

Public Sub OTC_Dunning(control As IRibbonControl)
    RunOTC "dunning"
End Sub

Public Sub OTC_Letters(control As IRibbonControl)
    RunOTC "letters"
End Sub

Public Sub OTC_Statements(control As IRibbonControl)
    RunOTC "statements"
End Sub

Public Sub OTC_Worklist(control As IRibbonControl)
    RunOTC "worklist"
End Sub

Public Sub OTC_Disputes(control As IRibbonControl)
    RunOTC "disputes"
End Sub

Public Sub OTC_Credits(control As IRibbonControl)
    RunOTC "credits"
End Sub

Public Sub OTC_Refunds(control As IRibbonControl)
    RunOTC "refunds"
End Sub

Public Sub OTC_Reconcile(control As IRibbonControl)
    RunOTC "reconcile"
End Sub

Public Sub OTC_Legal(control As IRibbonControl)
    RunOTC "legal"
End Sub

Public Sub OTC_PrepareInvoices(control As IRibbonControl)
    RunOTC "prepare_invoices"
End Sub

Public Sub OTC_PostInvoices(control As IRibbonControl)
    RunOTC "post_invoices"
End Sub

Public Sub OTC_Team(control As IRibbonControl)
    RunOTC "team"
End Sub

Public Sub OTC_Help(control As IRibbonControl)
    ThisWorkbook.FollowHyperlink "https://pypi.org/project/otc-xl/"
End Sub
