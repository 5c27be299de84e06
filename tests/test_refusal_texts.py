"""A refused move of a ticket reads right in both languages: the state is said as a state
("đã hủy", "cancelled"), the refused action as a verb ("hủy", "gọi lại"); never the one
word for both ("không thể đã hủy")."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from kiosk.core import states
from kiosk.core.errors import Conflict
from kiosk.core.model import Counter, Ticket, TicketStatus
from kiosk.messages import action_name, in_both_languages, message, status_name
from tests.support.hubs import TEST_CENTRE, copy_template, in_process_app

STATES = [s.value for s in TicketStatus]
# every action the state machine refuses with illegal_transition (kiosk/core/states.py)
ACTIONS = ["call", "recall", "start", "finish", "no_show", "cancel", "transfer", "close_unserved"]

VI_STATES = {
    "waiting": "đang chờ",
    "called": "đã gọi",
    "serving": "đang được phục vụ",
    "done": "đã phục vụ xong",
    "no_show": "vắng mặt",
    "cancelled": "đã hủy",
    "transferred": "đã chuyển",
    "closed_unserved": "chưa được phục vụ (đã hết ngày làm việc)",
    "remote": "lấy qua điện thoại, chưa xác nhận có mặt",
}
VI_ACTIONS = {
    "call": "gọi",
    "recall": "gọi lại",
    "start": "bắt đầu phục vụ",
    "finish": "kết thúc phục vụ",
    "no_show": "báo vắng",
    "cancel": "hủy",
    "transfer": "chuyển",
    "close_unserved": "ghi nhận là chưa được phục vụ",
}
EN_STATES = {
    "waiting": "waiting",
    "called": "called",
    "serving": "being served",
    "done": "done",
    "no_show": "no-show",
    "cancelled": "cancelled",
    "transferred": "transferred",
    "closed_unserved": "not served (day closed)",
    "remote": "taken by phone, not checked in",
}
EN_ACTIONS = {
    "call": "called",
    "recall": "recalled",
    "start": "started",
    "finish": "finished",
    "no_show": "marked no-show",
    "cancel": "cancelled",
    "transfer": "transferred",
    "close_unserved": "closed as not served",
}
# Words that make a state, never the start of a Vietnamese verb phrase after "không thể".
VI_STATE_MARKERS = ("đã ", "đang ", "vắng mặt", "chưa ")


def test_the_lists_cover_the_state_machine():
    assert set(VI_STATES) == set(STATES) == set(EN_STATES)
    source = open(states.__file__, encoding="utf-8").read()
    used = set(re.findall(r'_require\(ticket, \([^)]*\), "(\w+)"\)', source))
    assert used == set(ACTIONS) == set(VI_ACTIONS) == set(EN_ACTIONS)


@pytest.fixture(scope="module")
def texts_app(tmp_path_factory):
    """One app for the module: the tests only read its catalogues (an app per test
    cost a fifth of a second, 75 times)."""
    tmp = tmp_path_factory.mktemp("refusals")
    url = f"sqlite:///{tmp / 'hub.db'}"
    copy_template(url, TEST_CENTRE)
    opened: list = []
    yield in_process_app(tmp, url, TEST_CENTRE, opened)
    for hub in opened:
        hub.close()


@pytest.fixture
def app_context(texts_app):
    with texts_app.app_context():
        yield


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_every_refusal_reads_right_in_vietnamese_and_english(app_context, state, action):
    texts = in_both_languages("illegal_transition", number="A012", status=state, action=action)
    assert texts["vi"] == (
        f"Số A012 đang ở trạng thái “{VI_STATES[state]}”: không thể {VI_ACTIONS[action]} lúc này."
    )
    assert texts["en"] == (
        f'Ticket A012 is "{EN_STATES[state]}": it cannot be {EN_ACTIONS[action]} now.'
    )
    after = texts["vi"].split("không thể ", 1)[1]
    assert not after.startswith(VI_STATE_MARKERS), texts["vi"]  # a verb, not a state
    assert "%(" not in texts["vi"] + texts["en"]


def test_the_same_english_word_is_a_state_or_an_action(app_context):
    with force_locale("vi"):
        assert status_name("cancelled") == "đã hủy" and action_name("cancel") == "hủy"
        assert status_name("called") == "đã gọi" and action_name("call") == "gọi"
        assert status_name("transferred") == "đã chuyển" and action_name("transfer") == "chuyển"
    with force_locale("en"):
        assert status_name("cancelled") == action_name("cancel") == "cancelled"


def test_a_real_refusal_from_the_state_machine(app_context):
    """Finishing a cancelled ticket: the words come from the Conflict the core raises."""
    now = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    ticket = Ticket(
        centre_id=1,
        service_code="HT",
        number="A012",
        business_day=now.date(),
        issued_at=now,
        queued_at=now,
        status=TicketStatus.CANCELLED,
        counter=3,
        id=7,
    )
    with pytest.raises(Conflict) as refused:
        states.finish(ticket, Counter(3, "Quầy 3", ("HT",)), now)
    with force_locale("vi"):
        vi = message(refused.value.code, **refused.value.params)
    with force_locale("en"):
        en = message(refused.value.code, **refused.value.params)
    assert vi == "Số A012 đang ở trạng thái “đã hủy”: không thể kết thúc phục vụ lúc này."
    assert en == 'Ticket A012 is "cancelled": it cannot be finished now.'
