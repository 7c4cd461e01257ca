' The shared address book. A declared table is strict: a typo in a column name is an error
' instead of a silently created column.
TABLE contacts
    name STRING NOT NULL
    email VARCHAR(254) UNIQUE          ' lower-cased by HEAR/PARAM AS EMAIL; one contact per address
    phone STRING                       ' digits, with + when given (HEAR AS MOBILE)
    company STRING
    role STRING                        ' job title
    city STRING
    tags STRING                        ' comma-separated, e.g. "customer,press"
    source STRING DEFAULT "chat"       ' chat, assistant or the import it came from
    notes TEXT                         ' dated lines, newest last
    created DATETIME
    updated DATETIME
END TABLE

CREATE INDEX contacts_by_company ON contacts(company)
