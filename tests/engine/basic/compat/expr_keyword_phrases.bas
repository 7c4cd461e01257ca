' keyword phrases on the right of an assignment (General Bots keywords Hearth lacks)
order = JSON PARSE "{""id"": 7, ""items"": [""tea"", ""cake""]}"
TALK "order " + order.id + " has " + LEN(order.items) + " items"
mood = ANALYZE SENTIMENT "The cake was wonderful"
TALK "mood: " + mood.label
polite = REWRITE "gimme the cake", "politely"
TALK polite
snippet = GENERATE CODE "a function that adds two numbers"
TALK snippet
ON ERROR RESUME NEXT
found = SEARCH PRODUCTS "cake", 5
TALK "search: " + ERR.description
CLEAR ERROR
rows = SELECT * FROM orders WHERE id = 7
TALK "select: " + ERR.description
