PARAM who AS STRING
PARAM times AS INTEGER
RETURN "hi " + who + " x" + times
