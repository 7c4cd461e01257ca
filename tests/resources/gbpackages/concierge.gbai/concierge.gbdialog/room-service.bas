PARAM dish AS STRING DESCRIPTION "What the guest orders"
PARAM quantity AS INTEGER DESCRIPTION "How many"
DESCRIPTION "Order room service for the guest"

# prices in EUR
menu = JSON PARSE "{""soup"": 7.5, ""club sandwich"": 12, ""salad"": 9}"
key = dish.trim().toLowerCase()
IF NOT menu CONTAINS key THEN
    RETURN "We do not serve " + dish + "; the menu has " + KEYS(menu).join(", ") + "."
END IF
cost = MAX quantity, 1
cost = cost * menu[key]
RETURN quantity + " x " + key + ": " + FORMAT cost, "0.00" + " EUR"
