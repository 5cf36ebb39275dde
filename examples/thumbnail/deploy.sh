#!/bin/sh
# Deploys the thumbnail example to a running Nimbus (NIMBUS_ENDPOINT, default
# http://127.0.0.1:9000): installs the function's dependencies, deploys it, creates the bucket
# (BUCKET, default "photos") and adds the trigger on uploads/. Run it again to update.
set -eu
cd "$(dirname "$0")"
BUCKET="${BUCKET:-photos}"
NIMBUS="node ../../bin/nimbus.js"
npm ci --omit=dev --no-audit --no-fund --silent
$NIMBUS function deploy . --name thumbnail --timeout 30 --memory 512
$NIMBUS bucket create "$BUCKET"
$NIMBUS trigger add thumbnail --bucket "$BUCKET" --prefix uploads/ --events created --id thumbnails
echo "Upload an image (from the repository root): node bin/nimbus.js object put cat.jpg $BUCKET/uploads/"
echo "Get its thumbnail: node bin/nimbus.js object get $BUCKET/thumbnails/cat.jpg thumb.jpg"
