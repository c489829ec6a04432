#!/bin/sh
# TAP wrapper: run the ctl_proto fuzzer briefly on its seed corpus.
exec "$top_srcdir/tests/fuzz/run-fuzzer" ctl_proto
