#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# (d) exit status 77 = skipped; the reason is the last output line that starts with SKIP:
echo "this test only shows how a skip is reported"
echo "SKIP: deliberately skipped (demonstrates exit 77 handling)"
exit 77
