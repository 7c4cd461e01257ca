' Tool: the assistant keeps a note for the user (the same "notes" table start.bas uses).
PARAM text AS STRING LIKE "Buy milk" DESCRIPTION "The note to keep"
DESCRIPTION "Keep a short note for the user"
IF ISEMPTY(text) THEN RETURN "There is nothing to note."
id = SAVE "notes", {owner: GET("session.user_id"), text: text, created: NOW()}
RETURN "Note " + id + " saved."
