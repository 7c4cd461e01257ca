' Tool: the current user's tickets, newest first, one line each.
PARAM status AS STRING ENUM ["open", "closed", "all"] DEFAULT "open" DESCRIPTION "Which tickets to list"
DESCRIPTION "List the current user's helpdesk tickets"

me = GET "session.user_id"
IF status = "all" THEN
    rows = FIND "tickets" WHERE requester = me
ELSE
    rows = FIND "tickets" WHERE requester = me AND status = status
END IF
IF COUNT(rows) = 0 THEN RETURN "You have no " + IIF(status = "all", "", status + " ") + "tickets."

lines = []
FOR EACH t IN SORT(rows, "created", "DESC")
    PUSH lines, FILL(t, "• {ticket_id} [{status}, {priority}] {subject}")
NEXT
RETURN "Your " + IIF(status = "all", "", status + " ") + "tickets:\n" + JOIN(lines, "\n")
