' Webhook: the card provider posts each company-card transaction here
' (POST /api/expenses/webhook/card-transaction). It is stored as a "pending" expense that its
' owner completes in the chat. The result map sets the HTTP status and body.
WEBHOOK "card-transaction"

' Only the provider knows the shared secret (config param-card-feed-token).
IF headers["x-feed-token"] <> card_feed_token OR ISEMPTY(card_feed_token) THEN
    RETURN {status: 401, body: {error: "invalid token"}}
END IF

tx = body
IF ISEMPTY(tx.transaction_id) OR ISEMPTY(tx.card_holder) OR NOT ISNUMERIC(tx.amount) OR NOT ISDATE(tx.date) THEN
    RETURN {status: 400, body: {error: "transaction_id, card_holder, amount and date are required"}}
END IF

' Providers retry on timeouts: a transaction we already have is acknowledged, not duplicated.
known = FIND "expenses", "transaction_id", tx.transaction_id
IF COUNT(known) > 0 THEN RETURN {status: 200, body: {id: known[0].id, status: known[0].status, duplicate: TRUE}}

WITH expense
    owner = tx.card_holder
    spent_on = DATEVALUE(tx.date)
    amount = ROUND(CDBL(tx.amount), 2)
    merchant = tx.merchant
    source = "card"
    transaction_id = tx.transaction_id
    status = "pending"
    created = NOW()
END WITH
id = SAVE "expenses", expense
LOG_INFO "card transaction " + tx.transaction_id + " stored as expense " + id
RETURN {status: 201, body: {id: id, status: "pending"}}
