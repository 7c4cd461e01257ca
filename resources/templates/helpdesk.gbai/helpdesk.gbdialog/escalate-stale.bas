' Job: every weekday morning, list open tickets nobody has touched for a few days and mail the
' digest to the IT team, grouped by category. TALK in a scheduled run goes to the run's outbox.
SET SCHEDULE "every weekday at 8:30"

days = NVL(stale_after_days, 3)
cutoff = DATEADD(TODAY(), -days, "day")
stale = FIND "tickets" WHERE status = "open" AND DATE(updated) <= cutoff
IF COUNT(stale) = 0 THEN
    TALK "No stale tickets today."
    RETURN 0
END IF

body = "Open tickets without an update for " + days + " days or more:\n"
groups = GROUP BY SORT(stale, "created"), "category"
FOR EACH category IN groups
    body = body + "\n" + UCASE(category) + "\n"
    FOR EACH t IN groups[category]
        body = body + FILL(t, "  {ticket_id}  {priority}  {subject}  (opened by {requester})") + "\n"
    NEXT
NEXT

SEND MAIL helpdesk_email, "Helpdesk: " + COUNT(stale) + " stale ticket(s)", body
FOR EACH t IN stale
    SAVE "ticket_events", {ticket_id: t.ticket_id, logged_at: NOW(), actor: "scheduler", action: "reported stale"}
NEXT
TALK COUNT(stale) + " stale ticket(s) reported to " + helpdesk_email
RETURN COUNT(stale)
