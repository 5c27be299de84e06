"""Socket.IO room names: the unit of fan-out.  Every room carries the centre id
so centres sharing one hub or one Redis never see each other's events.

Each room has one audience (docs/architecture.md, "What each audience may see"),
and a subscription joins the rooms of exactly one audience, so a client never gets
one change twice in two shapes:
    public   lobby, kiosks, counter, phones
    screen   counter_screen (the screen paired to that counter)
    holder   ticket (whoever knows the token), kiosk (the paired kiosk of that name),
             lobby_tv (the paired lobby TV of that name: its own languages)
    staff    staff, counter_staff, supervisors, user
    province province (every centre's small changes, for province roles)
    devices  device_owner, agent (processes driving printers and scanners, never a browser)
"""


def lobby(centre_id: int) -> str:
    return f"c{centre_id}:lobby"


def counter(centre_id: int, number: int) -> str:
    """Anyone watching one counter (an unpaired counter screen): public shapes."""
    return f"c{centre_id}:counter:{number}"


def counter_screen(centre_id: int, number: int) -> str:
    """The screen paired to this counter (device token named by the counter's number)."""
    return f"c{centre_id}:counter-screen:{number}"


def counter_staff(centre_id: int, number: int) -> str:
    """Clerk consoles working this counter: its held ticket and upcoming list in full."""
    return f"c{centre_id}:counter-staff:{number}"


def counter_audiences(centre_id: int, number: int) -> dict[str, tuple[str, ...]]:
    """Where a change at one counter goes, by audience (lobby walls follow every counter)."""
    return {
        "public": (lobby(centre_id), counter(centre_id, number)),
        "screen": (counter_screen(centre_id, number),),
        "staff": (staff(centre_id), counter_staff(centre_id, number)),
    }


def ticket(centre_id: int, token: str) -> str:
    return f"c{centre_id}:ticket:{token}"


def kiosks(centre_id: int) -> str:
    """Every kiosk page: public shapes (a scan's result shows number, field, place)."""
    return f"c{centre_id}:kiosks"


def kiosk(centre_id: int, name: str) -> str:
    """The kiosk paired under this name: the ticket a scan there gave, with its token,
    so the screen can show the QR code when the printer failed."""
    return f"c{centre_id}:kiosk:{name}"


def lobby_tv(centre_id: int, name: str) -> str:
    """The lobby TV paired under this name (a device token of kind "display"): the
    languages the admin set for it (`lobby_voice`, kiosk/usecases/lobby_voices.py).  It
    follows the lobby room too; this one carries nothing else."""
    return f"c{centre_id}:lobby-tv:{name}"


def staff(centre_id: int) -> str:
    """Clerk consoles and supervisors: the whole queue, device faults."""
    return f"c{centre_id}:staff"


def supervisors(centre_id: int) -> str:
    """Supervisor live views: alerts (a wait past its target, a device offline)."""
    return f"c{centre_id}:supervisors"


def province() -> str:
    """Province overviews (/province, province roles only): one `province` event per
    change at any centre (kiosk/runtime/province_feed.py).  The one room of no centre."""
    return "province"


def phones(centre_id: int) -> str:
    """Citizens' /t/{token} pages: they follow the queue to keep "people ahead" right."""
    return f"c{centre_id}:phones"


def queue_audience(centre_id: int) -> tuple[str, ...]:
    """Everyone shown waiting counts or positions: the `queue` event goes to all of them."""
    return (lobby(centre_id), kiosks(centre_id), staff(centre_id), phones(centre_id))


def user(centre_id: int, user_id: int) -> str:
    """A staff member's own pages (console, live view): told when their login ended."""
    return f"c{centre_id}:user:{user_id}"


def device_owner(centre_id: int) -> str:
    """The process driving the hub's own printers and scanners (`motcua run`, `motcua
    devices run`): told `devices_changed` after an admin changes a device."""
    return f"c{centre_id}:device-owner"


def agent(centre_id: int, name: str) -> str:
    """The device agent `name` (`motcua agent`): its devices changed, its print jobs."""
    return f"c{centre_id}:agent:{name}"


AGENT_NAMESPACE = "/agent"  # device agents connect to their own Socket.IO namespace


def namespace(room: str) -> str:
    """The Socket.IO namespace a room lives in: an agent's room in AGENT_NAMESPACE, every
    other room in "/" (kiosk/runtime/publisher.py sends each event to the right one)."""
    return AGENT_NAMESPACE if room.split(":", 2)[1:2] == ["agent"] else "/"
