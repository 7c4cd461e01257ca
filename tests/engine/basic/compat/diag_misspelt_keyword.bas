OPTION STRICT
TALK "start"
TOLK "hello"
