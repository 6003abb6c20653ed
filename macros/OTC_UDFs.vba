
' ---------------------------------------------------------------------------------------------------
' Hand-written part of OTC_UDFs (macros/OTC_UDFs.vba), appended by otc-xl addin build to xlwings'
' wrappers above; each wrapper passes what Python returned through OTC_Result.

Private Function OTC_Spills() As Boolean
    ' Whether this Excel has dynamic arrays (Microsoft 365, Excel 2021 or later); asked once
    Static DynamicArrays As Integer ' 0: not asked yet, 1: this Excel spills arrays, 2: it does not
    If DynamicArrays = 0 Then
        If has_dynamic_array() Then
            DynamicArrays = 1
        Else
            DynamicArrays = 2
        End If
    End If
    OTC_Spills = (DynamicArrays = 1)
End Function

Private Function OTC_Cell(ByVal value As Variant) As Variant
    ' An error value that otc_xl.excel.udfs wrote as text becomes the Excel error itself (CVErr codes:
    ' xlErrNA 2042, xlErrValue 2015, xlErrRef 2023, xlErrDiv0 2007, xlErrNum 2036, xlErrName 2029,
    ' xlErrNull 2000), so ISNA, IFNA and IFERROR see it
    OTC_Cell = value
    If VarType(value) <> vbString Then Exit Function
    Select Case value
        Case "#N/A"
            OTC_Cell = CVErr(2042)
        Case "#VALUE!"
            OTC_Cell = CVErr(2015)
        Case "#REF!"
            OTC_Cell = CVErr(2023)
        Case "#DIV/0!"
            OTC_Cell = CVErr(2007)
        Case "#NUM!"
            OTC_Cell = CVErr(2036)
        Case "#NAME?"
            OTC_Cell = CVErr(2029)
        Case "#NULL!"
            OTC_Cell = CVErr(2000)
    End Select
End Function

Private Function OTC_Columns(result As Variant) As Long
    ' Columns of a two-dimensional array; 0 for a one-dimensional one
    On Error GoTo one_dimension
    OTC_Columns = UBound(result, 2) - LBound(result, 2) + 1
    Exit Function
one_dimension:
    OTC_Columns = 0
End Function

Private Function OTC_Result(ByVal result As Variant) As Variant
    ' What otc_xl.excel.udfs returned, made Excel's: error values written as text become the errors
    ' themselves. Where Excel has no dynamic arrays, a result of several values in a single cell shows
    ' its first value and a note (a range selected for an array formula still gets every value).
    Dim i As Long, j As Long, rows As Long, cols As Long, first As Variant
    If Not IsArray(result) Then
        OTC_Result = OTC_Cell(result)
        Exit Function
    End If
    rows = UBound(result, 1) - LBound(result, 1) + 1
    cols = OTC_Columns(result)
    If cols = 0 Then
        first = result(LBound(result, 1))
        cols = rows
        rows = 1
        For i = LBound(result, 1) To UBound(result, 1)
            result(i) = OTC_Cell(result(i))
        Next i
    Else
        first = result(LBound(result, 1), LBound(result, 2))
        For i = LBound(result, 1) To UBound(result, 1)
            For j = LBound(result, 2) To UBound(result, 2)
                result(i, j) = OTC_Cell(result(i, j))
            Next j
        Next i
    End If
    If rows * cols > 1 And TypeOf Application.Caller Is Range Then
        If Application.Caller.Cells.Count = 1 And Not OTC_Spills() Then
            OTC_Result = CStr(first) & " (and " & (rows * cols - 1) & " more values: the result spills in " & _
                         "Excel 365/2021; here, select " & rows & " x " & cols & " cells, type the formula and " & _
                         "press Ctrl+Shift+Enter)"
            Exit Function
        End If
    End If
    OTC_Result = result
End Function
