"""The tool-call requests of ``bench/llm.py``: 6 tools, two halves of requests.

``TUNE`` is the half the tool selection was tuned on (the first 20 are the requests of the
earlier 20-request benchmark); ``HELD_OUT`` was written at the same time, by the same rules
(varied phrasing, argument extraction, requests that need no tool) and only ever run to
report its figure, never to tune. A case is (request, expected tool or None, key argument,
text the argument must contain).
"""

from __future__ import annotations

from typing import Any

Case = tuple[str, str | None, str, str]


def tool(name: str, description: str, params: dict[str, dict[str, Any]],
         required: list[str]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "description": description,
            "parameters": {"type": "object", "properties": params, "required": required}}}


def _s(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


TOOLS = [
    tool("save-note", "Save a note for the user", {"text": _s("The note text")}, ["text"]),
    tool("check-order", "Look up the status of an order",
         {"order_id": _s("Order number", example="A-1001"),
          "channel": _s("Where the order was placed", enum=["web", "phone"])}, ["order_id"]),
    tool("get-weather", "Get the weather forecast for a city", {"city": _s("City name")},
         ["city"]),
    tool("book-meeting", "Book a meeting in the calendar",
         {"title": _s("Meeting title"), "date": _s("Day of the meeting", format="date")},
         ["title", "date"]),
    tool("convert-currency", "Convert an amount of money between currencies",
         {"amount": {"type": "number", "description": "Amount to convert"},
          "from_currency": _s("Currency code to convert from"),
          "to_currency": _s("Currency code to convert to")},
         ["amount", "from_currency", "to_currency"]),
    tool("create-ticket", "Open a support ticket about a problem",
         {"summary": _s("What is wrong"),
          "priority": _s("How urgent it is", enum=["low", "normal", "high"])}, ["summary"]),
]

TUNE: list[Case] = [
    ("Please note that I need to buy milk", "save-note", "text", "milk"),
    ("Remember this: call mom on Sunday", "save-note", "text", "mom"),
    ("Save a note: the wifi password is hunter2", "save-note", "text", "hunter2"),
    ("Add to my notes that the team lunch moved to Friday", "save-note", "text", "lunch"),
    ("Jot down: dentist appointment next Tuesday", "save-note", "text", "dentist"),
    ("Where is my order A-1234?", "check-order", "order_id", "A-1234"),
    ("What's the status of order B-7781?", "check-order", "order_id", "B-7781"),
    ("Has order C-5002 shipped yet?", "check-order", "order_id", "C-5002"),
    ("I ordered D-4410 by phone, can you check it?", "check-order", "order_id", "D-4410"),
    ("Track order E-9001 please", "check-order", "order_id", "E-9001"),
    ("What's the weather in Paris?", "get-weather", "city", "Paris"),
    ("Will it rain in London tomorrow?", "get-weather", "city", "London"),
    ("How hot is it in Cairo today?", "get-weather", "city", "Cairo"),
    ("Weather forecast for Tokyo", "get-weather", "city", "Tokyo"),
    ("Do I need an umbrella in Seattle today?", "get-weather", "city", "Seattle"),
    ("Book a meeting called Budget review on 2025-03-14", "book-meeting", "date", "2025-03-14"),
    ("Schedule a meeting 'Team sync' for 2025-04-02", "book-meeting", "date", "2025-04-02"),
    ("Set up a meeting titled Design kickoff on 2025-05-20", "book-meeting", "title", "design"),
    ("Convert 100 USD to EUR", "convert-currency", "amount", "100"),
    ("How much is 250 euros in Japanese yen?", "convert-currency", "amount", "250"),
    ("The coffee machine is broken, open a ticket", "create-ticket", "summary", "coffee"),
    ("Create a ticket: email is not syncing on my phone", "create-ticket", "summary", "email"),
    ("Please file a support request, my monitor flickers", "create-ticket", "summary",
     "monitor"),
    ("Raise a high priority ticket about the broken door lock", "create-ticket", "summary",
     "door"),
    ("Hello!", None, "", ""),
    ("Tell me a joke", None, "", ""),
    ("What is the capital of Italy?", None, "", ""),
    ("Thanks, that's all", None, "", ""),
    ("Who are you?", None, "", ""),
]

HELD_OUT: list[Case] = [
    ("Make a note: pick up the dry cleaning on Thursday", "save-note", "text", "dry cleaning"),
    ("Can you write down that the garage code is 4512?", "save-note", "text", "4512"),
    ("Note to self - renew my passport before June", "save-note", "text", "passport"),
    ("Keep a note that Anna's birthday is on 12 May", "save-note", "text", "anna"),
    ("Add 'call the plumber' to my notes", "save-note", "text", "plumber"),
    ("Can you tell me where order F-2290 is?", "check-order", "order_id", "F-2290"),
    ("Any news on my order G-3150?", "check-order", "order_id", "G-3150"),
    ("Order H-8812 hasn't arrived, what's going on?", "check-order", "order_id", "H-8812"),
    ("Check the delivery status for J-4407 please", "check-order", "order_id", "J-4407"),
    ("Is it going to be sunny in Madrid?", "get-weather", "city", "Madrid"),
    ("What's the temperature in Oslo right now?", "get-weather", "city", "Oslo"),
    ("Should I bring a coat to Berlin today?", "get-weather", "city", "Berlin"),
    ("Give me the forecast for Lisbon", "get-weather", "city", "Lisbon"),
    ("Put a meeting 'Quarterly planning' in my calendar on 2025-06-09", "book-meeting", "date",
     "2025-06-09"),
    ("Please book 'Client call' for 2025-07-01", "book-meeting", "date", "2025-07-01"),
    ("Can you schedule Retro on 2025-08-15?", "book-meeting", "date", "2025-08-15"),
    ("How many dollars is 80 British pounds?", "convert-currency", "amount", "80"),
    ("Change 1200 yen into euros", "convert-currency", "amount", "1200"),
    ("What is 45 CHF in USD?", "convert-currency", "amount", "45"),
    ("Convert 300 Canadian dollars to pounds", "convert-currency", "amount", "300"),
    ("My laptop won't turn on, please open a ticket", "create-ticket", "summary", "laptop"),
    ("Report a problem: the printer on floor 3 is jammed", "create-ticket", "summary",
     "printer"),
    ("I can't log in to the VPN, create a support ticket", "create-ticket", "summary", "VPN"),
    ("Open an urgent ticket: the server room is flooding", "create-ticket", "summary", "flood"),
    ("Good morning!", None, "", ""),
    ("How are you today?", None, "", ""),
    ("What does HTML stand for?", None, "", ""),
    ("Can you recommend a good book?", None, "", ""),
    ("Bye for now", None, "", ""),
]
