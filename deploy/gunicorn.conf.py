"""gunicorn settings for one motcua hub process (gunicorn 27, gevent worker).

Run several of these behind nginx (ip_hash) with MOTCUA_MESSAGE_QUEUE set to
Redis when one machine is not enough; never more than one worker each, since
Socket.IO clients must stay on the process that knows their session.
"""

import os

bind = os.environ.get("MOTCUA_BIND", "127.0.0.1:5000")
# gunicorn 25.1+ opens a control socket at ~/.gunicorn/gunicorn.ctl; processes of one
# user (motcua@5001, motcua@5002 …) would take it from each other: one socket per port.
control_socket = os.path.expanduser(f"~/.gunicorn/motcua-{bind.rsplit(':', 1)[-1]}.ctl")
worker_class = "gevent"
workers = 1
worker_connections = 2000  # lobby TVs, counter screens and phones all hold a connection
timeout = 60
graceful_timeout = 20
keepalive = 30
# MOTCUA_LOG_DIR (deploy: /var/log/motcua, rotated by deploy/logrotate.motcua): one access
# and one error log per process; unset, both go to the journal through stdout.
_log_dir = os.environ.get("MOTCUA_LOG_DIR", "")
_port = bind.rsplit(":", 1)[-1]
accesslog = os.path.join(_log_dir, f"access-{_port}.log") if _log_dir else "-"
errorlog = os.path.join(_log_dir, f"error-{_port}.log") if _log_dir else "-"
loglevel = os.environ.get("MOTCUA_LOG_LEVEL", "info").lower()
