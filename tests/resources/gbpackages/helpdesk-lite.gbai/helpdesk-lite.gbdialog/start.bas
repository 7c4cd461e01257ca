# IT helpdesk: open a ticket or check the ones already open
TALK "IT Helpdesk for " + username

mine = FIND "tickets" WHERE owner = userid AND status = "open" ORDER BY id DESC
IF COUNT(mine) > 0 THEN
    TALK "Your latest open ticket: #" + mine.id + " " + mine.subject
END IF

HEAR subject AS "What is the problem?"
IF subject CONTAINS "password" || subject CONTAINS "login" THEN
    TALK "You can reset your password yourself at the self-service portal."
    HEAR solved AS BOOLEAN WITH "Did that solve it?"
    IF solved THEN EXIT
END IF

HEAR urgent AS BOOLEAN WITH "Is it stopping your work?" DEFAULT "no"
priority = IIF(urgent, "high", "normal")
id = SAVE "tickets", {owner: userid, subject: subject, priority: priority}
ticket = FIND "tickets" WHERE id = id FIRST
TALK "Ticket #" + ticket.id + " opened (" + ticket.priority + ", " + ticket.status + ")."

open_count = COUNT(FIND("tickets", "owner = " + userid + " AND status = open"))
IF open_count >= escalate_after THEN
    CALL escalate open_count
END IF

SUB escalate(count)
    TALK "You have " + count + " open tickets; a technician will call you."
    EXIT
END SUB
