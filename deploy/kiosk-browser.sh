#!/bin/sh
# Start a kiosk, lobby TV or counter screen as Chromium in kiosk mode.
#
#   deploy/kiosk-browser.sh http://HUB:5000/kiosk/kiosk-1        # touch kiosk
#   deploy/kiosk-browser.sh http://HUB:5000/display              # lobby TV (sound starts by itself)
#   deploy/kiosk-browser.sh http://HUB:5000/display/counter/3    # screen at counter 3
#
# Full screen with no address bar, tabs, menus, pinch-zoom, swipe navigation,
# translate bar or crash bubble; sound allowed without a tap (lobby TVs);
# nothing fetched from the internet.  Run it from the session's autostart
# (e.g. ~/.config/autostart or a systemd --user unit) on the device's own user.
set -eu
URL="${1:?usage: $0 URL}"
PROFILE="${MOTCUA_BROWSER_PROFILE:-$HOME/.cache/motcua-browser}"
mkdir -p "$PROFILE"
# A crashed session must not bring up "restore pages?" over the kiosk.
sed -i 's/"exited_cleanly":false/"exited_cleanly":true/; s/"exit_type":"[^"]*"/"exit_type":"Normal"/' \
  "$PROFILE/Default/Preferences" 2>/dev/null || true
exec chromium \
  --kiosk "$URL" \
  --user-data-dir="$PROFILE" \
  --no-first-run --noerrdialogs --disable-infobars --disable-session-crashed-bubble \
  --disable-translate --disable-features=Translate,TouchpadOverscrollHistoryNavigation \
  --disable-pinch --overscroll-history-navigation=0 \
  --autoplay-policy=no-user-gesture-required \
  --disable-background-networking --disable-component-update --disable-sync \
  --check-for-update-interval=31536000
