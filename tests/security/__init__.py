"""The security suite: attacks on the LAN server and the BASIC sandbox that must keep failing,
and fuzzing of what strangers can send."""
