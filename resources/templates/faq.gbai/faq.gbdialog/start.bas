' Library FAQ. With a language model, visitors simply type questions: the assistant answers
' from the "library" knowledge base (faq.gbkb/library/) and the opening-hours tool.
' Without one, the same answers are reachable through the topic menu and a keyword lookup
' over faq.gbdata/faq.csv, so the bot is useful from the first minute.
library = NVL(library_name, "the library")

USE KB "library"
ADD TOOL "opening-hours"
SET CONTEXT "visitor" AS "The user is a visitor or member of " + library + "."
BEGIN SYSTEM PROMPT
    Today is ${FORMAT(TODAY(), "dddd d MMMM yyyy")}.
    If a question cannot be answered from the library documents, suggest calling ${library_phone}
    or writing to ${library_email}.
END SYSTEM PROMPT

TALK "Welcome to " + library + "! " + today_hours()

DO
    TALK "How can I help?"
    HEAR choice AS "Browse questions by topic", "Ask a question", "Opening hours this week", "Contact the library", "That's all"
    SELECT CASE choice
        CASE "Browse questions by topic"
            browse
        CASE "Ask a question"
            question = ASK "What would you like to know?"
            answer question
        CASE "Opening hours this week"
            week = CALL opening-hours(TODAY(), "Main Library", 7)
            TALK week
            TALK "Other branches: Northside and Harbour keep shorter hours; just ask."
        CASE "Contact the library"
            TALK "Phone: " + library_phone + "\nE-mail: " + library_email + "\nOr visit the desk at any branch."
        CASE ELSE
            EXIT DO
    END SELECT
LOOP

' Leaving the menu hands the conversation to the assistant: offer the most common questions
' as buttons (they are sent as typed text) and two personas as context buttons.
SET CONTEXT "kids" AS "The user is a child or a parent asking for a child: keep answers simple and mention children's events."
SET CONTEXT "visitor" AS "The user is a visitor or member of " + library + "."
CLEAR SUGGESTIONS
ADD SUGGESTION TEXT "How do I get a library card?"
ADD SUGGESTION TEXT "Do you charge late fees?"
ADD SUGGESTION TEXT "Is the library open today?"
ADD SUGGESTION TEXT "How do I borrow e-books?"
ADD SUGGESTION "kids" AS "I'm asking for a child"
TALK "Happy reading! You can type any other question at any time."

' Today's hours in one short sentence, for the greeting.
FUNCTION today_hours()
    today = FIRST(FIND("opening_hours", {branch: "Main Library", weekday: FORMAT(TODAY(), "dddd")}))
    holiday = FIRST(FIND("holidays", "day", TODAY()))
    IF NOT ISNULL(holiday) AND ISEMPTY(holiday.closes) THEN RETURN "The library is closed today for " + holiday.name + "."
    IF ISNULL(today) THEN RETURN "The Main Library is closed today."
    RETURN "The Main Library is open today from " + today.opens + " to " + NVL(holiday.closes, today.closes) + "."
END FUNCTION

' Topic menu, then question menu, then the answer.
SUB browse()
    rows = FIND "faq"
    topics = UNIQUE(column_of(rows, "topic"))
    TALK "Pick a topic:"
    HEAR topic AS topics
    IF ISNULL(topic) THEN EXIT SUB
    entries = FIND "faq", {topic: topic}
    questions = column_of(entries, "question")
    TALK "Which question?"
    HEAR q AS questions
    IF ISNULL(q) THEN EXIT SUB
    TALK entries[INDEX_OF(questions, q)].answer
END SUB

' Free question. The knowledge base (THINK KB) is used when it is available; otherwise, or when
' it is not confident, the best keyword match in the FAQ table answers.
SUB answer(question)
    IF ISEMPTY(question) THEN EXIT SUB
    ON ERROR RESUME NEXT
    found = THINK KB question
    ON ERROR GOTO 0
    IF NOT ISNULL(found) AND found.confidence >= 0.5 THEN
        TALK found.summary
        EXIT SUB
    END IF

    best = NULL
    best_score = 0
    words = useful_words(SPLIT(LCASE(REPLACE(REPLACE(question, "?", ""), ",", "")), " "))
    FOR EACH row IN FIND("faq")
        haystack = LCASE(row.question + " " + row.keywords)
        score = 0
        FOR EACH w IN words
            IF INSTR(haystack, w) > 0 THEN score += 1
        NEXT
        IF score > best_score THEN
            best = row
            best_score = score
        END IF
    NEXT
    IF ISNULL(best) THEN
        TALK "I don't have an answer to that one. Please ask the staff: " + library_phone + " or " + library_email + "."
    ELSE
        TALK "**" + best.question + "**\n" + best.answer
    END IF
END SUB

' Words worth matching: at least 3 letters and not a common filler word.
FUNCTION useful_words(words)
    stop = ["the", "and", "can", "how", "what", "does", "do", "you", "your", "for", "are", "with", "there", "have", "when", "where", "much", "many", "any", "get", "library"]
    kept = []
    FOR EACH w IN words
        IF LEN(w) >= 3 AND NOT w IN stop THEN PUSH kept, w
    NEXT
    RETURN kept
END FUNCTION

FUNCTION column_of(rows, field)
    out = []
    FOR EACH r IN rows
        PUSH out, r[field]
    NEXT
    RETURN out
END FUNCTION
