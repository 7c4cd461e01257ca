PARAM appointment AS INTEGER
PARAM room AS INTEGER
' reads the appointment back: a FIND result used as a row
a = FIND "appointments" WHERE id = appointment
RETURN "Booked #" + appointment + ": " + a.doctor + " on " + FORMAT(a.day, "dd/MM/yyyy") + " at " + a.hour + ", room " + room + " (" + a.status + ")"
