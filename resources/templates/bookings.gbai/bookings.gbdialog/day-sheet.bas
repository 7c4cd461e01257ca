' Job: every weekday evening, tomorrow's appointments go to reception as a day sheet, with the
' open call-back tasks. TALK in a scheduled run goes to the run's outbox.
SET SCHEDULE "every weekday at 6pm"

tomorrow = DATEADD(TODAY(), 1, "day")
rows = FIND "appointments" WHERE status = "booked" AND DATE(starts) = tomorrow
tasks = FIND "tasks" WHERE status = "open"

sheet = clinic_name + " - " + FORMAT(tomorrow, "dddd d MMMM yyyy") + "\n\n"
IF COUNT(rows) = 0 THEN
    sheet = sheet + "No appointments.\n"
ELSE
    FOR EACH a IN SORT(rows, "starts")
        sheet = sheet + FORMAT(a.starts, "HH:mm") + "  " + a.treatment + " (" + a.minutes + " min)  " + a.patient + "  " + NVL(a.phone, "") + "\n"
    NEXT
END IF
IF COUNT(tasks) > 0 THEN
    sheet = sheet + "\nOpen tasks:\n" + JOIN(FILL(SORT(tasks, "priority"), "- [{priority}] {title}: {description}"), "\n") + "\n"
END IF

SEND MAIL reception_email, "Day sheet " + FORMAT(tomorrow, "ddd d MMM") + ": " + COUNT(rows) + " appointment(s)", sheet
TALK "Day sheet for " + FORMAT(tomorrow, "ddd d MMM") + " sent to " + reception_email + " (" + COUNT(rows) + " appointments, " + COUNT(tasks) + " open tasks)."
RETURN COUNT(rows)
