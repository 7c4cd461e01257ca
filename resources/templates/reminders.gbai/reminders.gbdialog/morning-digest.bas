' Job: every morning, one digest line per person with what is due today and what is overdue.
SET SCHEDULE "every day at 9am"

tomorrow = DATEADD(TODAY(), 1, "day")
open_rows = FIND "reminders" WHERE done = FALSE AND due < tomorrow
IF COUNT(open_rows) = 0 THEN
    TALK "Morning digest: nothing due today."
    RETURN 0
END IF
by_owner = GROUP BY SORT(open_rows, "due"), "owner"
FOR EACH owner IN by_owner
    today_items = []
    late_items = []
    FOR EACH r IN by_owner[owner]
        IF r.due < TODAY() THEN
            PUSH late_items, r.text
        ELSE
            PUSH today_items, FORMAT(r.due, "HH:mm") + " " + r.text
        END IF
    NEXT
    line = "Good morning " + owner + "! Today: " + IIF(COUNT(today_items) = 0, "nothing", JOIN(today_items, "; "))
    IF COUNT(late_items) > 0 THEN line = line + ". Still open from before: " + JOIN(late_items, "; ")
    TALK line + "."
NEXT
RETURN COUNT(by_owner)
