' Appointments. The time slot itself is a row of the built-in calendar_events table, created by
' BOOK, which refuses overlapping bookings; this table adds the patient and the treatment.
TABLE appointments
    event_id INTEGER NOT NULL         ' calendar_events.id returned by BOOK
    patient STRING NOT NULL
    phone STRING
    treatment STRING NOT NULL
    starts DATETIME NOT NULL
    minutes INTEGER
    booked_by STRING                  ' session.user_id of whoever booked it
    status STRING DEFAULT "booked"    ' booked, cancelled
    created DATETIME
END TABLE
