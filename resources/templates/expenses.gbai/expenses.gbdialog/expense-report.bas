' Tool: one month of the current user's expenses by category, against the monthly budget.
' Returns the numbers and a Markdown text (start.bas shows it and turns it into a PDF).
PARAM month AS STRING LIKE "2026-03" OPTIONAL DESCRIPTION "The month as YYYY-MM; the current month when left out"
DESCRIPTION "Summarise the current user's expenses for one month by category, with the budget"

me = GET "session.user_id"
IF ISEMPTY(month) THEN month = FORMAT(TODAY(), "yyyy-MM")
IF NOT ISDATE(month + "-01") THEN RETURN "I need the month as YYYY-MM, for example " + FORMAT(TODAY(), "yyyy-MM") + "."
first = DATEVALUE(month + "-01")
after = DATEADD(first, 1, "month")
title = FORMAT(first, "MMMM yyyy")

rows = FIND "expenses" WHERE owner = me AND spent_on >= first AND spent_on < after
total = AGGREGATE("SUM", rows, "amount")
budget = NVL(monthly_budget, 0)

' PIVOT sums the amounts per category; sort the categories by amount, largest first.
by_category = PIVOT(rows, "category", "amount", "SUM")
ranked = []
FOR EACH name IN by_category
    PUSH ranked, {category: NVL(name, "Uncategorised"), amount: ROUND(by_category[name], 2)}
NEXT
ranked = SORT(ranked, "amount", "DESC")

text = "# Expenses, " + title + "\n\n"
IF COUNT(rows) = 0 THEN
    text = text + "No expenses recorded."
ELSE
    text = text + "| Category | Amount |\n|---|---:|\n"
    FOR EACH r IN ranked
        text = text + "| " + r.category + " | " + FORMAT(r.amount, "C2") + " |\n"
    NEXT
    text = text + "| **Total** | **" + FORMAT(total, "C2") + "** |\n\n"
    IF budget > 0 THEN
        text = text + "Budget: " + FORMAT(budget, "C0") + " - " + FORMAT(total / budget, "P0") + " used"
        text = text + IIF(total > budget, ", **" + FORMAT(total - budget, "C2") + " over**.", ", " + FORMAT(budget - total, "C2") + " left.")
    END IF
    open_items = FILTER(rows, "status <> 'submitted'")
    IF COUNT(open_items) > 0 THEN text = text + "\n\n" + COUNT(open_items) + " item(s) still need attention (card transactions to complete or receipts missing)."
END IF

RETURN WITH month AS month, count AS COUNT(rows), total AS ROUND(total, 2), budget AS budget, by_category AS ranked, text AS text
