"""A client yit did not write: the official Python MCP SDK (PyPI `mcp`)
drives `yit mcp` over stdio, as an agent framework would.

    client.py YIT REPO      (run by tests/mcp.rs, in the venv scripts/test makes)

Every server it starts is the SDK's child, ended when its session closes;
the Rust test that runs this checks that none is left. Exits non-zero, with
the failed assertion on stderr, when anything is not as it should be.
"""

import asyncio
import json
import os
import sys

import mcp.types as types
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

YIT, REPO = sys.argv[1], sys.argv[2]
TOOLS = {"list", "search", "show", "ready", "blocked", "new", "new_plan", "edit", "comment",
         "close", "reopen", "label", "assign", "claim", "release", "dep_add", "dep_rm",
         "log"}


def server(*args):
    # (the SDK closes inherited descriptors: the lifeline stays with the test)
    env = {k: v for k, v in os.environ.items() if k != "YIT_LIFELINE_FD"}
    return StdioServerParameters(command=YIT, args=["mcp", "-C", REPO, *args], env=env, cwd=REPO)


def answer(result):
    """The tool's JSON answer; its error object when it failed."""
    value = result.structured_content
    assert value is not None, result
    assert value["schema_version"] == 1, value
    return value


async def call_text(session, name, arguments):
    """A list tool's answer as every client gets it: text alone."""
    result = await session.call_tool(name, arguments)
    assert not result.is_error and result.structured_content is None, result
    return result.content[0].text


async def call(session, name, arguments):
    result = await session.call_tool(name, arguments)
    value = answer(result)
    assert not result.is_error, f"{name} {arguments}: {value}"
    return value


async def refused(session, name, arguments, kind):
    result = await session.call_tool(name, arguments)
    value = answer(result)
    assert result.is_error, f"{name} {arguments} should fail: {value}"
    assert value["error"]["kind"] == kind, value
    return value["error"]


def tree():
    out = {}
    for name in sorted(os.listdir(os.path.join(REPO, ".issues"))):
        with open(os.path.join(REPO, ".issues", name), "rb") as f:
            out[name] = f.read()
    return out


class Heard:
    """The notifications a session hears."""

    def __init__(self):
        self.updated = []
        self.event = asyncio.Event()

    async def __call__(self, message):
        if isinstance(message, types.ResourceUpdatedNotification):
            self.updated.append(str(message.params.uri))
            self.event.set()


async def main():
    heard = Heard()
    async with stdio_client(server("--as", "Agent One <one@example.com>")) as (r1, w1), \
            ClientSession(r1, w1, message_handler=heard) as one, \
            stdio_client(server("--as", "Agent Two <two@example.com>")) as (r2, w2), \
            ClientSession(r2, w2) as two:
        await one.initialize()
        await two.initialize()

        # the tools, each with a schema of its arguments
        tools = (await one.list_tools()).tools
        assert {t.name for t in tools} == TOOLS, [t.name for t in tools]
        for tool in tools:
            assert tool.input_schema["type"] == "object", tool
            assert len(tool.description) > 60, tool.name

        # create -> claim -> comment -> close
        issue = (await call(one, "new", {"title": "Parser panics on empty input", "labels": ["bug"], "priority": 1}))["issue"]
        ident = issue["id"]
        assert issue["author"] == "Agent One <one@example.com>", issue
        # what a model is shown: a line per issue, no JSON copy
        text = await call_text(two, "ready", {})
        assert text.splitlines()[1].startswith(issue["short_id"] + " P1 open"), text
        ready = await call(two, "ready", {"json": True})
        assert [i["id"] for i in ready["issues"]] == [ident], ready
        claimed = (await call(one, "claim", {"id": issue["short_id"]}))["issue"]
        assert claimed["assignee"] == "Agent One <one@example.com>" and claimed["status"] == "in_progress", claimed
        await call(one, "comment", {"id": ident, "body": "Found it: an off-by-one in the lexer."})
        closed = (await call(one, "close", {"ids": [ident], "reason": "fixed"}))["issues"][0]
        assert closed["status"] == "closed" and len(closed["comments"]) == 2, closed
        shown = await call(two, "show", {"id": ident})
        assert shown["issue"]["comments"][0]["author"] == "Agent One <one@example.com>", shown
        assert len(shown["version"]) == 32, shown

        # a plan: all or nothing
        plan = "- key: api\n  title: Design the API\n- title: Build the API\n  depends_on: [api]\n"
        made = await call(one, "new_plan", {"plan": plan})
        assert len(made["issues"]) == 2 and "api" in made["keys"], made
        before = tree()
        error = await refused(one, "new_plan", {"plan": "- title: A\n  depends_on: [nowhere]\n"}, "invalid")
        assert "nothing was created" in error["message"], error
        assert any("nowhere" in p["message"] for p in error["problems"]), error
        assert tree() == before, "a refused plan creates nothing"
        blocked = await call(two, "blocked", {"json": True})
        assert blocked["blocked"][0]["waits_for"][0]["id"] == made["keys"]["api"], blocked

        # two agents claim one issue at once: exactly one wins
        contested = (await call(two, "new", {"title": "Contested"}))["issue"]["id"]
        results = await asyncio.gather(
            one.call_tool("claim", {"id": contested}),
            two.call_tool("claim", {"id": contested}),
        )
        won = [r for r in results if not r.is_error]
        lost = [answer(r) for r in results if r.is_error]
        assert len(won) == 1 and len(lost) == 1, [answer(r) for r in results]
        winner = answer(won[0])["issue"]["assignee"]
        assert lost[0]["error"]["kind"] == "refused", lost
        assert winner.split(" <")[0] in lost[0]["error"]["message"], (winner, lost)

        # bad input: a tool error, nothing changed
        before = tree()
        for name, arguments, kind in [
            ("new", {"title": 12}, "usage"),
            ("new", {"title": "x", "colour": "red"}, "usage"),
            ("new", {"title": "x" * 2_000_000}, "invalid"),
            ("new", {"title": "line\nbreak"}, "invalid"),
            ("edit", {"id": contested, "status": "nope"}, "invalid"),
            ("edit", {"id": contested, "priority": 9}, "invalid"),
            ("show", {"id": "zzzz"}, "not_found"),
            ("list", {"query": "priority:high"}, "invalid"),
            ("dep_add", {"id": made["keys"]["api"], "on": [made["issues"][1]["id"]]}, "refused"),
        ]:
            await refused(one, name, arguments, kind)
        assert tree() == before, "bad input changes nothing"

        # resources, and a subscriber hears of a change made elsewhere
        listed = (await one.list_resources()).resources
        uris = {str(r.uri) for r in listed}
        assert f"yit://issue/{ident}" in uris and "yit://config" in uris and "yit://docs/query.md" in uris, uris
        read = await one.read_resource(f"yit://issue/{ident}")
        assert json.loads(read.contents[0].text)["issue"]["id"] == ident, read
        query_doc = await one.read_resource("yit://docs/query.md")
        assert "priority" in query_doc.contents[0].text
        await one.subscribe_resource(f"yit://issue/{contested}")
        await call(two, "comment", {"id": contested, "body": "I'll review it."})
        await asyncio.wait_for(heard.event.wait(), 10)
        assert f"yit://issue/{contested}" in heard.updated, heard.updated
    print("ok")


asyncio.run(main())
