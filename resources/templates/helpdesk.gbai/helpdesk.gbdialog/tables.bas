' Tables of the IT helpdesk. TABLE blocks are read before any script runs (tables.bas first),
' so every dialog, tool and job sees the same columns.

' One row per ticket. The key is the human-friendly ticket number (HD-1001), not an auto id,
' so users can quote it and tools can look it up directly.
TABLE tickets
    ticket_id STRING(16) KEY
    requester STRING NOT NULL          ' session.user_id of the person who opened it
    email VARCHAR(254)                 ' where updates go (optional)
    category STRING NOT NULL           ' hardware, software, network, account, other
    priority STRING DEFAULT "normal"   ' low, normal, high, urgent
    status STRING DEFAULT "open"       ' open, closed
    subject STRING NOT NULL
    details TEXT
    created DATETIME
    updated DATETIME
    resolution TEXT
    ' Notes technicians keep for each other: employees never see this column.
    internal_note TEXT READ BY "agent;admin" WRITE BY "agent;admin"
END TABLE

CREATE INDEX tickets_by_requester ON tickets(requester, status)

' Audit trail of every change. Any script may add a line on the user's behalf,
' but only IT staff can read the log.
TABLE ticket_events READ BY "agent;admin"
    ticket_id STRING NOT NULL
    logged_at DATETIME
    actor STRING
    action STRING
    note TEXT
END TABLE
