SAVE "notes", {text: "one"}
rows = GET "/api/bots/testbot/tables/notes/rows"
TALK rows.text
added = POST "/api/bots/testbot/tables/notes/rows", {text: "two"}
TALK added.success
TALK COUNT(FIND("notes"))
some = GET "/api/bots/testbot/tables/notes/rows?filter=text%20%3D%20two"
TALK some.text
ON ERROR GOTO failed
x = GET "/api/weather/today"
TALK "not reached"
failed:
TALK ERR.KIND + ": " + ERR.DESCRIPTION
CLEAR ERROR
ON ERROR GOTO 0
place = NULL
y = GET place
