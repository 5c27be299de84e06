"""The device agent (`motcua agent`): a centre's printers and scanners driven from the
centre's own network for a hub that cannot reach them; see devices/agent/client.py."""
