' The starter bot: a menu loop over a local "notes" table.
' Each note belongs to the user who wrote it (the owner column), so people sharing the bot
' only ever see their own notes. The table is created automatically by the first SAVE.
' Offer the add-note tool to the model: a free-text "remind me to…" becomes a note.
ADD TOOL "add-note"
me = GET "session.user_id"
who = GET "session.user_name"
TALK "Hello" + IIF(ISEMPTY(who), "", ", " + who) + "! I keep short notes for you, on this machine only."
DO
  HEAR choice AS "Take a note", "List my notes", "Clear my notes", "Quit"
  SELECT CASE choice
    CASE "Take a note"
      note = ASK "What should I write down?"
      IF ISEMPTY(note) THEN
        TALK "Nothing to save."
      ELSE
        SAVE "notes", {owner: me, text: note, created: NOW()}
        TALK "Saved. You have " + COUNT(FIND("notes", {owner: me})) + " note(s)."
      END IF
    CASE "List my notes"
      notes = FIND "notes" WHERE owner = me
      IF COUNT(notes) = 0 THEN
        TALK "No notes yet."
      ELSE
        FOR EACH n IN SORT(notes, "created")
          TALK "• " + n.text + "  (" + FORMAT(n.created, "MMM d, HH:mm") + ")"
        NEXT
      END IF
    CASE "Clear my notes"
      sure = ASK "Delete all your notes?" AS BOOLEAN
      IF sure THEN
        removed = DELETE FROM "notes" WHERE owner = me
        TALK "Removed " + removed + " note(s)."
      END IF
    CASE ELSE
      ' "Quit", or three answers that matched no option (HEAR gives null)
      TALK "Bye!"
      EXIT DO
  END SELECT
LOOP
