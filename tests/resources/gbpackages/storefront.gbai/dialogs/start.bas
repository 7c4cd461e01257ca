REM Corner Store: scripts kept in dialogs/, outside any .gbdialog folder
SET HEADER Accept = "application/json"
TALK "Hi " + username + ", welcome to the Corner Store."

HEAR category AS "drinks", "snacks", * WITH "What are you looking for?"
in_stock = FIND "products" WITH "category = " + category + " AND stock > 0"
IF COUNT(in_stock) = 0 THEN
    TALK "Nothing like '" + category + "' today, sorry."
    EXIT
END IF
FOR p IN in_stock
    TALK p.name + ": " + FORMAT(p.price, "0.00") + " " + currency
NEXT

cheapest = FIND "products" WHERE category = category
    AND stock > 0
    ORDER BY price ASC
    LIMIT 1
TALK "Best value: " + cheapest.name

HEAR qty AS INTEGER WITH "How many packs of " + cheapest.name + "?" DEFAULT 1
total = ROUND(cheapest.price * qty, 2)
CALL "basket.bas", cheapest.sku, qty, total
SET "session.last_total", total

ON ERROR GOTO no_tracking
tracking = GET "/api/shipping/quote?total=" + total
TALK "Shipping: " + tracking
no_tracking:
IF ERR THEN TALK "Shipping is quoted at the till."
CLEAR ERROR

ON FORM SUBMIT "feedback"
    SAVE "feedback", {rating: form.rating, comment: comment}
    TALK "Thanks for rating us " + form.rating + "/5!"
END ON
