#!/bin/sh
# TAP wrapper: run the ws_frame fuzzer briefly on its seed corpus.
exec "$top_srcdir/tests/fuzz/run-fuzzer" ws_frame
