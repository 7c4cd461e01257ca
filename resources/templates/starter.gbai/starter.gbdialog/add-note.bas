PARAM text AS STRING LIKE "Buy milk" DESCRIPTION "The note to keep"
DESCRIPTION "Keep a short note for the user"
id = SAVE "notes", {text: text, created: NOW()}
RETURN "Note " + id + " saved."
