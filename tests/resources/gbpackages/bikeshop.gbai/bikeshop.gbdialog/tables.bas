' The workshop's book, declared the way SQL writes it
TABLE repairs
    id INTEGER PRIMARY KEY,
    bike VARCHAR(80) NOT NULL,
    day DATE NOT NULL,
    customer TEXT,
    status TEXT DEFAULT 'waiting',
    booked TIMESTAMP DEFAULT NOW(),
    UNIQUE(bike, day)
END TABLE
