TALK "[" + email + "]"
email = "other@example.com"
TALK email
