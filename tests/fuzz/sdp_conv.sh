#!/bin/sh
# TAP wrapper: run the sdp_conv fuzzer briefly on its seed corpus.
exec "$top_srcdir/tests/fuzz/run-fuzzer" sdp_conv
