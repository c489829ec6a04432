# embed.awk: turn a text file into a C string constant named `name`.
# Usage: awk -v name=IDENT -f embed.awk FILE > FILE.c
BEGIN {
	print "/* Generated from etc/sbc-default.conf by scripts/embed.awk. */"
	print "#include \"sbc/conf.h\""
	print "const char " name "[] ="
}
{
	gsub(/\\/, "\\\\")
	gsub(/"/, "\\\"")
	print "\t\"" $0 "\\n\""
}
END { print ";" }
