"""The production path: gunicorn 27 with the gevent worker serves the API and
real-time calls over WebSocket, with psycopg2 made cooperative."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import requests

from tests.conftest import TEST_CENTRE, free_port
from tests.support.clients import Screen


def test_gunicorn_gevent_worker_serves_calls_live(tmp_path, postgres_url):
    port = free_port()
    env = {
        **os.environ,
        "MOTCUA_DATABASE_URL": postgres_url,
        "MOTCUA_CONFIG": str(TEST_CENTRE),
        "MOTCUA_INSTANCE": str(tmp_path / "instance"),
        "MOTCUA_SECRET_KEY": "test-secret",
        "MOTCUA_BIND": f"127.0.0.1:{port}",
        "MOTCUA_LOG_DIR": str(tmp_path / "logs"),
    }
    (tmp_path / "logs").mkdir()
    subprocess.run(
        [sys.executable, "-m", "kiosk", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    log = open(tmp_path / "gunicorn.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "kiosk.wsgi:app"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        health = requests.get(f"{url}/healthz", timeout=5).json()
        assert health["async_mode"] == "gevent" and health["db"] == "ok"
        lobby = Screen(url, {"display": "lobby"})
        try:
            lobby.wait_for("snapshot")
            status_url = requests.post(
                f"{url}/api/v1/tickets", json={"service": "HT"}, timeout=5
            ).json()["status_url"]
            # no MOTCUA_PUBLIC_URL: the QR points where this request reached the hub
            assert status_url.startswith(f"{url}/t/")
            token = requests.post(
                f"{url}/api/v1/auth/token",
                json={"username": "admin", "password": "test-admin-pass"},
                timeout=5,
            ).json()["token"]
            requests.post(
                f"{url}/api/v1/counters/4/next",
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            )
            call = lobby.wait_for("call")
            assert (call["number"], call["counter"]) == ("A001", 4)
            # the access log logrotate rotates (deploy/logrotate.motcua)
            access = (tmp_path / "logs" / f"access-{port}.log").read_text()
            assert '"POST /api/v1/tickets HTTP/1.1" 201' in access
        finally:
            lobby.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
