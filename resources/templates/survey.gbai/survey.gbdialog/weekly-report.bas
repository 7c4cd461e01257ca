' Job: every Monday morning, last week's survey summary goes to the owner by e-mail, with the
' same text kept in the drive under reports/. TALK in a scheduled run goes to the run's outbox.
SET SCHEDULE "every monday at 8am"

summary = CALL survey-summary(7)
IF summary.answers = 0 THEN
    TALK "No survey answers last week; no report sent."
    RETURN 0
END IF
path = "reports/week-" + FORMAT(TODAY(), "yyyy-MM-dd") + ".md"
WRITE path, summary.text + "\n"
SEND MAIL owner_email, "Survey last week: NPS " + summary.nps + ", satisfaction " + FORMAT(summary.satisfaction, "0.0") + "/5", summary.text, [path]
TALK "Weekly report (" + summary.answers + " answers) sent to " + owner_email
RETURN summary.answers
