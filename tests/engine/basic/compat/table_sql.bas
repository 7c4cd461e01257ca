TABLE tickets
    id INTEGER PRIMARY KEY,
    title VARCHAR(100) NOT NULL,
    status TEXT DEFAULT 'open',
    created TIMESTAMP DEFAULT NOW(),
    qty INTEGER DEFAULT 1,
    price FLOAT,
    total FLOAT GENERATED ALWAYS AS (qty * price) STORED,
    owner TEXT,
    UNIQUE(title, owner)
END TABLE
key = SAVE "tickets", {title: "Printer", owner: "ana"}
t = FIND "tickets" WHERE id = key FIRST
TALK t.title + " " + t.status + " " + t.qty
TALK ISNULL(t.created)
