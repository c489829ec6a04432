#!/bin/sh
# TAP wrapper: run the sipmsg fuzzer briefly on its seed corpus.
exec "$top_srcdir/tests/fuzz/run-fuzzer" sipmsg
