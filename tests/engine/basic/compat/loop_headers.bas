items = ["a", "b", "c", "d"]
FOR x IN items
    TALK x
NEXT
FOR EACH x IN items DO
    TALK "each " + x
NEXT
FOR EACH x IN items LAST 2
    TALK "last " + x
NEXT
n = 0
WHILE n < 3 DO
    n = n + 1
WEND
TALK n
IF n = 3 THEN EXIT
TALK "never said"
