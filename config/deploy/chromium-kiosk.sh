#!/bin/sh
# Start Chromium full-screen for a kiosk, a hall screen, a window screen or a rating
# tablet. Usage: chromium-kiosk.sh URL
#   kiosk:         http://qhall.local/kiosk/MZJ?kiosk=kiosk-1
#   hall screen:   http://qhall.local/display/MZJ
#   window screen: http://qhall.local/display/counter/MZJ/3
#   rating tablet: http://qhall.local/counter/rate/MZJ/3
# --autoplay-policy lets the hall screen speak calls without a first touch;
# the rest keep a public screen from showing anything but the page.
exec chromium \
  --kiosk --app="$1" \
  --autoplay-policy=no-user-gesture-required \
  --noerrdialogs --disable-infobars --no-first-run \
  --disable-translate --disable-features=TranslateUI \
  --disable-pinch --overscroll-history-navigation=0 \
  --disable-session-crashed-bubble --check-for-update-interval=31536000 \
  --lang=zh-CN
