r = CALL "greet.bas", "Ana", 2
TALK r
CALL "greet.bas", "Rui", 3
ON ERROR RESUME NEXT
x = CALL "/api/crm/contacts", {name: "Ana"}
TALK ERR.KIND + ": " + ERR.DESCRIPTION
