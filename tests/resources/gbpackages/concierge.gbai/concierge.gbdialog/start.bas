# Hotel concierge: books a stay and answers requests
# (written in the style of upstream templates: JavaScript-ish expressions, keyword phrases)

guest = (GET "session.user_name") ?? "guest"
first = guest.split(" ")[0].trim()
TALK "Welcome to the hotel, " + first + "!"

HEAR nights AS INTEGER WITH "How many nights will you stay?"
total = nights * night_price
checkout = DATEADD TODAY(), nights, "day"
leaving = FORMAT checkout, "dd/MM/yyyy"
TALK "That is " + FORMAT total, "#,##0.00" + " EUR, checking out on " + leaving + "."
TALK nights > 2 ? "Breakfast is on us." : "Enjoy your stay."

HEAR request AS "Anything we can do before you arrive?"
IF request CONTAINS "late" THEN
    TALK "Late arrival noted: the desk is open all night."
ELSEIF request STARTS WITH "spa" || request ENDS WITH "massage" THEN
    ON ERROR RESUME NEXT
    slots = SEARCH PRODUCTS "spa", 3
    IF ERR THEN TALK "The spa books at the desk (" + ERR.description + ")."
    ON ERROR GOTO 0
ELSEIF request.length > 0 THEN
    ON ERROR RESUME NEXT
    mood = ANALYZE SENTIMENT request
    ON ERROR GOTO 0
    TALK "Thanks, " + first + ": " + (mood?.label ?? "we will read it") + "."
END IF

SET SESSION "nights", nights
summary = {guest: guest, nights: GET SESSION "nights", total: FORMAT(total, "0.00")}
TALK "Booking: " + JSON.stringify(summary)
