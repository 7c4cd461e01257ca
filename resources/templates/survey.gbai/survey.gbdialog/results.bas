' The owner's view of the survey (run it from the desktop app or with `hearth run`).
' Customers cannot read the answers: the responses table is READ BY "owner;admin".
TALK "Which period?"
HEAR period AS "Last 7 days", "Last 30 days", "Last 12 months", "All time"
SELECT CASE period
    CASE "Last 7 days"
        days = 7
    CASE "Last 30 days"
        days = 30
    CASE "Last 12 months"
        days = 365
    CASE ELSE
        days = 0
END SELECT

ON ERROR RESUME NEXT
summary = CALL survey-summary(days)
IF ERR THEN
    IF ERR.KIND = "PermissionError" THEN
        TALK "The survey results are for the shop owner only."
    ELSE
        TALK "I could not read the results: " + ERR.DESCRIPTION
    END IF
    END
END IF
ON ERROR GOTO 0

TALK summary.text
IF summary.answers = 0 THEN END

save = ASK "Save this as a report in the bot's drive?" AS BOOLEAN
IF save THEN
    path = "reports/survey-" + FORMAT(TODAY(), "yyyy-MM-dd") + ".md"
    WRITE path, summary.text + "\n"
    TALK "Saved to " + path + "."
END IF
