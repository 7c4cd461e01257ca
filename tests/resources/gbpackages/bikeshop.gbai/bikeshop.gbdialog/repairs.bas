' Tools for the assistant: each FUNCTION or SUB with a DESCRIPTION is a tool of its own
FUNCTION repair_status
    DESCRIPTION "Tell the status of the repairs booked for a bike"
    PARAM bike AS STRING LIKE "red commuter" DESCRIPTION "The bike, as the customer calls it"
    rows = FIND "repairs" WHERE bike = bike ORDER BY day
    IF COUNT(rows) = 0 THEN RETURN "No repair is booked for the " + bike + "."
    RETURN describe(rows[0])
END FUNCTION

SUB cancel_repair
    DESCRIPTION "Cancel a booked repair"
    PARAM bike AS STRING DESCRIPTION "The bike"
    PARAM day AS DATE DESCRIPTION "The day of the repair"
    DELETE FROM "repairs" WHERE bike = bike AND day = day
    TALK "The repair of the " + bike + " on " + FORMAT(day, "dd/MM/yyyy") + " is cancelled."
END SUB

FUNCTION describe(r)
    RETURN "The " + r.bike + " is " + r.status + " for " + FORMAT(r.day, "dd/MM/yyyy") + _
        " (booked " + FORMAT(r.booked, "dd/MM/yyyy") + ")."
END FUNCTION
