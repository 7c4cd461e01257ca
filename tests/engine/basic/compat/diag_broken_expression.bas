TALK "start"
TALK "Total: " + 
TALK "next"
