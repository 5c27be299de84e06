"""The `admin` blueprint object, in a module of its own so that the route modules
import it without importing their package back (no import cycle)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
