TABLE tickets
    id INTEGER PRIMARY KEY,
    title VARCHAR(100) NOT NULL,
    status TEXT DEFAULT 'open',
    created TIMESTAMP DEFAULT NOW(),
    day DATE DEFAULT CURRENT_DATE,
    stamp TEXT DEFAULT CURRENT_TIMESTAMP,
    ref TEXT DEFAULT UUID(),
    qty INTEGER DEFAULT 1,
    price FLOAT,
    total FLOAT GENERATED ALWAYS AS (qty * price) STORED,
    owner TEXT,
    UNIQUE(title, owner)
END TABLE
key = SAVE "tickets", {title: "Printer", owner: "ana"}
t = FIND "tickets" WHERE id = key FIRST
TALK t.title + " " + t.status + " " + t.qty
TALK t.created
TALK YEAR(t.created) + " " + t.day + " " + t.stamp + " " + LEN(t.ref)
given = SAVE "tickets", {title: "Desk", owner: "ana", created: "2025-12-24 18:00:00"}
d = FIND "tickets" WHERE id = given FIRST
TALK d.created
ON ERROR RESUME NEXT
SAVE "tickets", {title: "Printer", owner: "ana"}
TALK ERR.KIND + ": " + ERR.DESCRIPTION
CLEAR ERROR
SAVE "tickets", {title: "Printer", owner: "bo"}
TALK COUNT("tickets", "title = 'Printer'")
r = MERGE "tickets", [{id: 9, title: "Printer", owner: "bo"}], "id"
TALK ERR.KIND
TALK COUNT("tickets", "*")
