TALK username
TALK userid
TALK email
TALK user.name + " <" + user.email + ">"
TALK bot
TALK hour
TALK ISNULL(mobile)
