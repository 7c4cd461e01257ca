' Tool: opening hours of a branch on a given day, holidays and early closures included.
' The weekly timetable and the holiday list are CSV files in faq.gbdata/, imported as tables
' on first use, so staff update them without touching any script.
PARAM day AS DATE OPTIONAL DESCRIPTION "The date to check; today when left out"
PARAM branch AS STRING ENUM ["Main Library", "Northside", "Harbour"] DEFAULT "Main Library" DESCRIPTION "Which branch"
PARAM days AS INTEGER DEFAULT 1 DESCRIPTION "How many days from that date to list (1 to 14)"
DESCRIPTION "Tell whether a library branch is open on a date and its opening hours"

IF ISNULL(day) THEN day = TODAY()
days = MAX(1, MIN(days, 14))
lines = []
FOR i = 0 TO days - 1
    PUSH lines, hours_on(DATEADD(day, i, "day"))
NEXT
RETURN branch + ":\n" + JOIN(lines, "\n")

FUNCTION hours_on(d)
    label = FORMAT(d, "dddd d MMMM")
    IF d = TODAY() THEN label = "Today (" + label + ")"
    slot = FIRST(FIND("opening_hours", {branch: branch, weekday: FORMAT(d, "dddd")}))
    holiday = FIRST(FIND("holidays", "day", d))
    IF NOT ISNULL(holiday) AND ISEMPTY(holiday.closes) THEN RETURN label + ": closed (" + holiday.name + ")"
    IF ISNULL(slot) THEN RETURN label + ": closed"
    closes = slot.closes
    ' An early closure only matters when it is earlier than the usual closing time.
    IF NOT ISNULL(holiday) AND holiday.closes < closes THEN closes = holiday.closes + " (" + holiday.name + ")"
    RETURN label + ": " + slot.opens + "-" + closes
END FUNCTION
