"""Languages: Vietnamese first, English second.

The language of a request: `?lang=` (remembered in a cookie), then the
`lang` cookie, then Vietnamese.  Pages ignore Accept-Language on purpose:
kiosks and lobby TVs are often set up with an English browser, yet must
speak Vietnamese until a citizen taps "English".  API clients may still ask
for a language with Accept-Language.
"""

from __future__ import annotations

from flask import request

LANGUAGES = ("vi", "en")
DEFAULT = "vi"


def select_locale() -> str:
    asked = request.args.get("lang") or request.cookies.get("lang")
    if asked in LANGUAGES:
        return asked
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(LANGUAGES) or DEFAULT
    return DEFAULT


def remember_language(response):
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get("lang") != asked:
        response.set_cookie("lang", asked, max_age=365 * 24 * 3600, samesite="Lax")
    return response
