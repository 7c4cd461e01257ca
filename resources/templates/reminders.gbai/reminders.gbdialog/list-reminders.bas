' Tool: the current user's open reminders in the next few days, soonest first, overdue ones on top.
PARAM days AS INTEGER DEFAULT 7 DESCRIPTION "How many days ahead to look"
DESCRIPTION "List the current user's upcoming and overdue reminders"

me = GET "session.user_id"
until = DATEADD(TODAY(), days + 1, "day")
rows = FIND "reminders" WHERE owner = me AND done = FALSE AND due < until
IF COUNT(rows) = 0 THEN RETURN "Nothing planned for the next " + days + " days."

lines = []
FOR EACH r IN SORT(rows, "due")
    PUSH lines, "• " + when(r.due) + ": " + r.text + IIF(r.repeat = "never", "", " (" + r.repeat + ")")
NEXT
RETURN JOIN(lines, "\n")

' "overdue since Mar 9", "today at 14:00", "tomorrow at 09:00", "Friday at 09:00", "Mar 30 at 09:00"
FUNCTION when(due)
    days_away = DATEDIFF(TODAY(), due, "day")
    at = FORMAT(due, "HH:mm")
    IF due < NOW() THEN RETURN "overdue since " + FORMAT(due, "MMM d HH:mm")
    SELECT CASE days_away
        CASE 0
            RETURN "today at " + at
        CASE 1
            RETURN "tomorrow at " + at
        CASE 2 TO 6
            RETURN FORMAT(due, "dddd") + " at " + at
        CASE ELSE
            RETURN FORMAT(due, "MMM d") + " at " + at
    END SELECT
END FUNCTION
