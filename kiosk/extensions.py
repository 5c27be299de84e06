"""Flask extensions, created unbound and wired in `create_app`."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

socketio = SocketIO()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
