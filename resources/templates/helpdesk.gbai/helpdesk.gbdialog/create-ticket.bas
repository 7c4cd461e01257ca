' Tool: open a ticket. The assistant calls it after confirming the details with the user;
' start.bas calls it too (CALL create-ticket …), so both paths number, store and announce
' tickets the same way.
PARAM subject AS STRING LIKE "VPN disconnects every few minutes" DESCRIPTION "One-line summary of the problem"
PARAM details AS STRING OPTIONAL DESCRIPTION "What happened: error messages, since when, what was already tried"
PARAM category AS STRING ENUM ["hardware", "software", "network", "account", "other"] DESCRIPTION "Area of the problem"
PARAM priority AS STRING ENUM ["low", "normal", "high", "urgent"] DEFAULT "normal" DESCRIPTION "urgent: many people blocked or a security issue; high: the user cannot work"
PARAM email AS EMAIL OPTIONAL DESCRIPTION "Address for updates, if the user gave one"
DESCRIPTION "Open an IT helpdesk ticket for the current user and return its number"

me = GET "session.user_id"

' A button press or a forgetful model may leave required values out: ask instead of failing.
IF ISEMPTY(subject) THEN subject = ASK "In one line, what is the problem?"
IF ISEMPTY(subject) THEN RETURN WITH ok AS FALSE, message AS "A ticket needs a short description of the problem."
IF ISNULL(category) THEN
    TALK "Which area is it about?"
    HEAR category AS "hardware", "software", "network", "account", "other"
    IF ISNULL(category) THEN category = "other"
END IF

' Remember the user's e-mail across bots, so nobody types it twice.
IF ISEMPTY(email) THEN
    email = GET USER MEMORY("email")
ELSE
    SET USER MEMORY "email", email
END IF

' Ticket numbers come from a bot-wide counter kept in bot memory.
last = GET BOT MEMORY("last-ticket-number")
IF ISNULL(last) THEN last = NVL(first_ticket_number, 1000)
number = last + 1
SET BOT MEMORY "last-ticket-number", number
ticket_id = NVL(ticket_prefix, "HD") + "-" + number

WITH ticket
    ticket_id = ticket_id
    requester = NVL(me, "anonymous")
    email = email
    category = category
    priority = priority
    subject = LEFT(TRIM(subject), 120)
    details = TRIM(details)
    created = NOW()
    updated = NOW()
END WITH
INSERT "tickets", ticket
SAVE "ticket_events", {ticket_id: ticket_id, logged_at: NOW(), actor: ticket.requester, action: "opened", note: priority}

' The shared IT mailbox hears about every ticket (an .eml in outbox/ when no SMTP server is set).
IF NOT ISEMPTY(helpdesk_email) THEN
    BEGIN MAIL helpdesk_email
        Subject: [${ticket_id}] ${UCASE(priority)} ${ticket.subject}

        New ${category} ticket from ${ticket.requester} (${NVL(email, "no e-mail given")}).

        ${NVL(ticket.details, "No further details.")}
    END MAIL
END IF

eta = "within one working day"
SELECT CASE priority
    CASE "urgent"
        eta = "within the hour"
    CASE "high"
        eta = "within 4 working hours"
    CASE "low"
        eta = "within 3 working days"
END SELECT
RETURN WITH ok AS TRUE, ticket_id AS ticket_id, status AS "open", priority AS priority, message AS "Ticket " + ticket_id + " is open (" + priority + " priority). A technician will pick it up " + eta + "."
