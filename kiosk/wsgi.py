"""WSGI entry point for gunicorn (production):

    gunicorn -c deploy/gunicorn.conf.py kiosk.wsgi:app        # gevent, gunicorn 27
    gunicorn -k eventlet -w 1 kiosk.wsgi:app                  # gunicorn 25 only

The worker class has already monkey-patched the process; we follow the
patch it made (and make psycopg2 cooperative), never a different one.
One worker per process: Flask-SocketIO keeps each client on one worker.
"""

from kiosk import asyncmode

asyncmode.apply(asyncmode.current())

from kiosk.app import create_app  # noqa: E402
from kiosk.config import Config  # noqa: E402
from kiosk.runtime.bootstrap import open_hub  # noqa: E402
from kiosk.runtime.device_startup import start_devices  # noqa: E402

hub = open_hub(Config.from_env())
app = create_app(hub.config, hub)
start_devices(hub)
