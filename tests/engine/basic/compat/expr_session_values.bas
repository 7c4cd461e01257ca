SET SESSION "plan", "gold"
TALK "Plan: " + (GET SESSION "plan")
TALK UCASE(GET "session.plan")
profile = {user: GET "session.user_name", plan: GET SESSION "plan", bot: GET "session.bot_name"}
TALK profile
IF GET SESSION "plan" = "gold" THEN TALK "gold member"
IF GET "session.missing" = "" THEN TALK "missing is empty"
TALK LEN(GET "session.plan") * 2
SET BOT MEMORY "greeting", "hello"
IF GET BOT MEMORY "greeting" = "hello" THEN TALK "bot memory: " + UCASE(GET BOT MEMORY "greeting")
