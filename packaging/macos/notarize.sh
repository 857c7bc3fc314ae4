#!/usr/bin/env bash
# Notarise a signed Flowdeck.app and staple the ticket to it. Runs on macOS only (Xcode command line tools).
#   packaging/macos/notarize.sh dist/Flowdeck.app
# Credentials: NOTARY_PROFILE (a keychain profile made with `xcrun notarytool store-credentials`), or
# APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD (an app-specific password), as a CI secret.
# The archive is submitted (notarytool takes a zip, not the .app folder), the ticket is stapled to the app, and
# the zip is made again from the stapled app, so a person who is offline can still open it.
set -euo pipefail
app="${1:?usage: notarize.sh APP}"
zip="${app%.app}.zip"
if [ -n "${NOTARY_PROFILE:-}" ]; then
  auth=(--keychain-profile "$NOTARY_PROFILE")
else
  auth=(--apple-id "${APPLE_ID:?}" --team-id "${APPLE_TEAM_ID:?}" --password "${APPLE_APP_PASSWORD:?}")
fi

ditto -c -k --sequesterRsrc --keepParent "$app" "$zip"
result="$(xcrun notarytool submit "$zip" "${auth[@]}" --wait --output-format json)"
status="$(printf '%s' "$result" | plutil -extract status raw -o - -)"
if [ "$status" != "Accepted" ]; then
  id="$(printf '%s' "$result" | plutil -extract id raw -o - -)"
  echo "notarize: Apple answered '$status' for submission $id; its log:" >&2
  xcrun notarytool log "$id" "${auth[@]}" >&2 || true
  exit 1
fi
xcrun stapler staple "$app"
xcrun stapler validate "$app"
rm -f "$zip"
ditto -c -k --sequesterRsrc --keepParent "$app" "$zip"
echo "notarised and stapled: $app ($zip)"
