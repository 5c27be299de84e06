"""Helpers shared by the test layers: hubs to test against (in-process and in a
subprocess), clients that act as screens, desks and kiosks, centre files with
devices, use-case helpers.  Test modules import from here (or get fixtures from
tests/conftest.py), never from one another.

Which hub a test gets, fastest first (tests/conftest.py has the fixtures):

- a use case alone: `ctx` / `day` (QueueContext, RecordingPublisher, ScriptedClock);
- one request or socket event: `app`, `client`, `sio`, `login`, `bearer`;
- real HTTP/WebSocket clients, devices on ptys and TCP, Chromium: `hub` /
  `hub_factory` (hubs.LiveHub, the app served in a thread of the test process);
- only when the process boundary is the subject (gevent/eventlet, SIGKILL, several
  processes on one database or Redis, the CLI, gunicorn): `hub_process_factory`
  (hubs.HubProcess, `motcua run` in a subprocess).

Every hub starts from a copy of a migrated, seeded template database, so no test
pays for migrations.  `make test` runs two pytest workers: hubs use free ports,
tmp dirs, their own PostgreSQL databases and (subprocess hubs) their own Redis
channel."""
