"""Fuzzing the hub's Socket.IO events (issue 11: "a fuzz run of the API and Socket.IO
with deep and odd input gives 0 × 500").

Every client → server event the hub handles, per namespace (grep `@socketio.on`):
`subscribe` of screens, consoles and phones (kiosk/realtime.py), and the device agents'
events in AGENT_NAMESPACE (kiosk/realtime_agent.py), is sent odd input: None, numbers,
huge numbers, NaN and Infinity, huge strings, lists, Unicode controls, wrong types for
every key, unknown keys, and a 10,000 deep nesting.  Every call must be answered (the
ack) with `ok: true` or with `ok: false`, a known error code and a message; the server
must never log an error; and afterwards a screen must still subscribe normally and the
agent still be greeted.  Without an agent's token the agent namespace refuses the
connection with its reason, and events sent there anyway reach no handler.

The in-process Flask-SocketIO test client carries most of it.  Its client side encodes
payloads with Python's json, which recurses, so the 10,000-deep nesting is handed to the
server as the raw packet text a browser would send; and once over a real WebSocket, where
engine.io's size limit and the packet decoder are those of a running hub.
"""

from __future__ import annotations

import json
import logging
import math
import os

import pytest
import websocket
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.payloads import SUBSCRIBE_TEXT
from kiosk.rooms import AGENT_NAMESPACE
from tests.support.agents import AGENT, agent_centre
from tests.support.hubs import ADMIN, copy_template, in_process_app
from tests.support.routes import routes_and_events

# every @socketio.on(...) client → server event but "connect" and "disconnect"
EVENTS = {
    "/": ("subscribe",),
    AGENT_NAMESPACE: ("failed", "hello", "jobs", "printed", "scan", "status"),
}
CASES = [
    pytest.param(namespace, event, id=f"{namespace.strip('/') or 'screens'}.{event}")
    for namespace, events in EVENTS.items()
    for event in events
]
KNOWN_ERRORS = {
    "bad_request",
    "too_deep",
    "invalid_json",
    "unknown_counter",
    "unknown_ticket",
    "unknown_centre",  # `centre: CODE` of no centre (kiosk/realtime.py)
    "device_not_paired",
    "login_required",
    "forbidden",
    "database_unavailable",
    "device_revoked",
    "unknown_agent",
    "unknown_job",
}
KEYS = {
    "/": (*SUBSCRIBE_TEXT, "counter", "supervisor"),
    AGENT_NAMESPACE: ("job", "error", "kind", "name", "status", "scanner", "code"),
}
DEEP = 10_000
# Hypothesis examples for the screens' subscribe, half as many for each agent event (300
# and 100 once: the fixed ODD and BROKEN lists above carry the known hard cases, and no
# run found anything after the first hundred); MOTCUA_FUZZ_SOCKETIO_EXAMPLES=1000 runs longer.
EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_SOCKETIO_EXAMPLES", "100"))


def test_every_handled_event_is_listed(app):
    """A new @socketio.on handler must be added to EVENTS, so it is fuzzed too."""
    _routes, events = routes_and_events(app)
    assert events == {namespace: sorted(names) for namespace, names in EVENTS.items()}


@pytest.fixture
def centre_file(tmp_path):
    """The test centre with agent AGENT driving printer "p1" and scanner "s1" of kiosk "kiosk-a"."""
    return agent_centre(tmp_path, "dummy://", scanner="loop://")


@pytest.fixture
def app(app_factory, centre_file):
    return app_factory(centre_file=centre_file)


def _pair_agent(app) -> str:
    anonymous = app.test_client(use_cookies=False)
    username, password = ADMIN
    login = anonymous.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert login.status_code == 200, login.get_json()
    paired = anonymous.post(
        "/api/v1/devices/tokens",
        json={"kind": "agent", "name": AGENT},
        headers={"Authorization": f"Bearer {login.get_json()['token']}"},
    )
    assert paired.status_code == 201, paired.get_json()
    return paired.get_json()["token"]


def _connect(app, agent_token: str):
    """{namespace: a connected test client}: a screen, and the agent with its token;
    both disconnected afterwards."""
    from kiosk.extensions import socketio

    screen = socketio.test_client(app)
    agent = socketio.test_client(app, namespace=AGENT_NAMESPACE, auth={"token": agent_token})
    assert screen.is_connected() and agent.is_connected(AGENT_NAMESPACE)
    yield {"/": screen, AGENT_NAMESPACE: agent}
    if agent.is_connected(AGENT_NAMESPACE):
        agent.disconnect(namespace=AGENT_NAMESPACE)
    if screen.is_connected():
        screen.disconnect()


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory):
    """The agent's centre opened once for the per-event fuzz tests, and its agent's token:
    they only send odd input, and each ends by checking that a screen and the agent are
    still served (an app per test cost a third of a second, 28 times).  Input that left
    the app unable to answer a later test would be a finding too."""
    tmp = tmp_path_factory.mktemp("fuzz-socketio")
    centre = agent_centre(tmp, "dummy://", scanner="loop://")
    url = f"sqlite:///{tmp / 'hub.db'}"
    copy_template(url, centre)
    opened: list = []
    app = in_process_app(tmp, url, centre, opened)
    yield app, _pair_agent(app)
    for hub in opened:
        hub.close()


@pytest.fixture
def talk(fuzzed_app):
    yield from _connect(*fuzzed_app)


@pytest.fixture
def own_talk(app):
    """`talk` on this test's own app (a test that revokes the agent's token)."""
    yield from _connect(app, _pair_agent(app))


@pytest.fixture
def errors(caplog):
    """Records the server logged at ERROR or above (app, Flask-SocketIO, engine.io)."""
    caplog.set_level(logging.ERROR)
    return lambda: [r for r in caplog.records if r.levelno >= logging.ERROR]


def _assert_answered(answer, sent, namespace: str = "/") -> None:
    assert isinstance(answer, dict), f"no answer to {sent!r:.200}: {answer!r}"
    if answer.get("ok") is True:
        if namespace == "/":
            assert answer == {"ok": True}
        return
    assert answer.get("ok") is False, answer
    assert answer.get("error") in KNOWN_ERRORS, answer
    assert isinstance(answer.get("message"), str) and answer["message"].strip(), answer


def _still_serves(talk) -> None:
    """A screen still subscribes and gets its snapshot; the agent is still greeted with its
    printer and scanner."""
    sio = talk["/"]
    sio.get_received()
    assert sio.emit("subscribe", {"display": "lobby"}, callback=True) == {"ok": True}
    snapshots = [m for m in sio.get_received() if m["name"] == "snapshot"]
    assert snapshots and snapshots[-1]["args"][0]["subscription"] == {"display": "lobby"}
    hello = talk[AGENT_NAMESPACE].emit("hello", {}, namespace=AGENT_NAMESPACE, callback=True)
    assert hello["ok"] is True and hello["agent"] == AGENT, hello
    assert [p["name"] for p in hello["printers"]] == ["p1"]
    assert [s["name"] for s in hello["scanners"]] == ["s1"]


def _packet(namespace: str, event: str, body: str, ack: int = 1) -> str:
    """A Socket.IO EVENT packet as text: `2` [namespace `,`] ack id, then the array."""
    prefix = "" if namespace == "/" else f"{namespace},"
    return f'2{prefix}{ack}["{event}",{body}]'


def _raw(sio, text: str):
    """Hand the server a Socket.IO packet as text (what arrives over the wire), as the
    test client's own emit does after encoding; returns the ack's data."""
    sio.acks = None
    sio.socketio.server._handle_eio_message(sio.eio_sid, text)
    assert sio.acks is not None, f"no answer to {text[:80]!r}"
    args = sio.acks["args"]
    return args[0] if len(args) == 1 else args


ODD = [
    None,
    True,
    0,
    -1,
    2**63,
    10**99,
    -(10**99),
    1.5,
    math.nan,
    math.inf,
    -math.inf,
    "",
    "lobby",
    "x" * 1_000_000,
    "\x00\x1b\u202e\u2028\ud800",
    [],
    [{"display": "lobby"}],
    {},
    {"unknown": "key", "√": [1, {"a": None}]},
    {str(i): i for i in range(100)},  # many keys
    {"display": None},
    {"display": 1},
    {"display": ["lobby"]},
    {"display": "lobby\x00"},
    {"display": "\u202elobby"},
    {"display": "x" * 100_000},
    {"display": "phone"},
    {"counter": None},
    {"counter": "1"},
    {"counter": True},
    {"counter": 1.0},
    {"counter": math.nan},
    {"counter": math.inf},
    {"counter": -5},
    {"counter": 0},
    {"counter": 2**31},
    {"counter": 10**99},
    {"counter": [1]},
    {"counter": {"number": 1}},
    {"counter": 1, "token": 5},
    {"counter": 1, "token": "\x07"},
    {"counter": 1, "token": "t" * 10_000},
    {"ticket": None},
    {"ticket": 5},
    {"ticket": ""},
    {"ticket": "\x00"},
    {"ticket": "a" * 10_000},
    {"ticket": {"token": "x"}},
    {"ticket": ["x"]},
    {"supervisor": True},
    {"supervisor": "yes"},
    {"supervisor": None},
    {"centre": {}},
    {"centre": "\x7f"},
    {"centre": "c" * 1000},
    {"display": "lobby", "centre": "no-such-centre", "extra": [[[[]]]]},
]


# What an agent sends, wrong in every way (its printer is "p1", its scanner "s1").
AGENT_ODD = [
    {"job": None},
    {"job": "1"},
    {"job": True},
    {"job": 1.0},
    {"job": math.nan},
    {"job": -1},
    {"job": 0},
    {"job": 2**31},
    {"job": 2**63},
    {"job": 10**99},
    {"job": [1]},
    {"job": 999999},
    {"job": 1, "error": None},
    {"job": 1, "error": "x" * 100_000},
    {"job": 1, "error": {"deep": [[["x"]]]}},
    {"job": 1, "error": "\x00\x1b\u202e"},
    {"kind": None, "name": None, "status": None},
    {"kind": "printer", "name": "p1"},
    {"kind": "printer", "name": "p1", "status": None},
    {"kind": "printer", "name": "p1", "status": "online"},
    {"kind": "printer", "name": "p1", "status": []},
    {"kind": "printer", "name": "p1", "status": {"state": "x" * 100_000, "n": math.nan}},
    {"kind": "printer", "name": "p1", "status": {"state": {"a": 1}, "list": [1, 2]}},
    {"kind": "printer", "name": "p1", "status": {"\x00": 1, "state": "\u202eonline"}},
    {"kind": "printer", "name": "p1", "status": {str(i): i for i in range(200)}},
    {"kind": "printer", "name": "s1", "status": {"state": "online"}},
    {"kind": "scanner", "name": "p1", "status": {"state": "online"}},
    {"kind": "kiosk", "name": "kiosk-a", "status": {"state": "online"}},
    {"kind": ["printer"], "name": "p1", "status": {}},
    {"kind": {"a": 1}, "name": {"b": 2}, "status": {}},
    {"kind": "printer", "name": ["p1"], "status": {}},
    {"kind": "printer", "name": "x" * 100_000, "status": {}},
    {"scanner": None, "code": None},
    {"scanner": "s1"},
    {"scanner": "s1", "code": None},
    {"scanner": "s1", "code": 5},
    {"scanner": "s1", "code": ""},
    {"scanner": "s1", "code": "x" * 5000},
    {"scanner": "s1", "code": "\x00\x1b\u202e\ud800"},
    {"scanner": "s1", "code": "A001"},
    {"scanner": "s1", "code": "http://127.0.0.1/t/no-such-token"},
    {"scanner": "s1", "code": ["A001"]},
    {"scanner": ["s1"], "code": "A001"},
    {"scanner": {"name": "s1"}, "code": "A001"},
    {"scanner": "p1", "code": "A001"},
]


def _emit(talk, namespace: str, event: str, *args):
    return talk[namespace].emit(event, *args, namespace=namespace, callback=True)


@pytest.mark.parametrize(("namespace", "event"), CASES)
def test_odd_payloads_are_answered_never_an_error(talk, errors, namespace, event):
    for payload in ODD + (AGENT_ODD if namespace == AGENT_NAMESPACE else []):
        _assert_answered(_emit(talk, namespace, event, payload), payload, namespace)
    assert errors() == []
    _still_serves(talk)


@pytest.mark.parametrize(("namespace", "event"), CASES)
def test_a_wrong_number_of_arguments_is_answered(talk, errors, namespace, event):
    _assert_answered(_emit(talk, namespace, event), "no argument", namespace)
    two = _emit(talk, namespace, event, {"display": "lobby"}, "extra")
    _assert_answered(two, "two", namespace)
    assert errors() == []
    _still_serves(talk)


# Packets a decoder must survive, by name (one hub per event walks them all).
BROKEN = {
    "list": "[" * DEEP + "]" * DEEP,
    "dict": '{"a":' * DEEP + "1" + "}" * DEEP,
    "dict in a key": '{"display":' + '{"d":' * DEEP + '"lobby"' + "}" * DEEP + "}",
    "5000 digits": '{"counter":' + "9" * 5000 + "}",  # beyond any integer the decoder takes
    "1e999": '{"counter": 1e999}',  # Infinity, spelled as a number
    "NaN": '{"counter": NaN}',
    "cut": '{"display": "lobby"',  # cut off
    "cut string": '{"display": "lob',
    "surrogate": '{"display": "\\ud800"}',  # a lone surrogate
    "unclosed": "[" * DEEP,  # never closed
}


@pytest.mark.parametrize(("namespace", "event"), CASES)
def test_deep_and_broken_packets_are_answered(talk, errors, namespace, event):
    for name, body in BROKEN.items():
        answer = _raw(talk[namespace], _packet(namespace, event, body))
        _assert_answered(answer, name, namespace)
        assert errors() == [], name
        _still_serves(talk)


def test_without_an_agents_token_the_agent_namespace_refuses_cleanly(
    app, client, bearer, login, own_talk, errors
):
    """No token, a wrong one, a kiosk's, a logged-in admin's browser: refused at connect;
    events sent there anyway run no handler; a revoked agent is answered device_revoked."""
    from kiosk.extensions import socketio

    kiosk = client.post(
        "/api/v1/devices/tokens", json={"kind": "kiosk", "name": "kiosk-a"}, headers=bearer()
    ).get_json()["token"]
    admin_browser = app.test_client()
    assert login(admin_browser).status_code == 302
    strangers = [(auth, None) for auth in (None, {}, {"token": None}, {"token": 5})]
    strangers += [({"token": "x" * 10_000}, None), ({"token": kiosk}, None)]
    strangers += [(None, admin_browser), ({"token": kiosk}, admin_browser)]
    for auth, browser in strangers:
        stranger = socketio.test_client(
            app, namespace=AGENT_NAMESPACE, auth=auth, flask_test_client=browser
        )
        assert not stranger.is_connected(AGENT_NAMESPACE), auth
        for event in EVENTS[AGENT_NAMESPACE]:
            stranger.acks = None
            stranger.socketio.server._handle_eio_message(
                stranger.eio_sid, _packet(AGENT_NAMESPACE, event, '{"job": 1}')
            )
            assert stranger.acks is None, (auth, event)  # nothing ran for a stranger
    assert errors() == []
    _still_serves(own_talk)

    agent = own_talk[AGENT_NAMESPACE]
    listed = client.get("/api/v1/devices/tokens", headers=bearer()).get_json()
    mine = next(t for t in listed if t["kind"] == "agent")
    revoked = client.post(f"/api/v1/devices/tokens/{mine['id']}/revoke", headers=bearer())
    assert revoked.status_code == 200, revoked.get_json()
    for event in EVENTS[AGENT_NAMESPACE]:
        if not agent.is_connected(AGENT_NAMESPACE):
            break
        answer = _emit(own_talk, AGENT_NAMESPACE, event, {"job": 1})
        assert answer["ok"] is False and answer["error"] == "device_revoked", answer
        assert answer["message"]
    assert not agent.is_connected(AGENT_NAMESPACE)  # told why, then disconnected
    assert errors() == []


_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**99), max_value=10**99)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=80)
    | st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Co"]), max_size=8)
    | st.sampled_from(["lobby", "kiosk", "A001", "1", "", " ", "x" * 600, "p1", "s1", "printer"])
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _payloads(namespace: str):
    keys = st.sampled_from(KEYS[namespace]) | st.text(max_size=12)
    return st.dictionaries(keys, _VALUES, max_size=6) | _VALUES


@pytest.mark.parametrize(("namespace", "event"), CASES)
def test_any_payload_is_answered_with_ok_or_a_known_error(talk, errors, namespace, event):
    @settings(
        max_examples=EXAMPLES if namespace == "/" else EXAMPLES // 2,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(payload=_payloads(namespace))
    def send(payload):
        _assert_answered(_emit(talk, namespace, event, payload), payload, namespace)
        assert errors() == []

    send()
    _still_serves(talk)


def _raw_socket(hub, namespace: str = "/", auth: dict | None = None) -> websocket.WebSocket:
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{hub.port}/socket.io/?EIO=4&transport=websocket",
        origin=hub.url,
        timeout=10,
    )
    assert ws.recv().startswith("0")  # engine.io open
    prefix = "" if namespace == "/" else f"{namespace},"
    ws.send(f"40{prefix}{json.dumps(auth) if auth is not None else ''}")
    assert ws.recv().startswith(f"40{prefix}")  # socket.io connected
    return ws


def _answer(ws, ack_id: int, namespace: str = "/"):
    prefix = "" if namespace == "/" else f"{namespace},"
    while True:
        frame = ws.recv()
        if frame == "2":  # engine.io ping
            ws.send("3")
        elif frame.startswith(f"43{prefix}{ack_id}["):
            return json.loads(frame[len(f"43{prefix}{ack_id}") :])


@pytest.fixture
def agent_hub(hub_factory, centre_file):
    """The agent's centre served on a free port, and its agent's token."""
    from tests.support.agents import pair_agent

    served = hub_factory(config=centre_file)
    return served, pair_agent(served)["token"]


@pytest.mark.parametrize(("namespace", "event"), CASES)
def test_deep_nesting_over_a_real_websocket_is_answered(agent_hub, namespace, event):
    """10,000-deep dicts and lists, as a browser or a script would send them, reach a
    served hub through engine.io and its packet decoder, and are answered too_deep."""
    hub, token = agent_hub
    ws = _raw_socket(hub, namespace, {"token": token} if namespace != "/" else None)
    try:
        ws.send("4" + _packet(namespace, event, '{"a":' * DEEP + "1" + "}" * DEEP, 1))
        [answer] = _answer(ws, 1, namespace)
        assert answer["ok"] is False and answer["error"] == "too_deep" and answer["message"]
        ws.send("4" + _packet(namespace, event, "[" * DEEP + "]" * DEEP, 2))
        assert _answer(ws, 2, namespace)[0]["error"] == "too_deep"
        if namespace == "/":
            ws.send(f'423["{event}"]')  # no argument at all
            assert _answer(ws, 3)[0]["error"] == "bad_request"
            ws.send('424["subscribe",{"display":"lobby"}]')
            assert _answer(ws, 4) == [{"ok": True}]
        else:
            ws.send("4" + _packet(namespace, "hello", "{}", 4))
            assert _answer(ws, 4, namespace)[0]["agent"] == AGENT
    finally:
        ws.close()
    assert "Traceback" not in hub.logs() and "ERROR" not in hub.logs()


def test_the_agent_namespace_refuses_a_stranger_over_a_real_websocket_with_its_reason(agent_hub):
    hub, _token = agent_hub
    for auth, reason in ((None, "device_not_paired"), ({"token": "wrong"}, "device_not_paired")):
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{hub.port}/socket.io/?EIO=4&transport=websocket",
            origin=hub.url,
            timeout=10,
        )
        try:
            assert ws.recv().startswith("0")
            ws.send(f"40{AGENT_NAMESPACE},{json.dumps(auth) if auth else ''}")
            frame = ws.recv()
            assert frame.startswith(f"44{AGENT_NAMESPACE},"), frame  # CONNECT_ERROR
            refusal = json.loads(frame.split(",", 1)[1])
            assert refusal["data"]["error"] == reason and refusal["message"], refusal
        finally:
            ws.close()
    assert "Traceback" not in hub.logs() and "ERROR" not in hub.logs()
