total = 1234.5
TALK FORMAT total, "#,##0.00"
shown = FORMAT total, "N0"
TALK shown
TALK "Total: " + FORMAT(total, "C2")
TALK FORMAT 42
day = DATEVALUE("2026-01-15")
TALK FORMAT day AS "dd/MM/yyyy"
format = "short"
TALK format
TALK format + " form"
IF format = "short" THEN TALK "variable format works"
list = [FORMAT(1.5, "0.00"), format]
TALK list
