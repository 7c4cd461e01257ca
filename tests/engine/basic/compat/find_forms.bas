TABLE orders
    customer STRING
    total NUMBER
    status STRING
END TABLE
SAVE "orders", {customer: "Ana", total: 30, status: "open"}
SAVE "orders", {customer: "Rui", total: 120, status: "open"}
SAVE "orders", {customer: "Eva", total: 75, status: "closed"}
everything = FIND ALL "orders"
TALK COUNT(everything)
opened = FIND "orders" WITH "status = open"
TALK COUNT(opened)
biggest = FIND "orders" WHERE status = "open" ORDER BY total DESC LIMIT 1
TALK biggest.customer
cheap_first = FIND "orders" WHERE total > 10
    AND status = "open"
    ORDER BY total ASC
FOR EACH o IN cheap_first
    TALK o.customer + " " + o.total
NEXT
eva = FIND "orders" WHERE customer = "Eva" FIRST
TALK eva.total
nobody = FIND "orders" WHERE customer = "Zoe" FIRST
TALK ISNULL(nobody)
TALK ISNULL(FIND("orders", "customer = Zoe").customer)
FOR EACH o IN FIND "orders" WHERE status = "open" ORDER BY total DESC DO
    TALK "open: " + o.customer
NEXT
