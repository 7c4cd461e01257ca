' Clinic bookings: book, list and cancel appointments, or ask reception to call back.
' Bookings go through the book-appointment tool (the assistant uses the same one), whose BOOK
' statement refuses overlapping slots.
ADD TOOL "available-slots"
ADD TOOL "book-appointment"
SET CONTEXT "patient" AS "The user is a patient (or books for a family member) of " + clinic_name + "."

me = GET "session.user_id"
TALK "Hello! This is " + clinic_name + "."

DO
    TALK "What would you like to do?"
    HEAR action AS "Book an appointment", "My appointments", "Cancel an appointment", "Ask reception to call me", "Done"
    SELECT CASE action
        CASE "Book an appointment"
            book_visit
        CASE "My appointments"
            list_mine
        CASE "Cancel an appointment"
            cancel_visit
        CASE "Ask reception to call me"
            call_back
        CASE ELSE
            TALK "Thank you, see you soon!"
            EXIT DO
    END SELECT
LOOP

SUB book_visit()
    treatments = FIND "treatments"
    names = []
    FOR EACH t IN treatments
        PUSH names, t.treatment
    NEXT
    TALK "Which treatment? (" + JOIN(FILL(treatments, "{treatment}: {minutes} min"), "; ") + ")"
    HEAR treatment AS names
    IF ISNULL(treatment) THEN EXIT SUB

    ' Ask for a day until one has free times (at most three days tried).
    slots = []
    FOR attempt = 1 TO 3
        day = ASK "Which day? (tomorrow, 2026-03-12, 12/03/2026…)" AS DATE
        IF ISNULL(day) THEN EXIT SUB
        IF day < TODAY() OR DATEDIFF(TODAY(), day, "day") > NVL(book_ahead_days, 30) THEN
            TALK "Please choose a day between today and " + FORMAT(DATEADD(TODAY(), NVL(book_ahead_days, 30), "day"), "d MMMM") + "."
        ELSE
            slots = CALL available-slots(day, treatment)
            IF COUNT(slots) > 0 THEN EXIT FOR
            TALK "Sorry, " + FORMAT(day, "dddd d MMMM") + " is fully booked or we are closed."
        END IF
    NEXT
    IF COUNT(slots) = 0 THEN EXIT SUB

    ' A long list of buttons is hard to read on a phone: split the day in two first.
    IF COUNT(slots) > 8 THEN
        TALK "Morning or afternoon?"
        HEAR part AS "Morning", "Afternoon"
        kept = []
        FOR EACH t IN slots
            IF (part = "Morning") = (t < "12:00") THEN PUSH kept, t
        NEXT
        IF COUNT(kept) > 0 THEN slots = kept
    END IF
    TALK "Free times on " + FORMAT(day, "dddd d MMMM") + ":"
    HEAR time AS slots
    IF ISNULL(time) THEN EXIT SUB

    ' Name and phone are remembered for this user, so the next booking is quicker.
    patient = GET USER MEMORY("patient-name")
    phone = GET USER MEMORY("patient-phone")
    IF NOT ISEMPTY(patient) THEN
        same = ASK "Is the appointment for " + patient + "?" AS BOOLEAN
        IF NOT same THEN
            patient = NULL
            phone = NULL
        END IF
    END IF
    IF ISEMPTY(patient) THEN
        patient = ASK "The patient's full name?" AS NAME
        IF ISNULL(patient) THEN EXIT SUB
        phone = ASK "A phone number we can reach them on?" AS MOBILE
        IF ISNULL(phone) THEN EXIT SUB
        SET USER MEMORY "patient-name", patient
        SET USER MEMORY "patient-phone", phone
    END IF

    result = CALL book-appointment(treatment, day, time, patient, phone)
    TALK result.message
    IF result.ok THEN TALK "Please arrive 5 minutes early and bring comfortable clothes. To cancel, come back here at least 24 hours before."
END SUB

SUB list_mine()
    rows = FIND "appointments" WHERE booked_by = me AND status = "booked" AND starts >= NOW()
    IF COUNT(rows) = 0 THEN
        TALK "You have no upcoming appointments."
        EXIT SUB
    END IF
    lines = []
    FOR EACH a IN SORT(rows, "starts")
        PUSH lines, "• " + FORMAT(a.starts, "ddd d MMM HH:mm") + " - " + a.treatment + " (" + a.patient + ")"
    NEXT
    TALK "Your upcoming appointments:\n" + JOIN(lines, "\n")
END SUB

SUB cancel_visit()
    rows = FIND "appointments" WHERE booked_by = me AND status = "booked" AND starts >= NOW()
    rows = SORT(rows, "starts")
    IF COUNT(rows) = 0 THEN
        TALK "You have no upcoming appointments."
        EXIT SUB
    END IF
    labels = []
    FOR EACH a IN rows
        PUSH labels, FORMAT(a.starts, "ddd d MMM HH:mm") + " " + a.treatment
    NEXT
    PUSH labels, "Keep them all"
    TALK "Which one?"
    HEAR pick AS labels
    IF ISNULL(pick) OR pick = "Keep them all" THEN EXIT SUB
    a = rows[INDEX_OF(labels, pick)]
    late = DATEDIFF(NOW(), a.starts, "hour") < 24
    IF late THEN TALK "This is less than 24 hours away, so 50% of the price will be charged."
    sure = ASK "Cancel " + pick + "?" AS BOOLEAN
    IF NOT sure THEN EXIT SUB

    ' Free the slot (delete the calendar event) and keep the appointment as "cancelled".
    DELETE "calendar_events", "id = " + a.event_id
    UPDATE "appointments" SET status = "cancelled" WHERE id = a.id
    ' Reception offers the freed slot to patients on the waiting list.
    CREATE TASK "Offer freed slot " + FORMAT(a.starts, "ddd d MMM HH:mm"), a.treatment + " cancelled by " + a.patient + IIF(late, " (late cancellation: charge 50%)", ""), "reception", TODAY(), IIF(late, "high", "normal")
    TALK "Cancelled. " + IIF(late, "A late-cancellation fee applies.", "Nothing to pay.")
END SUB

SUB call_back()
    name = GET USER MEMORY("patient-name")
    IF ISEMPTY(name) THEN name = ASK "Your name?" AS NAME
    IF ISNULL(name) THEN EXIT SUB
    phone = GET USER MEMORY("patient-phone")
    IF ISEMPTY(phone) THEN phone = ASK "Your phone number?" AS MOBILE
    IF ISNULL(phone) THEN EXIT SUB
    reason = ASK "What is it about?"
    urgent = LCASE(reason) LIKE "%pain%"
    id = CREATE TASK "Call back " + name + " on " + phone, reason, "reception", TODAY(), IIF(urgent, "high", "normal")
    TALK "Reception will call you " + IIF(urgent, "today", "within one working day") + " (request #" + id + "). If the pain is severe or sudden, please see a doctor or call emergency services."
END SUB
