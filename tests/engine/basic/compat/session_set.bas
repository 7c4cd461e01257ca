SET "session.plan", "gold"
plan = GET "session.plan"
TALK plan
SET "session.step" = 2
step = GET "session.step"
TALK step + 1
SET HEADER Authorization = "Bearer abc"
SET HEADER "X-Trace" = "42"
TALK "headers set"
