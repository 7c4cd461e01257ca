SET "session.plan", "gold"
plan = GET "session.plan"
TALK plan
SET HEADER Authorization = "Bearer abc"
SET HEADER "X-Trace" = "42"
TALK "headers set"
