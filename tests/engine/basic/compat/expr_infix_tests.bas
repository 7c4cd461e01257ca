email = "Ana@Example.com"
IF email CONTAINS "example" THEN TALK "company address"
TALK email STARTS WITH "ana"
TALK email ENDS WITH ".COM"
TALK email ENDS WITH ".org"
tags = ["vip", "new"]
TALK tags CONTAINS "vip"
TALK NOT (email CONTAINS "@")
ok = email CONTAINS "@" AND email ENDS WITH ".com"
TALK ok
IF email NOT CONTAINS "gmail" THEN TALK "not gmail"
