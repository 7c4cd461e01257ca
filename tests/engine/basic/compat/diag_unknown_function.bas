TALK "start"
x = ABS(-2) + FOOBAR(2)
