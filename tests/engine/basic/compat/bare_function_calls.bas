start = DATEVALUE("2026-01-15")
due = DATEADD start, 10, "day"
TALK due
m = MAX 3, 9, 4
TALK m
short = LEFT "Hearth", 3
TALK short
n = ROUND 2.567, 1
TALK n
len = 5
TALK len + 1
