' Job: send the reminders whose time has come. add-reminder.bas books a one-off run of this
' script at each due time; it also runs every 15 minutes as a safety net, so nothing is lost if
' the application was closed at the due time. TALK in a scheduled run goes to the run's outbox.
SET SCHEDULE "every 15 minutes"

due_now = FIND "reminders" WHERE done = FALSE AND notified = FALSE AND due <= NOW()
FOR EACH r IN SORT(due_now, "due")
    TALK "⏰ " + r.owner + ": " + r.text + " (due " + FORMAT(r.due, "HH:mm") + ")"
    IF r.repeat = "never" THEN
        UPDATE "reminders" SET notified = TRUE WHERE id = r.id
    ELSE
        ' Repeating: move to the next occurrence that is still ahead, and book it.
        unit = step_unit(r.repeat)
        nxt = DATEADD(r.due, 1, unit)
        DO WHILE nxt <= NOW()
            nxt = DATEADD(nxt, 1, unit)
        LOOP
        UPDATE "reminders" SET due = nxt, notified = FALSE WHERE id = r.id
        ON ERROR RESUME NEXT
        SET SCHEDULE nxt, "send-due.bas"
        ON ERROR GOTO 0
    END IF
NEXT
RETURN COUNT(due_now)

FUNCTION step_unit(repeat)
    SELECT CASE repeat
        CASE "daily"
            RETURN "day"
        CASE "weekly"
            RETURN "week"
        CASE ELSE
            RETURN "month"
    END SELECT
END FUNCTION
