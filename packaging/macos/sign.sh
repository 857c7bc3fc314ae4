#!/usr/bin/env bash
# Sign dist/Flowdeck.app for Developer ID distribution, inside out and without --deep (Apple advises against it:
# --deep signs nested code with the outer bundle's options and entitlements). Runs on macOS only.
#   packaging/macos/sign.sh dist/Flowdeck.app "Developer ID Application: NAME (TEAMID)"
# Every Mach-O file and framework gets the hardened runtime and a secure timestamp; only the app's main executable
# gets the entitlements (packaging/macos/entitlements.plist).
set -euo pipefail
app="${1:?usage: sign.sh APP IDENTITY}"
identity="${2:-${MACOS_SIGN_IDENTITY:?give the signing identity as the 2nd argument or MACOS_SIGN_IDENTITY}}"
here="$(cd "$(dirname "$0")" && pwd)"
main="$app/Contents/MacOS/$(/usr/libexec/PlistBuddy -c 'Print :CFBundleExecutable' "$app/Contents/Info.plist")"
sign() { codesign --force --timestamp --options runtime --sign "$identity" "$@"; }

# 1. Every Mach-O file (libraries, Python extension modules, helper executables), not through symlinks.
find "$app/Contents" -type f ! -path "$main" -print0 | while IFS= read -r -d '' f; do
  if file -b "$f" | grep -q "Mach-O"; then sign "$f"; fi
done
# 2. Nested frameworks, innermost first (find -depth lists a folder after what it holds).
find "$app/Contents" -depth -type d -name "*.framework" -print0 | while IFS= read -r -d '' fw; do sign "$fw"; done
# 3. The app itself: its main executable with the entitlements, and the seal over the resources.
sign --entitlements "$here/entitlements.plist" "$app"

codesign --verify --strict --verbose=2 "$app"
codesign --display --entitlements - "$app" >/dev/null
echo "signed: $app"
