' Tool: search the address book. Every word must appear in some text column (name, e-mail,
' company, city, tags, notes…), so "silva lisbon" narrows down where "silva" alone would not.
PARAM query AS STRING LIKE "silva lisbon" DESCRIPTION "Words to look for: name, company, city, e-mail, tag"
PARAM tag AS STRING ENUM ["customer", "lead", "partner", "supplier", "press"] OPTIONAL DESCRIPTION "Only contacts with this tag"
PARAM limit AS INTEGER DEFAULT 10 DESCRIPTION "At most this many contacts"
DESCRIPTION "Find contacts in the shared address book"

hits = SEARCH "contacts", NVL(query, ""), 200
IF NOT ISEMPTY(tag) THEN hits = FILTER(hits, "tags LIKE '" + tag + "'")
IF COUNT(hits) = 0 THEN RETURN "No contact matches \"" + query + "\"."

lines = []
FOR EACH c IN SLICE(SORT(hits, "name"), 0, limit)
    line = c.name
    IF NOT ISEMPTY(c.role) OR NOT ISEMPTY(c.company) THEN line = line + " - " + TRIM(NVL(c.role, "") + IIF(ISEMPTY(c.company), "", " at " + c.company))
    line = line + " - " + NVL(c.email, "no e-mail")
    IF NOT ISEMPTY(c.phone) THEN line = line + " - " + c.phone
    PUSH lines, line
NEXT
more = IIF(COUNT(hits) > limit, "\n(" + (COUNT(hits) - limit) + " more: refine the search)", "")
RETURN JOIN(lines, "\n") + more
