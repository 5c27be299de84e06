"""Socket.IO room names: the unit of fan-out.  Every room carries the centre id
so centres sharing one hub or one Redis never see each other's events."""


def lobby(centre_id: int) -> str:
    return f"c{centre_id}:lobby"


def counter(centre_id: int, number: int) -> str:
    return f"c{centre_id}:counter:{number}"


def ticket(centre_id: int, token: str) -> str:
    return f"c{centre_id}:ticket:{token}"


def kiosks(centre_id: int) -> str:
    return f"c{centre_id}:kiosks"


def staff(centre_id: int) -> str:
    """Clerk consoles and supervisors: the whole queue, device faults."""
    return f"c{centre_id}:staff"


def supervisors(centre_id: int) -> str:
    """Supervisor live views: alerts (a wait past its target, a device offline)."""
    return f"c{centre_id}:supervisors"


def phones(centre_id: int) -> str:
    """Citizens' /t/{token} pages: they follow the queue to keep "people ahead" right."""
    return f"c{centre_id}:phones"


def queue_audience(centre_id: int) -> tuple[str, ...]:
    """Everyone shown waiting counts or positions: the `queue` event goes to all of them."""
    return (lobby(centre_id), kiosks(centre_id), staff(centre_id), phones(centre_id))


def user(centre_id: int, user_id: int) -> str:
    """A staff member's own pages (console, live view): told when their login ended."""
    return f"c{centre_id}:user:{user_id}"
