TALK "start"
TALK "Hello
TALK "world"
x = 1
