#!/bin/bash
# browser_call_shared.sh: the real-browser calls of browser_call.sh with
# media.browser_port at its default (the range's first ports): every call
# of a worker shares one UDP port on the browser side, sessions found by
# ICE ufrag then by the browser's address.
BROWSER_CALL_SHARED_PORT=default exec bash "$top_srcdir/tests/system/browser_call.sh"
