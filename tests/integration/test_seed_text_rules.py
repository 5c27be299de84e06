"""A centre file and `motcua user add` follow the text and user-name rules of the admin
pages (kiosk/textrules.py, docs/admin.md): a control character anywhere in a centre
file stops the hub with the key that holds it; names are NFC and trimmed; a user name
that is another user's in another case is that user, one that looks like another
user's is refused."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from kiosk.cli import main
from kiosk.store import Store
from kiosk.store import repository as repo
from kiosk.store.seed import CentreFileError, read_centre_file, seed, user_named
from kiosk.store.tables import CentreRow, CounterRow, ServiceRow, UserRow
from tests.conftest import ADMIN, TEST_CENTRE, copy_template, hub_config

BASE = TEST_CENTRE.read_text(encoding="utf-8")


def _centre_file(tmp_path, text: str):
    path = tmp_path / "centre.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _with(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "key", "char"),
    [
        ('name = "Quầy 1"', 'name = "Quầy\\t1"', "counters[0].name", "U+0009"),
        ('code = "HT"\nname = "', 'code = "HT"\nname = "\\u0000', "services[0].name", "U+0000"),
        ('name = "Bộ phận', 'name = "\\u2028Bộ phận', "centre.name", "U+2028"),
        ('name = "Nguyễn Văn An"', 'name = "Nguyễn\\u0085Văn An"', "users[1].name", "U+0085"),
        ('username = "clerk2"', 'username = "clerk2\\u007f"', "users[2].username", "U+007F"),
        (
            'password = "test-super-pass"',
            'password = "test-super\\npass"',
            "users[3].password",
            "U+000A",
        ),
    ],
)
def test_a_control_character_in_a_centre_file_names_its_key(tmp_path, old, new, key, char):
    path = _centre_file(tmp_path, _with(old, new))
    with pytest.raises(CentreFileError) as refused:
        read_centre_file(path)
    assert f"{path}: {key} holds the control character {char}" in str(refused.value)


def test_the_hub_refuses_to_start_on_such_a_file_and_says_where(tmp_path, monkeypatch, capsys):
    from kiosk.runtime.bootstrap import open_hub

    path = _centre_file(tmp_path, _with('name = "Quầy 1"', 'name = "Quầy 1\\u0007"'))
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(CentreFileError, match=r"counters\[0\]\.name holds the control character"):
        open_hub(hub_config(tmp_path, url, path))
    with Store(url).read() as session:  # nothing was seeded
        assert session.execute(select(CentreRow)).first() is None

    monkeypatch.setenv("MOTCUA_DATABASE_URL", url)
    monkeypatch.setenv("MOTCUA_INSTANCE", str(tmp_path / "instance"))
    assert main(["run", "--config", str(path), "--port", "0"]) == 2
    said = capsys.readouterr().err
    assert f"error: {path}: counters[0].name holds the control character U+0007" in said


def test_texts_of_a_centre_file_are_stored_nfc_and_trimmed(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Tư pháp - Hộ tịch")
    assert decomposed != "Tư pháp - Hộ tịch"
    path = _centre_file(
        tmp_path,
        _with('name = "Tư pháp - Hộ tịch"', f'name = "  {decomposed}  "').replace(
            'name = "Quầy 1"', 'name = " Quầy 1 "', 1
        ),
    )
    store = Store(f"sqlite:///{tmp_path / 'seeded.db'}")
    from kiosk.store import migrate

    migrate.upgrade(store.url)
    with store.write() as session:
        seed(session, read_centre_file(path))
    with store.read() as session:
        services = session.execute(select(ServiceRow.name)).scalars().all()
        counters = session.execute(select(CounterRow.name)).scalars().all()
    assert "Tư pháp - Hộ tịch" in services
    assert "Quầy 1" in counters


@pytest.mark.parametrize(
    ("users", "said"),
    [
        (("admin", "Admin"), "'Admin' is the same user as, or looks like, 'admin'"),
        (("admin", "admin."), "'admin.' is the same user as, or looks like, 'admin'"),
        (("admin", "аdmin"), "'аdmin' is the same user as, or looks like, 'admin'"),  # Cyrillic а
        (("admin", "adm1n"), "'adm1n' is the same user as, or looks like, 'admin'"),
        (("admin", "x"), "user name 'x' must be 2 to 64 letters"),
        (("admin", "ai ai"), "user name 'ai ai' must be 2 to 64 letters"),
    ],
)
def test_centre_file_users_follow_the_user_name_rules(tmp_path, users, said):
    text = "".join(
        f'\n[[users]]\nusername = "{name}"\npassword = "long-enough-1"\nrole = "clerk"\n'
        for name in users
    )
    head = BASE.split("[[users]]")[0]
    path = _centre_file(tmp_path, head + text)
    with pytest.raises(CentreFileError) as refused:
        read_centre_file(path)
    assert said in str(refused.value)


@pytest.fixture
def cli_database(tmp_path, monkeypatch):
    """The test centre's database, as `motcua user add` (in this process) sees it."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    copy_template(url, TEST_CENTRE)
    monkeypatch.setenv("MOTCUA_DATABASE_URL", url)
    monkeypatch.setenv("MOTCUA_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("MOTCUA_CENTRE", raising=False)
    monkeypatch.delenv("MOTCUA_CONFIG", raising=False)
    store = Store(url)
    yield store
    store.dispose()


def _user_add(monkeypatch, name: str, password: str, *options: str) -> int:
    monkeypatch.setenv("MOTCUA_PASSWORD", password)
    return main(["user", "add", name, *options])


def _names(store) -> list[str]:
    with store.read() as session:
        return sorted(session.execute(select(UserRow.username)).scalars())


def test_user_add_with_another_case_resets_that_user(cli_database, monkeypatch, capsys):
    before = _names(cli_database)
    assert _user_add(monkeypatch, " Admin ", "new-admin-pass-1", "--role", "admin") == 0
    assert "user admin (admin) saved" in capsys.readouterr().out
    assert _names(cli_database) == before  # no second admin
    with cli_database.read() as session:
        row = user_named(session, repo.centre_by_code(session, None).id, "admin")
        assert check_password_hash(row.password_hash, "new-admin-pass-1")
        assert not check_password_hash(row.password_hash, ADMIN[1])


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("admin.", "user name 'admin.' looks like the existing user 'admin'"),
        ("аdmin", "user name 'аdmin' looks like the existing user 'admin'"),  # Cyrillic а
        ("ADM1N", "user name 'ADM1N' looks like the existing user 'admin'"),
        ("clerk-1", "user name 'clerk-1' looks like the existing user 'clerk1'"),
        ("admin\t", "user name 'admin\\t' holds a control character"),
        ("new\u200buser", "user name 'new\\u200buser' must be 2 to 64 letters"),
        ("x", "must be 2 to 64 letters"),
    ],
)
def test_user_add_refuses_what_the_admin_pages_refuse(
    cli_database, monkeypatch, capsys, name, said
):
    before = _names(cli_database)
    assert _user_add(monkeypatch, name, "long-enough-pass", "--role", "clerk") == 2
    assert said in capsys.readouterr().err
    assert _names(cli_database) == before


def test_user_add_refuses_a_control_character_in_the_password(cli_database, monkeypatch, capsys):
    assert _user_add(monkeypatch, "canbo7", "long-enough\x1bpass", "--role", "clerk") == 2
    assert "password holds a control character" in capsys.readouterr().err
    assert "canbo7" not in _names(cli_database)


def test_user_add_keeps_a_new_name_nfc_and_trimmed(cli_database, monkeypatch, capsys):
    decomposed = unicodedata.normalize("NFD", "lân")
    assert _user_add(monkeypatch, f"  {decomposed} ", "long-enough-pass", "--role", "clerk") == 0
    assert "user lân (clerk) saved" in capsys.readouterr().out
    assert "lân" in _names(cli_database)  # composed: it logs in as typed on any keyboard
    # and the admin pages' rule meets it: `Lân` is the same user, not a second one
    assert _user_add(monkeypatch, "Lân", "another-long-pass", "--role", "clerk") == 0
    assert _names(cli_database).count("lân") == 1 and "Lân" not in _names(cli_database)
