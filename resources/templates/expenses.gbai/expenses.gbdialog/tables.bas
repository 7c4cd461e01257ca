' Expenses, one row each. Card transactions arrive through the card-feed webhook as "pending"
' rows and are completed (category, description) by their owner in the chat.
TABLE expenses
    owner STRING NOT NULL              ' session.user_id (or the card holder's id for card rows)
    spent_on DATE NOT NULL
    amount MONEY NOT NULL              ' rounded to cents by HEAR/PARAM AS MONEY
    category STRING
    merchant STRING
    description TEXT
    receipt STRING                     ' drive path of the receipt, under receipts/
    source STRING DEFAULT "chat"       ' chat, assistant, card
    transaction_id STRING UNIQUE       ' card transactions only: makes the webhook idempotent
    status STRING DEFAULT "submitted"  ' pending (card row to complete), submitted, missing receipt
    created DATETIME
END TABLE

CREATE INDEX expenses_by_owner ON expenses(owner, spent_on)
