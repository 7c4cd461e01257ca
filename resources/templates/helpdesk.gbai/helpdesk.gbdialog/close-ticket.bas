' Tool: close a ticket the user says is solved. The requester may only close their own tickets.
PARAM ticket_id AS STRING LIKE "HD-1001" DESCRIPTION "The ticket to close"
PARAM resolution AS STRING OPTIONAL DESCRIPTION "How the problem was solved, in the user's words"
DESCRIPTION "Close one of the current user's tickets once the problem is solved"

me = GET "session.user_id"
wanted = UCASE(TRIM(ticket_id))
IF ISNUMERIC(wanted) THEN wanted = NVL(ticket_prefix, "HD") + "-" + wanted

note = NVL(resolution, "Solved, confirmed by the requester.")
changed = UPDATE "tickets" SET status = "closed", resolution = note, updated = NOW() WHERE ticket_id = wanted AND requester = me AND status <> "closed"
IF changed = 0 THEN RETURN "Nothing to close: " + wanted + " is not one of your open tickets."

SAVE "ticket_events", {ticket_id: wanted, logged_at: NOW(), actor: me, action: "closed", note: note}
RETURN "Closed " + wanted + ". Thanks for letting us know!"
