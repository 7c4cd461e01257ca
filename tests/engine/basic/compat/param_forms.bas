PARAM amount AS number DESCRIPTION "Amount to pay"
PARAM city AS "The city to search"
DESCRIPTION "Find offers"
TALK TYPEOF(amount) + " " + amount
TALK city
