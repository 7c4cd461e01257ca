' The survey: short, one question at a time, every answer validated. Numbers that are out of
' range are asked again (up to three times), like any invalid HEAR answer.
shop = NVL(shop_name, "our shop")

' Don't ask the same customer twice in a month (REMEMBER expires by itself).
IF RECALL("survey-answered") THEN
    TALK "You already told us about your last visit - thank you! See you soon at " + shop + "."
    END
END IF

TALK "Hi! Thanks for visiting " + shop + ". May I ask you 4 quick questions? It takes about a minute."
go = HEAR AS BOOLEAN
IF NOT go THEN
    TALK "No problem. Have a good ride!"
    END
END IF

TALK "What did you come in for?"
HEAR service AS "Repair or service", "Buying a bike", "Rental", "Parts and accessories"
IF ISNULL(service) THEN service = "Other"

satisfaction = CALL ask_number("How happy are you with it, from 1 (not at all) to 5 (very)?", 1, 5)
IF ISNULL(satisfaction) THEN
    TALK "Let's leave it there - thanks for your time."
    END
END IF

on_time = NULL
IF service = "Repair or service" THEN on_time = ASK "Was your bike ready when we promised?" AS BOOLEAN

nps = CALL ask_number("How likely are you to recommend us to a friend, from 0 to 10?", 0, 10)
IF ISNULL(nps) THEN
    TALK "Let's leave it there - thanks for your time."
    END
END IF

' Promoters, passives and detractors get a different follow-up question.
SELECT CASE nps
    CASE 9 TO 10
        kind = "promoter"
        comment = ASK "Wonderful! What did you like most? (or \"no\")"
    CASE 7 TO 8
        kind = "passive"
        comment = ASK "Thanks! What would make it a 10 for you? (or \"no\")"
    CASE ELSE
        kind = "detractor"
        comment = ASK "Sorry we let you down. What went wrong? (or \"no\")"
END SELECT
IF LCASE(comment) IN ("no", "n", "nothing", "-", "") THEN comment = NULL

' Unhappy customers may ask to be called back; the owner hears about it at once.
contact_ok = FALSE
email = NULL
IF kind = "detractor" OR satisfaction <= 2 THEN
    contact_ok = ASK "Would you like the shop manager to contact you about it?" AS BOOLEAN
    IF contact_ok THEN
        email = ASK "What e-mail address should we use?" AS EMAIL
        contact_ok = NOT ISNULL(email)
    END IF
END IF

WITH answer
    respondent = GET("session.user_id")
    channel = GET("session.channel")
    service = service
    satisfaction = satisfaction
    nps = nps
    on_time = on_time
    comment = comment
    contact_ok = contact_ok
    email = email
    submitted = NOW()
END WITH
SAVE "responses", answer
REMEMBER "survey-answered", TRUE, NVL(survey_cooldown_days, 30) + " days"

IF contact_ok THEN
    BEGIN MAIL owner_email
        Subject: Unhappy customer wants a call back (${satisfaction}/5, NPS ${nps})

        Service: ${service}
        Ready on time: ${IIF(ISNULL(on_time), "n/a", IIF(on_time, "yes", "no"))}
        Comment: ${NVL(comment, "(none)")}

        Please contact them at ${email} within one working day.
    END MAIL
    TALK "Thank you. Our manager will write to you at " + email + " within one working day."
ELSEIF kind = "promoter" THEN
    TALK "Thank you so much! If you have a minute, a review on our map listing helps a small shop a lot."
ELSE
    TALK "Thank you for your honest answers - they go straight to the team."
END IF

' Ask for a whole number in [low, high]: HEAR AS INTEGER rejects words, this rejects the range.
FUNCTION ask_number(question, low, high)
    TALK question
    FOR attempt = 1 TO 3
        HEAR n AS INTEGER
        IF ISNULL(n) THEN RETURN NULL
        IF n >= low AND n <= high THEN RETURN n
        IF attempt < 3 THEN TALK "Please answer with a number from " + low + " to " + high + "."
    NEXT
    RETURN NULL
END FUNCTION
