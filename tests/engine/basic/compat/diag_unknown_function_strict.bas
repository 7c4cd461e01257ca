TALK "start"
x = FOOBAR(2)
