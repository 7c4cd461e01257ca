' Tool: create a reminder for the current user and book a one-off run of send-due.bas at its
' due time (SET SCHEDULE with a datetime value). start.bas uses it too.
PARAM text AS STRING LIKE "Call the dentist" DESCRIPTION "What to remind the user about"
PARAM day AS DATE LIKE "2026-03-13" DESCRIPTION "The calendar date of the reminder"
PARAM time AS HOUR OPTIONAL DESCRIPTION "Time of day (HH:MM); the user's usual time when left out"
PARAM repeat AS STRING ENUM ["never", "daily", "weekly", "monthly"] DEFAULT "never" DESCRIPTION "Repeat the reminder"
DESCRIPTION "Create a reminder for the current user"

IF ISEMPTY(text) THEN RETURN "What should the reminder say?"
IF ISNULL(day) THEN RETURN "On which date?"
' The usual time is remembered per user (REMEMBER in start.bas); then the bot's default.
IF ISEMPTY(time) THEN time = NVL(RECALL("usual-time"), default_time)

due = DATEADD(DATEADD(day, VAL(LEFT(time, 2)), "hour"), VAL(RIGHT(time, 2)), "minute")
IF due <= NOW() THEN RETURN "That time has already passed: " + FORMAT(due, "ddd d MMM HH:mm") + "."

id = SAVE "reminders", {owner: GET("session.user_id"), text: TRIM(text), due: due, repeat: repeat, created: NOW()}

' Without a scheduler (the terminal runner) the morning digest still lists the reminder.
ON ERROR RESUME NEXT
SET SCHEDULE due, "send-due.bas"
nudge = IIF(ERR, " (it will be in your morning digest)", "")
ON ERROR GOTO 0

RETURN "Reminder #" + id + " set for " + FORMAT(due, "dddd d MMMM 'at' HH:mm") + IIF(repeat = "never", "", ", repeating " + repeat) + nudge + "."
