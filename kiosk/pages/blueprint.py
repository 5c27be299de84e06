"""The `pages` blueprint object, in a module of its own so that the route modules
import it without importing their package back (no import cycle)."""

from flask import Blueprint

bp = Blueprint("pages", __name__, template_folder="templates")
