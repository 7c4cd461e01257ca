' Job: on the 1st of each month, mail last month's totals per person and category to the
' approver, and list the people who still have card transactions to complete.
' TALK in a scheduled run goes to the run's outbox.
SET SCHEDULE "every month on day 1 at 8am"

first = DATEADD(DATE(YEAR(TODAY()), MONTH(TODAY()), 1), -1, "month")
after = DATEADD(first, 1, "month")
rows = FIND "expenses" WHERE spent_on >= first AND spent_on < after
title = FORMAT(first, "MMMM yyyy")
IF COUNT(rows) = 0 THEN
    TALK "No expenses in " + title + "."
    RETURN 0
END IF

body = "Expenses for " + title + "\n"
people = GROUP BY SORT(rows, "owner"), "owner"
FOR EACH person IN people
    mine = people[person]
    body = body + "\n" + person + ": " + FORMAT(AGGREGATE("SUM", mine, "amount"), "C2") + "\n"
    totals = PIVOT(mine, "category", "amount")
    FOR EACH category IN totals
        body = body + "  " + NVL(category, "Uncategorised") + ": " + FORMAT(totals[category], "C2") + "\n"
    NEXT
NEXT
pending = FILTER(rows, "status <> 'submitted'")
IF COUNT(pending) > 0 THEN
    body = body + "\nNot ready for approval (" + COUNT(pending) + " item(s)): " + JOIN(UNIQUE(SPLIT(JOIN(FILL(pending, "{owner}"), ","), ",")), ", ") + "\n"
END IF

SEND MAIL approver_email, "Expenses " + title + ": " + FORMAT(AGGREGATE("SUM", rows, "amount"), "C2"), body
TALK "Month-end summary for " + title + " sent to " + approver_email + " (" + COUNT(rows) + " expenses, " + COUNT(pending) + " not ready)."
RETURN COUNT(rows)
