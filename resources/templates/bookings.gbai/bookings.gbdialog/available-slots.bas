' Tool: free start times on a day for a treatment. A start time is free when the whole
' treatment fits before closing time and overlaps no existing calendar event.
PARAM day AS DATE LIKE "2026-03-12" DESCRIPTION "The day to look at"
PARAM treatment AS STRING ENUM ["Initial assessment", "Follow-up session", "Sports massage", "Post-surgery rehabilitation"] DEFAULT "Follow-up session" DESCRIPTION "The treatment, which sets the length of the appointment"
DESCRIPTION "List the free appointment start times (HH:MM) on a day"

IF ISNULL(day) OR day < TODAY() THEN RETURN []
IF FORMAT(day, "dddd") IN SPLIT(NVL(closed_days, ""), ";") THEN RETURN []

info = FIRST(FIND("treatments", "treatment", treatment))
minutes = NVL(info.minutes, 30)
step = NVL(slot_minutes, 30)
opening = at(day, NVL(opens, "08:00"))
closing = at(day, NVL(closes, "18:00"))
busy = FIND "calendar_events" WHERE DATE(start) = day

free = []
slot = opening
DO WHILE DATEADD(slot, minutes, "minute") <= closing
    finish = DATEADD(slot, minutes, "minute")
    taken = FALSE
    FOR EACH e IN busy
        IF slot < e.end AND e.start < finish THEN taken = TRUE
    NEXT
    ' Today: only times that are still ahead, with an hour's notice.
    IF NOT taken AND slot > DATEADD(NOW(), 1, "hour") THEN PUSH free, FORMAT(slot, "HH:mm")
    slot = DATEADD(slot, step, "minute")
LOOP
RETURN free

FUNCTION at(d, hhmm)
    RETURN DATEADD(DATEADD(d, VAL(LEFT(hhmm, 2)), "hour"), VAL(RIGHT(hhmm, 2)), "minute")
END FUNCTION
