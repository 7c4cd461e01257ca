' One row per reminder. "due" is the next time it fires; a repeating reminder moves its due
' time forward each time it is sent or marked done.
TABLE reminders
    owner STRING NOT NULL             ' session.user_id
    text STRING NOT NULL
    due DATETIME NOT NULL
    repeat STRING DEFAULT "never"     ' never, daily, weekly, monthly
    done BOOLEAN DEFAULT FALSE
    notified BOOLEAN DEFAULT FALSE    ' the due-time nudge was sent for the current "due"
    created DATETIME
END TABLE
