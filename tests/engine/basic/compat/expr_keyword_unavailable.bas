TALK "before"
img = GENERATE IMAGE "a cat on a sofa"
TALK "never said"
