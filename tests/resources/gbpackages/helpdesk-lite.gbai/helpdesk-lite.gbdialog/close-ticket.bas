PARAM ticket_id AS INTEGER DESCRIPTION "The number of the ticket to close"
PARAM reason AS "Why the ticket is closed"
DESCRIPTION "Close one of the user's tickets"
t = FIND "tickets" WHERE id = ticket_id AND owner = userid FIRST
IF ISNULL(t) THEN RETURN "No ticket #" + ticket_id + " of yours"
n = UPDATE "tickets" SET status = "closed" WHERE id = ticket_id
RETURN "Closed #" + ticket_id + ": " + reason
