HEAR age AS INTEGER WITH "How old are you?"
TALK "age " + age
HEAR city AS "Which city?"
TALK "city " + city
HEAR size AS MENU "S", "M", "L"
TALK "size " + size
HEAR colour AS "red", "blue", *
TALK "colour " + colour
HEAR note AS TEXT DEFAULT "none"
TALK "note " + note
HEAR qty AS INTEGER WITH "How many?" DEFAULT 1
TALK "qty " + qty
