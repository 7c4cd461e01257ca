TABLE tickets
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    subject TEXT,
    priority TEXT DEFAULT 'normal',
    status TEXT DEFAULT 'open',
    opened TIMESTAMP DEFAULT CURRENT_TIMESTAMP
END TABLE
