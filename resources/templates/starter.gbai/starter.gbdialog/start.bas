' The starter bot: a menu loop over a local "notes" table.
TALK "Hello" + IIF(ISEMPTY(GET("session.user_name")), "", ", " + GET("session.user_name")) + "! I keep short notes for you, on this machine only."
DO
  HEAR choice AS "Take a note", "List my notes", "Clear my notes", "Quit"
  SELECT CASE choice
    CASE "Take a note"
      note = ASK "What should I write down?"
      IF ISEMPTY(note) THEN
        TALK "Nothing to save."
      ELSE
        SAVE "notes", {text: note, created: NOW()}
        TALK "Saved. You have " + COUNT("notes", "*") + " note(s)."
      END IF
    CASE "List my notes"
      notes = FIND "notes", "ORDER BY id"
      IF COUNT(notes) = 0 THEN
        TALK "No notes yet."
      ELSE
        FOR EACH n IN notes
          TALK n.id + ". " + n.text + "  (" + FORMAT(n.created, "MMM d, HH:mm") + ")"
        NEXT
      END IF
    CASE "Clear my notes"
      removed = DELETE "notes", "*"
      TALK "Removed " + removed + " note(s)."
    CASE "Quit", NULL
      TALK "Bye!"
      EXIT DO
  END SELECT
LOOP
