"""Wrong passwords are limited per account as well as per address: guesses spread over
addresses or hub processes meet the same growing wait (429 + Retry-After), the real
owner gets in with the right password once the wait is over, and a user name with a
control character is refused, never trimmed into someone's account (issue 11)."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import ADMIN, csrf_token

WRONG = {"username": "admin", "password": "not-the-password"}
RIGHT = {"username": ADMIN[0], "password": ADMIN[1]}


def _token(client, body: dict, address: str, lang: str = "vi"):
    return client.post(
        f"/api/v1/auth/token?lang={lang}", json=body, environ_base={"REMOTE_ADDR": address}
    )


class HubClock:
    """The hub's clock (what the login wait is measured by), moved on by `wait(seconds)`
    instead of the test sleeping through the wait.  `stopped`: it moves only then, so the
    seconds a loaded machine takes between two guesses do not count as waiting."""

    def __init__(self, app, stopped: bool = False):
        ctx = app.extensions["motcua"].default_centre.ctx
        real, self.passed = ctx.clock, timedelta()
        if stopped:
            start = real()
            ctx.clock = lambda: start + self.passed
        else:
            ctx.clock = lambda: real() + self.passed

    def wait(self, seconds: float) -> None:
        self.passed += timedelta(seconds=seconds)


def test_five_addresses_guessing_one_account_meet_a_429_with_retry_after(app, client):
    HubClock(app, stopped=True)  # 50 guesses in one moment, however slow the machine
    answers = [
        _token(client, WRONG, f"10.0.0.{n}").status_code for _ in range(10) for n in range(1, 6)
    ]
    assert answers[:5] == [401] * 5  # five wrong passwords, each told so
    assert answers[5] == 429  # then the account waits, whichever address asks
    # The wait doubles after each further wrong password: of 50 guesses, the passwords of
    # only a few were checked (the rest were refused unchecked while waiting).
    assert answers.count(401) <= 8 and answers.count(429) >= 42
    locked = _token(client, RIGHT, "10.0.0.9")  # even the right password waits
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 2
    assert locked.get_json()["error"] == "account_locked"
    assert locked.get_json()["message"].startswith(
        "Tài khoản này đã nhập sai mật khẩu quá nhiều lần. Vui lòng thử lại sau"
    )
    english = _token(client, RIGHT, "10.0.0.9", lang="en").get_json()["message"]
    assert english.startswith("Too many wrong passwords for this account. Try again in")
    # another account is not affected
    clerk = {"username": "clerk1", "password": "test-clerk-pass"}
    assert _token(client, clerk, "10.0.0.1").status_code == 200


def test_the_wait_grows_and_the_right_password_after_it_starts_afresh(app, client):
    clock = HubClock(app)
    for _ in range(5):
        assert _token(client, WRONG, "10.0.1.1").status_code == 401
    first = int(_token(client, WRONG, "10.0.1.1").headers["Retry-After"])
    clock.wait(first + 0.2)
    assert _token(client, WRONG, "10.0.1.1").status_code == 401  # 6th failure: a longer wait
    second = int(_token(client, WRONG, "10.0.1.1").headers["Retry-After"])
    assert second > first
    clock.wait(second + 0.2)
    assert _token(client, RIGHT, "10.0.1.1").status_code == 200
    # a success forgets the failures: the next typo is just a typo
    assert _token(client, WRONG, "10.0.1.1").status_code == 401
    assert _token(client, RIGHT, "10.0.1.1").status_code == 200


def test_the_login_page_counts_the_same_failures(app, client):
    HubClock(app, stopped=True)  # the 2 s wait does not run out on a slow machine meanwhile
    for n in range(5):
        assert _token(client, WRONG, f"10.0.2.{n}").status_code == 401
    form = client.post(
        "/login?lang=vi",
        data={**RIGHT, "csrf_token": csrf_token(client, "/login")},
        environ_base={"REMOTE_ADDR": "10.0.2.99"},
    )
    assert form.status_code == 429
    assert form.headers["Retry-After"]
    assert "đã nhập sai mật khẩu quá nhiều lần" in form.get_data(as_text=True)
    assert client.get("/counter").status_code == 302  # not logged in


def test_failures_are_shared_by_hub_processes_on_one_database(app_factory):
    first = app_factory()
    second = app_factory(database_url=first.extensions["motcua"].config.database_url)
    for app in (first, second):  # the 2 s wait does not run out on a slow machine meanwhile
        HubClock(app, stopped=True)
    one, two = first.test_client(), second.test_client()
    for n in range(3):
        assert _token(one, WRONG, f"10.0.3.{n}").status_code == 401
    for n in range(2):
        assert _token(two, WRONG, f"10.0.4.{n}").status_code == 401
    assert _token(one, RIGHT, "10.0.3.9").status_code == 429
    assert _token(two, RIGHT, "10.0.4.9").status_code == 429


def test_a_user_name_with_a_trailing_tab_does_not_log_in(client):
    api = _token(client, {"username": "admin\t", "password": ADMIN[1]}, "10.0.5.1", lang="en")
    assert api.status_code == 400
    assert api.get_json() == {
        "error": "control_character",
        "message": "username contains a control character (such as a tab or an invisible "
        "character): please type it again.",
    }
    form = client.post(
        "/login?lang=vi",
        data={
            "username": "admin\t",
            "password": ADMIN[1],
            "csrf_token": csrf_token(client, "/login"),
        },
    )
    assert form.status_code == 400
    assert "username có ký tự điều khiển" in form.get_data(as_text=True)
    assert client.get("/counter").status_code == 302  # still logged out


def test_a_user_name_in_another_case_or_with_spaces_is_the_same_account(client):
    answer = _token(client, {"username": " Admin ", "password": ADMIN[1]}, "10.0.6.1")
    assert answer.status_code == 200 and answer.get_json()["user"]["username"] == "admin"
