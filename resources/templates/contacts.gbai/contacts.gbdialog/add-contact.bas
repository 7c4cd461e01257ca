' Tool: add a contact, or update the one with the same e-mail address (the address is the
' identity of a contact, so the assistant cannot create duplicates).
PARAM name AS NAME LIKE "Ana Silva" DESCRIPTION "Full name"
PARAM email AS EMAIL LIKE "ana@example.com" DESCRIPTION "E-mail address"
PARAM phone AS MOBILE OPTIONAL DESCRIPTION "Phone number with country code"
PARAM company AS STRING OPTIONAL DESCRIPTION "Company or organisation"
PARAM role AS STRING OPTIONAL DESCRIPTION "Job title"
PARAM city AS STRING OPTIONAL DESCRIPTION "City"
PARAM tag AS STRING ENUM ["customer", "lead", "partner", "supplier", "press"] OPTIONAL DESCRIPTION "Relationship to the team"
PARAM note AS STRING OPTIONAL DESCRIPTION "Something worth remembering about this person"
DESCRIPTION "Add a contact to the shared address book, or update the existing contact with the same e-mail"

IF ISEMPTY(email) THEN email = ASK "What is their e-mail address?" AS EMAIL
IF ISEMPTY(email) THEN RETURN "A contact needs an e-mail address."

existing = FIND "contacts", "email", email
changes = {updated: NOW()}
' Only the values that were given: an update never blanks a field the user did not mention.
IF NOT ISEMPTY(name) THEN changes.name = name
IF NOT ISEMPTY(phone) THEN changes.phone = phone
IF NOT ISEMPTY(company) THEN changes.company = TRIM(company)
IF NOT ISEMPTY(role) THEN changes.role = TRIM(role)
IF NOT ISEMPTY(city) THEN changes.city = TRIM(city)

IF COUNT(existing) > 0 THEN
    c = existing[0]
    current = SPLIT(NVL(c.tags, ""), ",")
    IF NOT ISEMPTY(tag) AND NOT CONTAINS(current, tag) THEN changes.tags = JOIN(current + [tag], ",")
    IF NOT ISEMPTY(note) THEN changes.notes = TRIM(NVL(c.notes, "") + "\n" + FORMAT(TODAY(), "yyyy-MM-dd") + ": " + note)
    UPDATE "contacts", "id = " + c.id, changes
    RETURN "Updated " + NVL(changes.name, c.name) + " <" + email + ">."
END IF

IF ISEMPTY(name) THEN RETURN "A new contact needs a name."
changes.email = email
changes.tags = tag
changes.source = "assistant"
changes.created = NOW()
IF NOT ISEMPTY(note) THEN changes.notes = FORMAT(TODAY(), "yyyy-MM-dd") + ": " + note
id = SAVE "contacts", changes
RETURN "Added " + name + " <" + email + "> as contact #" + id + "."
