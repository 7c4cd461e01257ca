' Tool: book a treatment at a day and time. BOOK refuses a slot that overlaps another
' appointment (it returns null), so two people can never get the same time.
PARAM treatment AS STRING ENUM ["Initial assessment", "Follow-up session", "Sports massage", "Post-surgery rehabilitation"] DESCRIPTION "The treatment"
PARAM day AS DATE LIKE "2026-03-12" DESCRIPTION "Day of the appointment"
PARAM time AS HOUR LIKE "10:30" DESCRIPTION "Start time, as offered by available-slots"
PARAM patient AS NAME LIKE "Maria Lopes" DESCRIPTION "The patient's full name"
PARAM phone AS MOBILE DESCRIPTION "The patient's phone number"
DESCRIPTION "Book a physiotherapy appointment"

IF ISNULL(treatment) OR ISNULL(day) OR ISEMPTY(time) OR ISEMPTY(patient) THEN
    RETURN WITH ok AS FALSE, message AS "I need the treatment, the day, the time and the patient's name."
END IF

' Only the times available-slots offers (opening hours, closed days, notice) can be booked.
slots = CALL available-slots(day, treatment)
IF NOT time IN slots THEN
    RETURN WITH ok AS FALSE, message AS time + " on " + FORMAT(day, "ddd d MMM") + " is not available. Free times: " + IIF(COUNT(slots) = 0, "none that day", JOIN(SLICE(slots, 0, 6), ", ")) + "."
END IF

info = FIRST(FIND("treatments", "treatment", treatment))
starts = DATEADD(DATEADD(day, VAL(LEFT(time, 2)), "hour"), VAL(RIGHT(time, 2)), "minute")
event_id = BOOK treatment + " - " + patient, "Phone: " + NVL(phone, "-"), starts, info.minutes, NVL(clinic_address, "")
IF ISNULL(event_id) THEN RETURN WITH ok AS FALSE, message AS "Sorry, that time was just taken. Please choose another one."

id = SAVE "appointments", {event_id: event_id, patient: patient, phone: phone, treatment: treatment, starts: starts, minutes: info.minutes, booked_by: GET("session.user_id"), created: NOW()}
message = treatment + " booked for " + patient + " on " + FORMAT(starts, "dddd d MMMM 'at' HH:mm") + " (" + info.minutes + " min, " + FORMAT(info.price, "C0") + ") at " + clinic_address + "."
RETURN WITH ok AS TRUE, appointment AS id, message AS message
