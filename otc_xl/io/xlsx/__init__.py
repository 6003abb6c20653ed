"""The xlsx package itself: finding, reading, writing and splicing parts of a workbook file."""
