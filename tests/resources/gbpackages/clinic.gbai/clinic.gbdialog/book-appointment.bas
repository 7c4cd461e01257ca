PARAM patient AS "The patient's full name"
PARAM doctor AS STRING DESCRIPTION "The doctor's name, as listed"
PARAM day AS DATE DESCRIPTION "The day of the appointment"
PARAM budget AS number DESCRIPTION "The most the patient wants to pay, in EUR" OPTIONAL
DESCRIPTION "Book an appointment with one of the clinic's doctors"

d = FIND "doctors" WHERE name = doctor FIRST
IF ISNULL(d) THEN
    RETURN "There is no doctor called " + doctor
END IF
IF NOT ISNULL(budget) AND d.fee > budget THEN
    RETURN d.name + " costs " + d.fee + " EUR, more than " + budget
END IF
id = SAVE "appointments", {patient: patient, doctor: d.name, day: day, hour: "09:00"}
RETURN "Booked #" + id + " with " + d.name
