// args.mjs: the command-line parsing the Node test clients share.
// parseOptions(argv, defaults, withValue, flags, numeric, usage): a copy of
// defaults with "--name value" options (withValue: option -> key),
// "--name" switches (flags: option -> key) and the numeric keys checked
// as finite, non-negative numbers; usage(msg) is called (and must exit)
// on an unknown option, a missing value or a bad number.
export function parseOptions(argv, defaults, withValue, flags, numeric, usage) {
	const a = { ...defaults };
	for (let i = 0; i < argv.length; i++) {
		const k = argv[i];
		if (k in flags) {
			a[flags[k]] = true;
		} else if (k in withValue) {
			if (i + 1 >= argv.length)
				usage(`${k} needs a value`);
			a[withValue[k]] = argv[++i];
		} else {
			usage(`unknown argument '${k}'`);
		}
	}
	for (const k of numeric) {
		if (a[k] === null)
			continue;
		const v = Number(a[k]);
		if (!Number.isFinite(v) || v < 0)
			usage(`bad number '${a[k]}'`);
		a[k] = v;
	}
	return a;
}
