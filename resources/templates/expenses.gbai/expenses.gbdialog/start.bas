' Expenses: log an expense with its receipt, complete card transactions, see the month.
' Every value is asked with a validated HEAR (MONEY, DATE, menus, IMAGE/FILE), then stored
' through the log-expense tool, the same one the assistant uses when a model is configured.
ADD TOOL "log-expense"
ADD TOOL "expense-report"
SET CONTEXT "expenses" AS "The user records work expenses. Today is " + FORMAT(TODAY(), "yyyy-MM-dd") + "."

me = GET "session.user_id"
category_options = SPLIT(NVL(categories, "Travel;Meals;Lodging;Other"), ";")
limit = NVL(receipt_required_over, 75)

pending = FIND "expenses" WHERE owner = me AND status = "pending"
TALK "Hi! " + IIF(COUNT(pending) = 0, "What can I do for you?", "You have " + COUNT(pending) + " card transaction(s) to complete.")

DO
    HEAR action AS "Log an expense", "Complete card transactions", "This month", "Another month", "Monthly report as PDF", "Done"
    SELECT CASE action
        CASE "Log an expense"
            log_expense
        CASE "Complete card transactions"
            complete_card_transactions
        CASE "This month"
            report = CALL expense-report(FORMAT(TODAY(), "yyyy-MM"))
            TALK report.text
        CASE "Another month"
            month = CALL ask_month()
            IF NOT ISNULL(month) THEN
                report = CALL expense-report(month)
                TALK report.text
            END IF
        CASE "Monthly report as PDF"
            month = CALL ask_month()
            IF NOT ISNULL(month) THEN
                report = CALL expense-report(month)
                path = GENERATE PDF report.text, {}, "reports/expenses-" + me + "-" + month + ".pdf"
                TALK "Your report for " + month + " is in the bot's drive: " + path
            END IF
        CASE ELSE
            TALK "Bye! Keep your receipts."
            EXIT DO
    END SELECT
    TALK "Anything else?"
LOOP

SUB log_expense()
    ' MONEY accepts "$42.50", "42,50", "1.234,56"… and gives a number rounded to cents.
    amount = ASK "How much was it?" AS MONEY
    IF ISNULL(amount) THEN EXIT SUB
    IF amount <= 0 THEN
        TALK "The amount must be more than zero."
        EXIT SUB
    END IF
    spent_on = ASK "When? (today, yesterday, 2026-03-02, 02/03/2026…)" AS DATE
    IF ISNULL(spent_on) THEN EXIT SUB
    IF spent_on > TODAY() THEN
        TALK "That date is in the future; expenses are logged once paid."
        EXIT SUB
    END IF
    IF DATEDIFF(spent_on, TODAY(), "day") > 90 THEN TALK "Note: expenses older than 90 days need the approver's OK."

    TALK "Which category?"
    HEAR category AS category_options
    IF ISNULL(category) THEN category = "Other"
    merchant = ASK "Where did you pay? (shop, airline, restaurant…)"
    description = ASK "What was it for? (trip, client, project)"

    receipt = NULL
    IF amount > limit THEN
        TALK "Above " + FORMAT(limit, "C0") + " a receipt is required."
        has_it = ASK "Do you have it at hand to send now?" AS BOOLEAN
        IF has_it THEN receipt = CALL ask_receipt(spent_on)
    ELSE
        has_it = ASK "Would you like to attach a receipt anyway?" AS BOOLEAN
        IF has_it THEN receipt = CALL ask_receipt(spent_on)
    END IF

    confirmation = CALL log-expense(amount, category, spent_on, merchant, description, receipt)
    TALK confirmation
END SUB

' A photo or a PDF of the receipt, moved out of uploads/ into receipts/YYYY-MM/.
' Procedures that wait for answers are called with CALL (x = CALL f(…)).
FUNCTION ask_receipt(spent_on)
    TALK "Please send a photo or a PDF of the receipt."
    HEAR file AS FILE
    IF ISNULL(file) THEN
        TALK "No receipt received; you can add it later."
        RETURN NULL
    END IF
    IF NOT (STARTSWITH(file.mime, "image/") OR file.mime = "application/pdf") THEN
        TALK "That is not a photo or a PDF, so I did not keep it."
        RETURN NULL
    END IF
    target = "receipts/" + FORMAT(spent_on, "yyyy-MM") + "/" + FORMAT(NOW(), "yyyyMMdd-HHmmss") + "-" + file.name
    MOVE file.path, target
    RETURN target
END FUNCTION

' Card transactions arrive with amount, date and merchant; the owner adds category and purpose.
SUB complete_card_transactions()
    rows = SORT(FIND("expenses", {owner: me, status: "pending"}), "spent_on")
    IF COUNT(rows) = 0 THEN
        TALK "Nothing to complete."
        EXIT SUB
    END IF
    FOR EACH tx IN rows
        TALK FORMAT(tx.amount, "C2") + " at " + NVL(tx.merchant, "an unknown merchant") + " on " + FORMAT(tx.spent_on, "ddd d MMM") + ". Which category?"
        HEAR category AS category_options
        IF ISNULL(category) THEN EXIT SUB
        description = ASK "What was it for?"
        status = IIF(tx.amount > limit AND ISEMPTY(tx.receipt), "missing receipt", "submitted")
        UPDATE "expenses" SET category = category, description = description, status = status WHERE id = tx.id
        TALK IIF(status = "submitted", "Done.", "Done - remember to send the receipt for this one.")
    NEXT
END SUB

' A month as YYYY-MM, validated with ISDATE; null after three tries.
FUNCTION ask_month()
    FOR attempt = 1 TO 3
        answer = ASK "Which month? (YYYY-MM, for example " + FORMAT(DATEADD(TODAY(), -1, "month"), "yyyy-MM") + ")"
        IF LEN(answer) = 7 AND ISDATE(answer + "-01") THEN RETURN answer
        TALK "Please write the month as YYYY-MM."
    NEXT
    RETURN NULL
END FUNCTION
