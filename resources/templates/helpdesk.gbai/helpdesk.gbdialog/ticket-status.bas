' Tool: where is my ticket? Only the requester's own tickets are visible here: ticket numbers
' are easy to guess, and other people's problems are none of the user's business.
PARAM ticket_id AS STRING LIKE "HD-1001" DESCRIPTION "The ticket number (HD-1001 or just 1001)"
DESCRIPTION "Look up the status of one of the current user's helpdesk tickets"

me = GET "session.user_id"
wanted = UCASE(REPLACE(TRIM(ticket_id), " ", ""))
' Accept "1001" as well as "HD-1001".
IF ISNUMERIC(wanted) THEN wanted = NVL(ticket_prefix, "HD") + "-" + wanted

found = FIND "tickets" WHERE ticket_id = wanted AND requester = me
IF COUNT(found) = 0 THEN RETURN "I could not find ticket " + wanted + " among your tickets. Check the number, or choose 'My tickets' to see them all."

t = found[0]
age = DATEDIFF(t.created, NOW(), "day")
opened = IIF(age = 0, "today", IIF(age = 1, "yesterday", age + " days ago"))
IF t.status = "closed" THEN
    RETURN t.ticket_id + " (" + t.subject + ") is closed. Resolution: " + NVL(t.resolution, "none recorded") + "."
END IF
RETURN t.ticket_id + " (" + t.subject + ") is " + t.status + ", " + t.priority + " priority, opened " + opened + ", last update " + FORMAT(t.updated, "MMM d HH:mm") + "."
