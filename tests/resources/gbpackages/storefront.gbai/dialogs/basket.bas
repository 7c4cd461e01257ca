PARAM sku AS STRING
PARAM qty AS INTEGER
PARAM total AS number
basket = GET "/api/bots/storefront/tables/basket/rows"
added = POST "/api/bots/storefront/tables/basket/rows", {sku: sku, qty: qty, total: total}
lines = FIND ALL "basket"
TALK "Basket: " + COUNT(lines) + " line(s), last " + qty + " x " + sku + " = " + FORMAT(total, "0.00")
IF total >= free_shipping THEN TALK "Free shipping!"
recent = 0
FOR EACH line IN lines LAST 3
    recent = recent + line.qty
NEXT
n = 0
WHILE n < recent DO
    n = n + 1
WEND
TALK "Items in your last lines: " + n
