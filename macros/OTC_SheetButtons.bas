Attribute VB_Name = "OTC_SheetButtons"
' Macros for buttons drawn on a Dashboard sheet (Insert > Shapes, right-click > Assign Macro).
Option Explicit

Public Sub ApplyCash()
    RunPython "import otc_xl.excel.buttons as b; b.apply_cash()"
End Sub

Public Sub Ageing()
    RunPython "import otc_xl.excel.buttons as b; b.ageing()"
End Sub

Public Sub UnappliedCash()
    RunPython "import otc_xl.excel.buttons as b; b.unapplied_cash()"
End Sub

Public Sub UnbilledRevenue()
    RunPython "import otc_xl.excel.buttons as b; b.unbilled_revenue()"
End Sub

Public Sub KPIs()
    RunPython "import otc_xl.excel.buttons as b; b.kpis()"
End Sub

Public Sub RefreshAll()
    RunPython "import otc_xl.excel.buttons as b; b.refresh_all()"
End Sub
