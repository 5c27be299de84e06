"""A lobby TV's browser offers permessage-deflate; the hub declines it
(kiosk/socket_transport.py), so it keeps no zlib compressor per screen (~256 KiB) and
does not compress every event once per screen: its frames arrive as plain text."""

from __future__ import annotations

import json

import websocket

CHROMIUM_OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"


def test_a_browsers_compression_offer_is_declined_and_the_screen_still_subscribes(hub):
    client = websocket.WebSocket()
    client.connect(
        hub.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
        header=[CHROMIUM_OFFER],
    )
    try:
        assert "sec-websocket-extensions" not in {k.lower() for k in client.getheaders()}
        assert client.recv().startswith("0{")  # engine.io open, readable as sent
        client.send("40")
        assert client.recv().startswith("40")
        client.send('42["subscribe",{"display":"lobby"}]')
        frame = client.recv()
        while not frame.startswith('42["snapshot"'):
            frame = client.recv()
        event, snapshot = json.loads(frame[2:])
        assert snapshot["subscription"] == {"display": "lobby"}
        assert snapshot["centre"]["name"]
    finally:
        client.close()
