' Tool: record an expense for the current user. start.bas uses the same tool after asking
' each value with a validated HEAR.
PARAM amount AS MONEY LIKE 42.5 DESCRIPTION "Amount paid, in dollars"
PARAM category AS STRING ENUM ["Travel", "Meals", "Lodging", "Office supplies", "Software", "Training", "Other"] DESCRIPTION "Expense category"
PARAM spent_on AS DATE OPTIONAL DESCRIPTION "Date of the expense; today when left out"
PARAM merchant AS STRING OPTIONAL DESCRIPTION "Where the money was spent"
PARAM description AS STRING OPTIONAL DESCRIPTION "What it was for (project, trip, client)"
PARAM receipt AS STRING OPTIONAL DESCRIPTION "Drive path of the receipt, when there is one"
DESCRIPTION "Record a work expense for the current user"

IF ISNULL(amount) OR amount <= 0 THEN RETURN "Please give the amount paid (more than zero)."
IF ISNULL(spent_on) THEN spent_on = TODAY()
IF spent_on > TODAY() THEN RETURN "The date " + spent_on + " is in the future."
IF ISNULL(category) THEN category = "Other"

needs_receipt = amount > NVL(receipt_required_over, 75) AND ISEMPTY(receipt)
WITH expense
    owner = GET("session.user_id")
    spent_on = spent_on
    amount = amount
    category = category
    merchant = merchant
    description = description
    receipt = receipt
    status = IIF(needs_receipt, "missing receipt", "submitted")
    created = NOW()
END WITH
id = SAVE "expenses", expense

message = "Logged " + FORMAT(amount, "C2") + " for " + category + " on " + FORMAT(spent_on, "MMM d") + " (#" + id + ")."
IF needs_receipt THEN message = message + " Receipts are required above " + FORMAT(receipt_required_over, "C0") + ": please send it from the menu."
RETURN message
