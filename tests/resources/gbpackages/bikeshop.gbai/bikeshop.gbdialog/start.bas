' Bike Shop: book a repair slot; the workshop takes each bike once a day
USE TOOL "repairs"
TALK "Welcome to the Bike Shop, " + username + "!"
HEAR bike AS STRING WITH "Which bike needs a repair?"
HEAR day AS DATE WITH "Which day suits you?"
ON ERROR RESUME NEXT
SAVE "repairs", {bike: bike, day: day, customer: username}
IF ERR THEN
    TALK "The " + bike + " is already booked on " + FORMAT(day, "dd/MM/yyyy") + "."
ELSE
    r = FIND "repairs" WHERE bike = bike AND day = day
    TALK "Booked: the " + r.bike + " on " + FORMAT(r.day, "dd/MM/yyyy") + " (" + r.status + ")."
END IF
