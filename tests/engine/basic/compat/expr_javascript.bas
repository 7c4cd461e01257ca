name = "  ana maria  "
TALK name.trim().toUpperCase()
TALK name.trim().length
tags = "tea,cake,jam".split(",")
TALK tags.join(" | ") + " (" + tags.length + ")"
TALK tags.includes("jam") && !tags.includes("bread")
TALK tags.indexOf("cake") + " " + "banana".indexOf("n") + " " + "banana".slice(-3)
TALK "a-b-a".replace("a", "x") + " " + "a-b-a".replaceAll("a", "x")
TALK "Hello".startsWith("He") || "Hello".endsWith("x")
TALK "Hello".startsWith("he")
score = 72
TALK score >= 50 ? "pass" : "fail"
TALK score > 90 ? "A" : score > 70 ? "B" : "C"
customer = NULL
TALK customer?.name ?? "anonymous"
TALK customer ?? "none"
TALK 0 ?? 5
cart = {items: ["tea"]}
TALK cart?.items?.length
data = JSON.parse("{""n"": 3}")
TALK JSON.stringify(data) + " " + Math.max(data.n, 10)
TALK (3.14159).toFixed(2)
TALK score === 72 && "a" !== "b"
tags.push("bread")
TALK tags.length
