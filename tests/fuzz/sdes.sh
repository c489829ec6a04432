#!/bin/sh
# TAP wrapper: run the sdes fuzzer briefly on its seed corpus.
exec "$top_srcdir/tests/fuzz/run-fuzzer" sdes
