TALK "start"
total = (1 + 2
TALK "next"
y = 3
