Attribute VB_Name = "OTC_Ribbon"
' Ribbon callbacks of the OTC tab (customUI14.xml). Each runs one otc_xl button through RunPython
' of the xlwings module embedded in this project (no xlwings add-in or reference needed). In
' OTC.xlam that is xlwings' add-in variant, which passes the active workbook to Python
' (xw.Book.caller()); in otc_workbook.xlsm the standalone one, which passes the workbook itself.
' The Python side never shows a traceback: problems go to the otc_messages sheet and the status bar.
Option Explicit

Public Sub RunOTC(ByVal action As String)
    If ActiveWorkbook Is Nothing Then
        MsgBox "Open the workbook with your tables (Invoices, Payments, Customers ...) first, then " & _
               "press the button again." & vbNewLine & vbNewLine & _
               "A workbook in Protected View counts as not open: click Enable Editing first.", _
               vbInformation, "otc_xl"
        Exit Sub
    End If
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
    ' A copy of the add-in's Help sheet, in a new workbook: the buttons, the layout, the formulas
    If ThisWorkbook.IsAddin Then
        ThisWorkbook.Worksheets("Help").Copy
    Else
        MsgBox "Help is on the Help sheet of OTC.xlam (the OTC tab's Help button).", vbInformation, "otc_xl"
    End If
End Sub
