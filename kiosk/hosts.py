"""Which host names the hub answers to, and where the address on a ticket comes from.

A ticket's QR code and status URL never take their host from a request header:

- MOTCUA_PUBLIC_URL set: that address, whatever the request says.  Any Host is
  served (no list), unless MOTCUA_ALLOWED_HOSTS is set too.
- otherwise the address the request reached, but only once its host name is on
  the allowed list (MOTCUA_ALLOWED_HOSTS, like Django's ALLOWED_HOSTS; with no
  list: localhost, 127.0.0.1 and [::1]).  A request for any other name is refused
  with 400 before any view runs.  `motcua run` fills the list with the names of
  the machine it prints (`this_machine`).

A centre's own host names (its centre file's `hosts`, kiosk/runtime/hub.py) are
served too, and print their own address, without being listed here: `init_app`'s
`also_allowed` asks the running hub.

The check sees the host after ProxyFix (MOTCUA_TRUSTED_PROXIES: the proxy's
X-Forwarded-Host).  Socket.IO events skip before_request, so `request_base_url`
checks the name again itself.
"""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, jsonify, request
from flask_babel import force_locale, gettext

from kiosk.config import Config, normalise_host

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
CONFIG_KEY = "MOTCUA_ALLOWED_HOSTS"
ALSO_KEY = "motcua.hosts.also_allowed"  # app.extensions: a centre's own host names

# A host name or IPv4 address, or a bracketed IPv6 address; then an optional port.
_HOST = re.compile(r"([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]{1,5}))?", re.ASCII)


def host_name(host: str) -> str | None:
    """The name in a Host value ("Hub.Local:5000" → "hub.local"), or None if malformed."""
    match = _HOST.fullmatch(host.strip().lower())
    if match is None or (match.group(2) and not 0 < int(match.group(2)) < 65536):
        return None
    return match.group(1).rstrip(".")


def is_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """True when `host` (a Host value, port allowed) names one of `allowed`; an entry
    starting with a dot (".example.gov.vn") also allows every subdomain."""
    name = host_name(host)
    if not name:
        return False
    for entry in allowed:
        if entry.startswith("."):
            if name == entry[1:] or name.endswith(entry):
                return True
        elif name == entry:
            return True
    return False


def allowed_hosts(config: Config) -> tuple[str, ...] | None:
    """The host names requests may use, or None when any name may (MOTCUA_PUBLIC_URL set
    and no MOTCUA_ALLOWED_HOSTS: then no request decides an address)."""
    if config.allowed_hosts:
        names = list(config.allowed_hosts)
        public = urlsplit(config.public_url).hostname if config.public_url else None
        if public and normalise_host(public) not in names:
            names.append(normalise_host(public))  # the address the hub prints is always served
        return tuple(names)
    if config.public_url:
        return None
    return LOOPBACK_NAMES


def this_machine(listen_host: str, public_url: str) -> tuple[str, ...]:
    """`motcua run` without configuration: the address it listens on, the address it
    prints on tickets (its LAN address when it listens on all), this machine's name and
    addresses, and the loopback names."""
    names = [*LOOPBACK_NAMES]
    candidates = [urlsplit(public_url).hostname or ""]
    if listen_host not in ("", "0.0.0.0", "::"):
        candidates.append(listen_host)
    else:
        hostname = socket.gethostname()
        candidates += [hostname, f"{hostname}.local"]
        try:
            candidates += [info[4][0] for info in socket.getaddrinfo(hostname, None)]
        except OSError:
            pass  # a machine whose own name does not resolve: the LAN address is enough
    for candidate in candidates:
        if candidate and normalise_host(candidate) not in names:
            names.append(normalise_host(candidate))
    return tuple(names)


def request_base_url() -> str:
    """The base of status URLs when MOTCUA_PUBLIC_URL is not set: the address this
    request reached, if its host name is allowed; otherwise (a scanner thread, a socket
    event with a foreign Host) a relative link."""
    if not has_request_context():
        return ""
    allowed = current_app.config.get(CONFIG_KEY, LOOPBACK_NAMES)
    if allowed is not None and not _allowed_here(request.host, allowed):
        return ""
    return request.host_url


def _allowed_here(host: str, allowed: tuple[str, ...]) -> bool:
    """On the allowed list, or one of a centre's own host names."""
    if is_allowed(host, allowed):
        return True
    also = current_app.extensions.get(ALSO_KEY)
    return also is not None and bool(also(host_name(host)))


def _refusal(host: str):
    """400 in both languages: the person reading it may be the operator who set up the
    address, not the citizen whose language the hub would guess."""
    texts = {}
    for language in ("vi", "en"):
        with force_locale(language):
            texts[language] = gettext(
                "This hub does not answer to the name %(host)s. Use the hub's address, or "
                "ask the administrator to add this name to MOTCUA_ALLOWED_HOSTS.",
                host=host[:255],
            )
    if request.path.startswith(("/api/", "/healthz")) or (
        request.accept_mimetypes.best == "application/json"
    ):
        from flask_babel import get_locale

        language = "en" if str(get_locale() or "vi") == "en" else "vi"
        response = jsonify({"error": "host_not_allowed", "message": texts[language]})
    else:
        response = current_app.response_class(
            f"{texts['vi']}\n{texts['en']}\n", mimetype="text/plain"
        )
    response.status_code = 400
    return response


def init_app(app: Flask, config: Config, also_allowed=None) -> None:
    """Refuse requests for names not on the allowed list (when there is one) unless
    `also_allowed(name)` says the name is served anyway (a centre's own host name)."""
    allowed = allowed_hosts(config)
    app.config[CONFIG_KEY] = allowed
    app.extensions[ALSO_KEY] = also_allowed
    if allowed is None:
        return

    @app.before_request
    def check_host():
        if not _allowed_here(request.host, allowed):
            current_app.logger.warning("refused a request for host %r", request.host[:255])
            return _refusal(request.host)
        return None
