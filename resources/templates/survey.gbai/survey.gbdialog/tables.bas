' Survey answers. Customers write them; only the owner (or an admin) can read them back, so a
' customer can never see someone else's comments through a tool or a script.
TABLE responses READ BY "owner;admin"
    respondent STRING                 ' session.user_id
    channel STRING                    ' web, whatsapp…
    service STRING NOT NULL           ' what the visit was about
    satisfaction INTEGER NOT NULL     ' 1 (very unhappy) … 5 (very happy)
    nps INTEGER NOT NULL              ' 0 … 10, "how likely to recommend us"
    on_time BOOLEAN                   ' repairs only: ready when promised?
    comment TEXT
    contact_ok BOOLEAN DEFAULT FALSE
    email VARCHAR(254)                ' only when contact_ok
    submitted DATETIME
END TABLE
