' IT Helpdesk, first dialog of every session.
' The menu works without a language model. The same abilities are offered to the assistant as
' tools, and the troubleshooting articles as a knowledge base, for when a model is configured:
' then anything typed outside the menu is answered by the assistant.
USE KB "troubleshooting"
ADD TOOL "create-ticket"
ADD TOOL "ticket-status"
ADD TOOL "my-tickets"
ADD TOOL "close-ticket"
SET CONTEXT "helpdesk" AS "The user is an employee contacting the IT helpdesk through the chat."

me = GET "session.user_id"
who = GET "session.user_name"
mine = FIND "tickets" WHERE requester = me AND status = "open"

greeting = "Hi" + IIF(ISEMPTY(who), "", " " + who) + "! This is the IT helpdesk."
IF COUNT(mine) > 0 THEN greeting = greeting + " You have " + COUNT(mine) + " open ticket(s)."
TALK greeting

DO
    TALK "What can I do for you?"
    HEAR choice AS "Report a problem", "My tickets", "Check a ticket", "Search known fixes", "Talk to a technician", "Done"
    SELECT CASE choice
        CASE "Report a problem"
            report_problem
        CASE "My tickets"
            review_my_tickets
        CASE "Check a ticket"
            number = ASK "Which ticket number? (for example HD-1001)"
            answer = CALL ticket-status(number)
            TALK answer
        CASE "Search known fixes"
            search_fixes
        CASE "Talk to a technician"
            reason = ASK "Briefly, what do you need help with?"
            TRANSFER TO HUMAN "it-support", "normal", reason
            TALK "I have asked a technician to join this chat. Office hours are 8:00-18:00; outside them, you will get an answer the next working morning."
            EXIT DO
        CASE ELSE
            ' "Done", or three answers that matched no option (HEAR gives null)
            TALK "Glad to help. Goodbye!"
            EXIT DO
    END SELECT
LOOP

' Report a problem: offer the known fix for the area first (most tickets are password resets),
' then collect what a technician needs and open the ticket through the create-ticket tool.
SUB report_problem()
    TALK "Which area is it about?"
    HEAR area AS "Hardware", "Software", "Network", "Account or password", "Other"
    IF ISNULL(area) THEN EXIT SUB
    category = LCASE(FIRST(area))

    fixes = FIND "known_fixes", {category: category}
    IF COUNT(fixes) > 0 THEN
        TALK "Before we open a ticket, these quick fixes solve most " + LCASE(area) + " problems:"
        FOR EACH fix IN fixes
            TALK "**" + fix.title + "**\n" + fix.steps
        NEXT
        solved = ASK "Did one of these solve it?" AS BOOLEAN
        IF solved THEN
            TALK "Great! Nothing else to do then."
            EXIT SUB
        END IF
    END IF

    ' A subject a technician can act on: at least a few words, re-asked up to three times.
    subject = ""
    tries = 0
    DO WHILE LEN(subject) < 8 AND tries < 3
        subject = ASK "In one line, what is wrong? (for example: \"Laptop does not charge\")"
        tries += 1
        IF LEN(subject) < 8 THEN TALK "Please give a few more words so the technician knows where to start."
    LOOP
    IF LEN(subject) < 8 THEN
        TALK "Let's try again later."
        EXIT SUB
    END IF

    details = ASK "Any details? Error messages, since when, what you already tried. (Type \"no\" to skip.)"
    IF LCASE(details) IN ("no", "none", "skip", "-") THEN details = ""

    TALK "How much is it slowing you down?"
    HEAR level AS "Low - it can wait", "Normal", "High - I cannot work", "Urgent - several people blocked"
    priority = LCASE(FIRST(NVL(level, "normal")))

    email = GET USER MEMORY("email")
    IF ISEMPTY(email) THEN
        email = ASK "Which e-mail address should updates go to?" AS EMAIL
    ELSE
        same = ASK "Send updates to " + email + "?" AS BOOLEAN
        IF NOT same THEN email = ASK "Which address then?" AS EMAIL
    END IF

    BEGIN TALK
        Please check the ticket:
        • **${subject}**
        • Area: ${category}, priority: ${priority}
        • Updates to: ${NVL(email, "nobody (no e-mail)")}
    END TALK
    ok = ASK "Shall I open it?" AS BOOLEAN
    IF NOT ok THEN
        TALK "OK, nothing was sent."
        EXIT SUB
    END IF
    result = CALL create-ticket(subject, details, category, priority, email)
    TALK result.message
END SUB

' My tickets: list them, and let the user close the ones that are solved.
SUB review_my_tickets()
    listing = CALL my-tickets("all")
    TALK listing
    open_ids = []
    FOR EACH t IN FIND("tickets", {requester: me, status: "open"})
        PUSH open_ids, t.ticket_id
    NEXT
    IF COUNT(open_ids) = 0 THEN EXIT SUB
    solved = ASK "Is one of the open ones solved?" AS BOOLEAN
    IF NOT solved THEN EXIT SUB
    PUSH open_ids, "None of them"
    HEAR which AS open_ids
    IF ISNULL(which) OR which = "None of them" THEN EXIT SUB
    how = ASK "What fixed it? (This helps the next person with the same problem.)"
    closed = CALL close-ticket(which, how)
    TALK closed
END SUB

' Search the known fixes (imported from helpdesk.gbdata/known_fixes.csv) word by word, so
' "vpn slow" finds the VPN article even though no row contains both words in one column.
SUB search_fixes()
    query = ASK "Describe the problem in a few words (for example: printer offline)."
    hits = SEARCH "known_fixes", query, 3
    IF COUNT(hits) = 0 THEN
        FOR EACH word IN SPLIT(LCASE(query), " ")
            IF LEN(word) >= 3 THEN hits = MERGE(hits, SEARCH("known_fixes", word, 3))
        NEXT
    END IF
    IF COUNT(hits) = 0 THEN
        TALK "I found no known fix for that. Choose \"Report a problem\" and a technician will look at it."
        EXIT SUB
    END IF
    FOR EACH fix IN SLICE(hits, 0, 3)
        TALK "**" + fix.title + "**\n" + fix.steps
    NEXT
END SUB
