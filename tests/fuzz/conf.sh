#!/bin/sh
# TAP wrapper: run the conf fuzzer briefly on its seed corpus.
exec "$top_srcdir/tests/fuzz/run-fuzzer" conf
