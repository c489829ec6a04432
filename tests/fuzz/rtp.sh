#!/bin/sh
# TAP wrapper: run the rtp fuzzer briefly on its seed corpus.
exec "$top_srcdir/tests/fuzz/run-fuzzer" rtp
