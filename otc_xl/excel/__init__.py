"""The Excel surface: xlwings buttons and UDFs on the user's own workbook (desktop, Lite, Server)."""
