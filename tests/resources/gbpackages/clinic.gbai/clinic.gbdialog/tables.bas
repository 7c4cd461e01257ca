' Tables of the clinic, written the SQL way
TABLE appointments
    id INTEGER PRIMARY KEY,
    patient VARCHAR(120) NOT NULL,
    doctor VARCHAR(80) NOT NULL,
    day DATE,
    hour TEXT,
    status TEXT DEFAULT 'booked',
    created TIMESTAMP DEFAULT NOW(),
    UNIQUE(doctor, day, hour)
END TABLE
