' Reminders: a menu that works without a language model. New reminders go through the
' add-reminder tool (the same one the assistant uses), so both paths book the due-time nudge.
ADD TOOL "add-reminder"
ADD TOOL "list-reminders"
SET CONTEXT "reminders" AS "The user manages personal reminders. Today is " + FORMAT(TODAY(), "dddd d MMMM yyyy") + "."

me = GET "session.user_id"
overdue = FIND "reminders" WHERE owner = me AND done = FALSE AND due < NOW()
TALK "Hi! " + IIF(COUNT(overdue) = 0, "You are all caught up.", "You have " + COUNT(overdue) + " overdue reminder(s).")

DO
    TALK "What would you like to do?"
    HEAR action AS "New reminder", "What's coming up", "Snooze one", "Mark one done", "Done"
    SELECT CASE action
        CASE "New reminder"
            new_reminder
        CASE "What's coming up"
            listing = CALL list-reminders(NVL(lookahead_days, 14))
            TALK listing
        CASE "Snooze one"
            snooze
        CASE "Mark one done"
            mark_done
        CASE ELSE
            TALK "See you! I'll nudge you when something is due."
            EXIT DO
    END SELECT
LOOP

SUB new_reminder()
    text = ASK "What should I remind you about?"
    IF ISEMPTY(text) THEN EXIT SUB

    ' A date in the past is re-asked (up to three times), like an invalid answer would be.
    day = NULL
    tries = 0
    DO WHILE ISNULL(day) AND tries < 3
        tries += 1
        day = ASK "On which day? (today, tomorrow, 2026-03-20, 20/03/2026, Mar 20…)" AS DATE
        IF NOT ISNULL(day) AND day < TODAY() THEN
            TALK "That day is already behind us."
            day = NULL
        END IF
    LOOP
    IF ISNULL(day) THEN EXIT SUB

    ' The usual time is kept with REMEMBER for 90 days; offer it before asking.
    usual = RECALL("usual-time")
    time = NULL
    IF NOT ISEMPTY(usual) THEN
        same = ASK "At your usual time, " + usual + "?" AS BOOLEAN
        IF same THEN time = usual
    END IF
    asked = ISNULL(time)
    IF asked THEN
        time = ASK "At what time? (14:30, 9am…)" AS HOUR
        IF ISNULL(time) THEN time = default_time
    END IF

    ' Today at a time that has passed: ask for a later time instead of failing.
    tries = 0
    DO WHILE due_at(day, time) <= NOW() AND tries < 3
        tries += 1
        time = ASK "That time has already passed today. At what time then?" AS HOUR
        IF ISNULL(time) THEN EXIT SUB
        asked = TRUE
    LOOP
    IF asked THEN REMEMBER "usual-time", time, "90 days"

    TALK "Should it repeat?"
    HEAR how AS "Just once", "Every day", "Every week", "Every month"
    SELECT CASE how
        CASE "Every day"
            repeat = "daily"
        CASE "Every week"
            repeat = "weekly"
        CASE "Every month"
            repeat = "monthly"
        CASE ELSE
            repeat = "never"
    END SELECT

    confirmation = CALL add-reminder(text, day, time, repeat)
    TALK confirmation
END SUB

' The datetime of a date at "HH:MM".
FUNCTION due_at(day, time)
    RETURN DATEADD(DATEADD(day, VAL(LEFT(time, 2)), "hour"), VAL(RIGHT(time, 2)), "minute")
END FUNCTION

' Let the user pick one of their open reminders from a menu; null when there is none or no pick.
' It asks (HEAR), so it is called with "r = CALL pick_reminder(…)", which can wait for the answer.
FUNCTION pick_reminder(question)
    rows = SORT(FIND("reminders", {owner: me, done: FALSE}), "due")
    IF COUNT(rows) = 0 THEN
        TALK "You have no open reminders."
        RETURN NULL
    END IF
    labels = []
    FOR EACH r IN rows
        PUSH labels, r.text + " - " + FORMAT(r.due, "ddd d MMM HH:mm")
    NEXT
    TALK question
    HEAR label AS labels
    IF ISNULL(label) THEN RETURN NULL
    RETURN rows[INDEX_OF(labels, label)]
END FUNCTION

SUB snooze()
    r = CALL pick_reminder("Which one should wait?")
    IF ISNULL(r) THEN EXIT SUB
    TALK "For how long?"
    HEAR delay AS "1 hour", "3 hours", "Until tomorrow", "1 week"
    IF ISNULL(delay) THEN EXIT SUB
    SELECT CASE delay
        CASE "1 hour"
            due = DATEADD(MAX(r.due, NOW()), 1, "hour")
        CASE "3 hours"
            due = DATEADD(MAX(r.due, NOW()), 3, "hour")
        CASE "1 week"
            due = DATEADD(r.due, 1, "week")
        CASE ELSE
            due = DATEADD(r.due, 1, "day")
            IF due < NOW() THEN due = DATEADD(NOW(), 1, "day")
    END SELECT
    UPDATE "reminders" SET due = due, notified = FALSE WHERE id = r.id
    ON ERROR RESUME NEXT
    SET SCHEDULE due, "send-due.bas"
    ON ERROR GOTO 0
    TALK "Snoozed \"" + r.text + "\" until " + FORMAT(due, "ddd d MMM HH:mm") + "."
END SUB

SUB mark_done()
    r = CALL pick_reminder("Which one is done?")
    IF ISNULL(r) THEN EXIT SUB
    IF r.repeat = "never" THEN
        UPDATE "reminders" SET done = TRUE WHERE id = r.id
        TALK "Done: \"" + r.text + "\". Well done!"
        EXIT SUB
    END IF
    ' A repeating reminder is done for this time only: move it to its next occurrence.
    unit = IIF(r.repeat = "daily", "day", IIF(r.repeat = "weekly", "week", "month"))
    nxt = DATEADD(r.due, 1, unit)
    UPDATE "reminders" SET due = nxt, notified = FALSE WHERE id = r.id
    TALK "Done for now. Next time: " + FORMAT(nxt, "ddd d MMM HH:mm") + "."
END SUB
