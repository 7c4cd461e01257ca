"""Procedure tools (docs/basic-compatibility.md P2): a SUB or FUNCTION whose body has a
DESCRIPTION line is a tool of its own, named by the procedure, with the PARAM lines of its
body; the file keeps its own PARAM/DESCRIPTION lines (if any) as before."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from engine.basic.vm import VM

if TYPE_CHECKING:
    from tests.engine.basic.conftest import BasicKit

ORDERS = '''
' orders.bas: three tools in one file (its top level runs only when the file runs)
TALK "the top level ran"

FUNCTION check_order
    DESCRIPTION "Look up the status of an order"
    PARAM order_id AS STRING LIKE "A-1001" DESCRIPTION "Order number"
    RETURN "order " + order_id + " is " + status_of(order_id)
END FUNCTION

SUB cancel_order(order_id, reason = "customer request")
    PARAM order_id AS STRING DESCRIPTION "Order number"
    PARAM reason AS STRING OPTIONAL DESCRIPTION "Why it is cancelled"
    DESCRIPTION "Cancel an order"
    TALK "Cancelling " + order_id + " (" + reason + ")"
END SUB

FUNCTION add_items
    DESCRIPTION "Add items to an order"
    PARAM qty AS INTEGER DESCRIPTION "How many"
    PARAM size AS STRING ENUM ["S", "M", "L"] OPTIONAL
    add_items = qty * 2
    IF size THEN add_items = size + ":" + add_items
END FUNCTION

FUNCTION status_of(id)
    IF id = "A-7" THEN RETURN "shipped"
    RETURN "open"
END FUNCTION
'''


def _names(basic: BasicKit, source: str, name: str = "orders") -> list[str]:
    return [tool.openai_tool()["function"]["name"] for tool in basic.program(source, name).tools()]


def test_each_described_procedure_is_a_tool(basic: BasicKit) -> None:
    program = basic.program(ORDERS, "orders")
    assert not program.is_tool  # the file itself declares no PARAM or DESCRIPTION
    assert _names(basic, ORDERS) == ["check_order", "cancel_order", "add_items"]
    check = program.proc_tools["check_order"].openai_tool()["function"]
    assert check == {
        "name": "check_order", "description": "Look up the status of an order",
        "parameters": {"type": "object", "properties": {
            "order_id": {"type": "string", "description": "Order number", "example": "A-1001"}},
            "required": ["order_id"]}}
    cancel = program.proc_tools["cancel_order"].mcp_tool()
    assert cancel["name"] == "cancel_order" and cancel["description"] == "Cancel an order"
    assert list(cancel["inputSchema"]["properties"]) == ["order_id", "reason"]
    assert cancel["inputSchema"]["required"] == ["order_id"]


def test_strict_mode_knows_a_procedure_tools_params(basic: BasicKit) -> None:
    program = basic.compile("OPTION STRICT\n" + ORDERS, "orders")
    assert program.ok, [d.transcript() for d in program.errors]


def test_the_file_tool_keeps_its_own_lines(basic: BasicKit) -> None:
    source = ('PARAM n AS INTEGER\nDESCRIPTION "Doubles"\nRETURN n * 2\n'
              'FUNCTION halve\n  DESCRIPTION "Halves"\n  PARAM m AS FLOAT\n  RETURN m / 2\n'
              'END FUNCTION\n'
              'SUB helper\n  PARAM extra AS STRING\nEND SUB\n')
    program = basic.program(source, "maths")
    assert _names(basic, source, "maths") == ["maths", "halve"]
    own = program.openai_tool()["function"]
    # a PARAM inside a procedure without DESCRIPTION stays the file's, as before
    assert own["description"] == "Doubles" and list(own["parameters"]["properties"]) == [
        "n", "extra"]
    halve = program.proc_tools["halve"].openai_tool()["function"]
    assert list(halve["parameters"]["properties"]) == ["m"]
    assert halve["parameters"]["properties"]["m"]["type"] == "number"


def test_a_file_without_described_procedures_is_unchanged(basic: BasicKit) -> None:
    source = 'SUB s\n  PARAM x AS STRING\nEND SUB\nDESCRIPTION "One"\n'
    program = basic.program(source, "one")
    assert _names(basic, source, "one") == ["one"] and program.proc_tools == {}
    assert list(program.openai_tool()["function"]["parameters"]["properties"]) == ["x"]


def _run(basic: BasicKit, tool: str, arguments: dict[str, object]) -> tuple[object, list[str]]:
    program = basic.program(ORDERS, "orders").proc_tools[tool]
    host = basic.host()
    outcome = VM(host).start(program, arguments)
    assert outcome.error is None, outcome.error
    return outcome.result, host.output.lines


def test_running_a_procedure_tool_runs_only_its_procedure(basic: BasicKit) -> None:
    result, lines = _run(basic, "check_order", {"ORDER_ID": "A-7"})
    assert result == "order A-7 is shipped" and lines == []  # the top level did not run
    result, lines = _run(basic, "cancel_order", {"order_id": "B-2"})
    assert result is None and lines == ["< Cancelling B-2 (customer request)"]
    _, lines = _run(basic, "cancel_order", {"order_id": "B-2", "reason": "late"})
    assert lines == ["< Cancelling B-2 (late)"]
    result, _ = _run(basic, "add_items", {"qty": "21", "size": "m"})
    assert result == "M:42"  # coerced to INTEGER, ENUM spelling kept


def test_a_bad_argument_stops_the_tool_before_it_runs(basic: BasicKit) -> None:
    program = basic.program(ORDERS, "orders").proc_tools["add_items"]
    outcome = VM(basic.host()).start(program, {"qty": "many"})
    assert outcome.error is not None and outcome.error.kind == "TypeError"
    assert "argument 'qty': expected integer" in outcome.error.message


def test_use_tool_of_the_file_offers_every_procedure_tool(basic: BasicKit) -> None:
    run = basic.run('USE TOOL "orders.bas"\nUSE TOOL "halve"\n', scripts={"orders": ORDERS})
    assert run.error is None
    assert run.host.session.tools == ["orders", "check_order", "cancel_order", "add_items",
                                      "halve"]


def test_descriptors_are_json(basic: BasicKit) -> None:
    for tool in basic.program(ORDERS, "orders").tools():
        assert json.loads(json.dumps(tool.openai_tool())) == tool.openai_tool()
