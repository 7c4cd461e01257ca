' Contacts: the team's shared address book, driven by a menu so it works without a language
' model. With a model configured, the assistant can also use find-contact and add-contact.
ADD TOOL "find-contact"
ADD TOOL "add-contact"
SET CONTEXT "crm" AS "The user is a member of a small sales team managing shared contacts."

tag_options = SPLIT(NVL(tags, "customer;lead;partner;supplier;press"), ";")
total = COUNT("contacts", "*")
TALK "Hello! The address book has " + total + " contact" + IIF(total = 1, "", "s") + "."

DO
    TALK "What would you like to do?"
    HEAR action AS "Add a contact", "Find a contact", "Browse by company", "Import event leads", "Export to CSV", "Done"
    SELECT CASE action
        CASE "Add a contact"
            add_contact
        CASE "Find a contact"
            find_contact
        CASE "Browse by company"
            browse_companies
        CASE "Import event leads"
            import_leads
        CASE "Export to CSV"
            export_csv
        CASE ELSE
            TALK "Bye!"
            EXIT DO
    END SELECT
LOOP

SUB add_contact()
    name = ASK "Full name?" AS NAME
    IF ISNULL(name) THEN EXIT SUB
    email = ASK "E-mail address?" AS EMAIL
    IF ISNULL(email) THEN EXIT SUB

    ' The e-mail address identifies a contact: offer to update instead of creating a duplicate.
    same = FIND "contacts", "email", email
    IF COUNT(same) > 0 THEN
        TALK email + " is already in the address book as " + same[0].name + IIF(ISEMPTY(same[0].company), "", " (" + same[0].company + ")") + "."
        show_card same[0]
        edit_contact same[0]
        EXIT SUB
    END IF

    phone = NULL
    has_phone = ASK "Do you have a phone number?" AS BOOLEAN
    IF has_phone THEN phone = ASK "Phone number, with country code?" AS MOBILE
    company = ASK "Company? (\"-\" if none)"
    IF company = "-" THEN company = NULL
    TALK "How do we know " + FIRST(name) + "?"
    HEAR tag AS tag_options

    WITH contact
        name = name
        email = email
        phone = phone
        company = company
        tags = tag
        created = NOW()
        updated = NOW()
    END WITH
    id = SAVE "contacts", contact
    TALK "Saved " + name + " as contact #" + id + "."
END SUB

SUB find_contact()
    query = ASK "Who are you looking for? (name, company, city or e-mail)"
    hits = SEARCH "contacts", query, 10
    IF COUNT(hits) = 0 THEN
        TALK "No contact matches \"" + query + "\"."
        EXIT SUB
    END IF
    chosen = hits[0]
    IF COUNT(hits) > 1 THEN
        ' Several matches: let the user pick from a menu of "Name (Company)" labels.
        labels = []
        FOR EACH h IN hits
            PUSH labels, h.name + IIF(ISEMPTY(h.company), "", " (" + h.company + ")")
        NEXT
        TALK COUNT(hits) + " contacts match. Which one?"
        HEAR pick AS labels
        IF ISNULL(pick) THEN EXIT SUB
        chosen = hits[INDEX_OF(labels, pick)]
    END IF
    show_card chosen

    TALK "Anything to change?"
    HEAR what AS "Edit", "Add a note", "Delete", "Nothing"
    SELECT CASE what
        CASE "Edit"
            edit_contact chosen
        CASE "Add a note"
            note = ASK "What should I note?"
            line = FORMAT(TODAY(), "yyyy-MM-dd") + ": " + note
            notes = IIF(ISEMPTY(chosen.notes), line, chosen.notes + "\n" + line)
            UPDATE "contacts" SET notes = notes, updated = NOW() WHERE id = chosen.id
            TALK "Noted."
        CASE "Delete"
            sure = ASK "Delete " + chosen.name + " for the whole team? This cannot be undone." AS BOOLEAN
            IF sure THEN
                DELETE FROM "contacts" WHERE id = chosen.id
                TALK "Deleted."
            END IF
    END SELECT
END SUB

SUB show_card(c)
    BEGIN TALK
        **${c.name}**${IIF(ISEMPTY(c.role), "", ", " + c.role)}${IIF(ISEMPTY(c.company), "", " - " + c.company)}
        E-mail: ${NVL(c.email, "-")}   Phone: ${NVL(c.phone, "-")}   City: ${NVL(c.city, "-")}
        Tags: ${NVL(c.tags, "-")}
    END TALK
    IF NOT ISEMPTY(c.notes) THEN TALK "Notes:\n" + c.notes
END SUB

' Change one field, validated with the matching HEAR type.
SUB edit_contact(c)
    TALK "Which field?"
    HEAR field AS "E-mail", "Phone", "Company", "Role", "City", "Tags", "Nothing"
    IF ISNULL(field) OR field = "Nothing" THEN EXIT SUB
    SELECT CASE field
        CASE "E-mail"
            value = ASK "New e-mail address?" AS EMAIL
        CASE "Phone"
            value = ASK "New phone number?" AS MOBILE
        CASE "Tags"
            TALK "Which tag?"
            HEAR value AS tag_options
        CASE ELSE
            value = ASK "New " + LCASE(field) + "?"
    END SELECT
    IF ISEMPTY(value) THEN EXIT SUB
    column = IIF(field = "E-mail", "email", LCASE(field))
    changes = {updated: NOW()}
    changes[column] = value
    ON ERROR RESUME NEXT
    UPDATE "contacts", "id = " + c.id, changes
    IF ERR THEN
        ' the UNIQUE e-mail column: another contact already uses that address
        IF INSTR(ERR.DESCRIPTION, "unique") > 0 THEN
            TALK "Another contact already uses " + value + ". Nothing was changed."
        ELSE
            TALK "That did not work: " + ERR.DESCRIPTION
        END IF
    ELSE
        TALK "Updated " + c.name + "'s " + LCASE(field) + " to " + value + "."
    END IF
END SUB

' Companies with the number of people we know there, biggest first; then the people.
SUB browse_companies()
    everyone = FIND "contacts", "company IS NOT NULL ORDER BY name"
    IF COUNT(everyone) = 0 THEN
        TALK "No contact has a company yet."
        EXIT SUB
    END IF
    groups = GROUP BY everyone, "company"
    sizes = []
    FOR EACH company IN groups
        PUSH sizes, {company: company, people: COUNT(groups[company])}
    NEXT
    sizes = SORT(sizes, "people", "DESC")
    labels = []
    FOR EACH s IN SLICE(sizes, 0, 8)
        PUSH labels, s.company
    NEXT
    TALK JOIN(FILL(SLICE(sizes, 0, 8), "{company}: {people}"), "\n")
    TALK "Whose people do you want to see?"
    HEAR company AS labels
    IF ISNULL(company) THEN EXIT SUB
    people = []
    FOR EACH c IN groups[company]
        PUSH people, "• " + c.name + IIF(ISEMPTY(c.role), "", ", " + c.role) + " - " + NVL(c.email, "no e-mail")
    NEXT
    TALK JOIN(people, "\n")
END SUB

' Import the trade-show sign-up sheet (contacts.gbdata/<import_table>.csv). Its columns have other
' names, some rows lack an e-mail, and some people are already contacts: rename with MAP,
' clean up, then MERGE on the e-mail address so running the import twice changes nothing.
SUB import_leads()
    sheet = FIND import_table
    IF COUNT(sheet) = 0 THEN
        TALK "There is no sign-up sheet to import."
        EXIT SUB
    END IF
    renamed = MAP(sheet, "full_name->name, e_mail->email, mobile->phone, organisation->company, job_title->role")
    clean = []
    skipped = []
    FOR EACH r IN renamed
        IF ISEMPTY(r.email) THEN
            PUSH skipped, r.name
            CONTINUE FOR
        END IF
        email = LCASE(TRIM(r.email))
        known = FIND("contacts", "email", email)
        row = {email: email, name: r.name, company: r.company, role: r.role, city: r.city, updated: NOW()}
        IF NOT ISEMPTY(r.phone) THEN row.phone = REPLACE(r.phone, " ", "")
        IF COUNT(known) = 0 THEN
            row.tags = "lead"
            row.source = import_table
            row.created = NOW()
            row.notes = FORMAT(TODAY(), "yyyy-MM-dd") + ": met at " + import_table + IIF(ISEMPTY(r.interest), "", " - " + r.interest)
        END IF
        PUSH clean, row
    NEXT
    result = MERGE "contacts", clean, "email"
    TALK "Imported " + COUNT(clean) + " lead(s): " + result.inserted + " new, " + result.updated + " updated."
    IF COUNT(skipped) > 0 THEN TALK "Skipped (no e-mail): " + JOIN(skipped, ", ")
    SET BOT MEMORY "last-import", {table: import_table, at: NOW(), inserted: result.inserted, updated: result.updated}
END SUB

' Write the address book to the drive as CSV (exports/contacts-YYYY-MM-DD.csv).
SUB export_csv()
    rows = FIND "contacts", "ORDER BY name"
    lines = ["name,email,phone,company,role,city,tags"]
    FOR EACH c IN rows
        cells = []
        FOR EACH column IN ["name", "email", "phone", "company", "role", "city", "tags"]
            PUSH cells, csv_cell(c[column])
        NEXT
        PUSH lines, JOIN(cells, ",")
    NEXT
    path = "exports/contacts-" + FORMAT(TODAY(), "yyyy-MM-dd") + ".csv"
    WRITE path, JOIN(lines, "\n") + "\n"
    TALK "Exported " + COUNT(rows) + " contact(s) to " + path + " in the bot's drive."
END SUB

' A CSV cell: quoted when it contains a comma, a quote or a line break.
FUNCTION csv_cell(value)
    text = NVL(value, "")
    IF INSTR(text, ",") > 0 OR INSTR(text, "\"") > 0 OR INSTR(text, "\n") > 0 THEN
        RETURN "\"" + REPLACE(text, "\"", "\"\"") + "\""
    END IF
    RETURN text
END FUNCTION
