' Family Clinic: greets the patient and books an appointment
greeting = "Good morning"
IF hour >= 12 THEN greeting = "Good afternoon"
TALK greeting + ", " + username + "!"

HEAR area AS MENU "general", "paediatrics", "dermatology"
doctors = FIND "doctors" WHERE speciality = area ORDER BY fee ASC
IF COUNT(doctors) = 0 THEN
    TALK "Sorry, nobody sees " + area + " patients at the moment."
    EXIT
END IF
TALK "Our " + area + " doctors:"
names = []
FOR EACH d IN doctors DO
    TALK d.name + ", room " + d.room + " (" + d.fee + " EUR)"
    PUSH names, d.name
NEXT

HEAR chosen AS names WITH "Who would you like to see?"
doctor = FIND "doctors" WHERE name = chosen FIRST
HEAR day AS DATE WITH "Which day? (for example 2026-03-12)"
HEAR slot AS "09:00", "11:00", "15:00", * WITH "At what time? Pick one or type another."
SET "session.doctor", doctor.name

booked = FIND "appointments" WHERE doctor = doctor.name AND day = day
IF COUNT(booked) >= max_slots THEN
    TALK "That day is full; please call " + clinic_phone + "."
    EXIT
END IF

id = SAVE "appointments", {patient: username, doctor: doctor.name, day: day, hour: slot}
summary = CALL "confirm.bas", id, doctor.room
TALK summary
HEAR notes AS TEXT WITH "Anything the doctor should know? (press enter to skip)" DEFAULT "nothing"
UPDATE "appointments" SET status = "confirmed" WHERE id = id
TALK "Noted: " + notes + ". See you soon!"
