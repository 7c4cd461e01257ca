SUB finish(reason)
    TALK "stopping: " + reason
    EXIT
END SUB
TALK "start"
finish "done"
TALK "never said"
