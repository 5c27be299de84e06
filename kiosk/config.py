"""Configuration: the environment read into one object (see CONTRACT.md)."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path


def _instance_path() -> Path:
    return Path(os.environ.get("MOTCUA_INSTANCE", "instance")).resolve()


def _secret_key(instance: Path) -> str:
    """MOTCUA_SECRET_KEY, or a random key kept in instance/secret_key so sessions survive restarts."""
    configured = os.environ.get("MOTCUA_SECRET_KEY")
    if configured:
        return configured
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def normalise_host(name: str) -> str:
    """An allowed-host entry as compared: lower case, no trailing dot, IPv6 in brackets."""
    name = name.strip().lower().rstrip(".")
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"
    return name


def parse_host_list(value: str) -> tuple[str, ...]:
    """MOTCUA_ALLOWED_HOSTS: names separated by commas (or spaces); checked by kiosk/hosts.py."""
    return tuple(normalise_host(part) for part in re.split(r"[,\s]+", value) if part.strip())


@dataclass
class Config:
    instance_path: Path = field(default_factory=_instance_path)
    database_url: str = ""
    message_queue: str = ""
    # Redis channel of this installation: two installations on one Redis must not share
    # one, or a centre id of one database would receive the other's calls.
    message_channel: str = "motcua"
    db_pool_size: int = 10  # PostgreSQL connections kept open per process
    db_max_overflow: int = 30  # extra connections a burst (screens reconnecting) may open
    secret_key: str = ""
    async_mode: str = "threading"
    centre_file: str = ""
    centre_code: str = ""
    public_url: str = ""  # MOTCUA_PUBLIC_URL: the address printed on tickets (QR codes)
    # MOTCUA_ALLOWED_HOSTS: host names requests may use (kiosk/hosts.py); empty = the
    # loopback names when public_url is empty too, any name when it is set.
    allowed_hosts: tuple[str, ...] = ()
    auto_migrate: bool | None = None
    testing: bool = False
    devices_enabled: bool = True
    issue_rate_per_min: int = 30  # tickets per minute from one address (a kiosk); 0 = no limit
    login_rate_per_min: int = 10  # login attempts per minute from one address
    trusted_proxies: int = 0  # reverse proxies in front (nginx: 1); 0 = trust no X-Forwarded-*
    screen_offline_after_s: float = 30  # a paired screen away this long is reported offline
    # Socket.IO pings (MOTCUA_PING_INTERVAL_S, MOTCUA_PING_TIMEOUT_S): a screen that stops
    # answering is dropped after interval + timeout, and its TCP connection closed.
    ping_interval_s: float = 10
    ping_timeout_s: float = 5

    @classmethod
    def from_env(cls, **overrides) -> Config:
        instance = Path(overrides.pop("instance_path", None) or _instance_path())
        default_db = f"sqlite:///{instance / 'motcua.db'}"
        config = cls(
            instance_path=instance,
            database_url=os.environ.get("MOTCUA_DATABASE_URL") or default_db,
            message_queue=os.environ.get("MOTCUA_MESSAGE_QUEUE", ""),
            message_channel=os.environ.get("MOTCUA_MESSAGE_CHANNEL") or "motcua",
            db_pool_size=int(os.environ.get("MOTCUA_DB_POOL_SIZE", "10")),
            db_max_overflow=int(os.environ.get("MOTCUA_DB_MAX_OVERFLOW", "30")),
            secret_key="",
            async_mode=os.environ.get("MOTCUA_ASYNC_MODE", "threading"),
            centre_file=os.environ.get("MOTCUA_CONFIG", ""),
            centre_code=os.environ.get("MOTCUA_CENTRE", ""),
            public_url=os.environ.get("MOTCUA_PUBLIC_URL", "").rstrip("/"),
            allowed_hosts=parse_host_list(os.environ.get("MOTCUA_ALLOWED_HOSTS", "")),
            devices_enabled=os.environ.get("MOTCUA_DEVICES", "1") not in ("0", "false", "no"),
            issue_rate_per_min=int(os.environ.get("MOTCUA_ISSUE_RATE_PER_MIN", "30")),
            login_rate_per_min=int(os.environ.get("MOTCUA_LOGIN_RATE_PER_MIN", "10")),
            trusted_proxies=int(os.environ.get("MOTCUA_TRUSTED_PROXIES", "0")),
            screen_offline_after_s=float(os.environ.get("MOTCUA_SCREEN_OFFLINE_S", "30")),
            ping_interval_s=float(os.environ.get("MOTCUA_PING_INTERVAL_S", "10")),
            ping_timeout_s=float(os.environ.get("MOTCUA_PING_TIMEOUT_S", "5")),
        )
        for key, value in overrides.items():
            if value is not None:
                setattr(config, key, value)
        if config.database_url.startswith("sqlite:///") and not config.database_url.startswith(
            "sqlite:////"
        ):
            # A relative SQLite path is relative to the working directory, like the default.
            relative = config.database_url[len("sqlite:///") :]
            config.database_url = f"sqlite:///{Path(relative).resolve()}"
        if not config.secret_key:
            config.secret_key = _secret_key(instance)
        if config.auto_migrate is None and os.environ.get("MOTCUA_AUTO_MIGRATE"):
            config.auto_migrate = os.environ["MOTCUA_AUTO_MIGRATE"] not in ("0", "false", "no")
        if config.auto_migrate is None:
            config.auto_migrate = config.database_url.startswith("sqlite")
        return config
