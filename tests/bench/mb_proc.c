/*
 * mb_proc.c: mediabench measurements outside the packet path: CPU time
 * of the SBC (/proc/PID/stat utime + stime, per thread from
 * /proc/PID/task) and of the generator (getrusage), the SBC's RSS
 * (/proc/PID/status VmRSS), kernel UDP receive drops per socket
 * (/proc/net/udp "drops": the SBC's media ports and ours), and the
 * latency histogram (1 µs buckets below 10 ms, 100 µs up to 10 s).
 *
 * Owns: nothing.  Thread: the generator's only thread.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tests/bench/mb.h"

long
proc_clk_tck(void)
{
	long	t = sysconf(_SC_CLK_TCK);

	return t > 0 ? t : 100;
}

/* utime + stime (clock ticks) of a /proc/.../stat file; -1 on error. */
static long long
stat_ticks(const char *path, char *comm, size_t commlen)
{
	char			 buf[1024], *p, *o;
	unsigned long long	 ut, st;
	FILE			*f;
	size_t			 n;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (comm != NULL && (o = strchr(buf, '(')) != NULL && o < p)
		snprintf(comm, commlen, "%.*s", (int)(p - o - 1), o + 1);
	/* fields after ")": 3 state ... 14 utime 15 stime */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%llu %llu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

static long
rss_kb(pid_t pid)
{
	char	 path[64], line[256];
	long	 kb = -1;
	FILE	*f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/* Sum the drops column of /proc/net/udp: the SBC's port range, ours. */
static void
udp_drops(struct mb *mb, uint64_t *sbc, uint64_t *gen)
{
	char			 line[512];
	unsigned int		 port;
	int			 i, theirs;
	unsigned long long	 drops;
	FILE			*f;

	*sbc = *gen = 0;
	if ((f = fopen("/proc/net/udp", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, " %*d: %*x:%x %*x:%*x %*x %*x:%*x %*x:%*x %*x "
		    "%*u %*u %*u %*d %*s %llu", &port, &drops) != 2)
			continue;
		for (i = theirs = 0; i < mb->o.nranges; i++)
			if ((int)port >= mb->o.port_min[i] &&
			    (int)port <= mb->o.port_max[i])
				theirs = 1;
		if (theirs)
			*sbc += drops;
		else if (port < 65536 && mb->our_port != NULL &&
		    mb->our_port[port])
			*gen += drops;
	}
	fclose(f);
}

/* Machine-wide busy and softirq ticks (/proc/stat), load average. */
static void
machine(struct mb_proc *s)
{
	unsigned long long	 v[8];
	FILE			*f;

	if ((f = fopen("/proc/stat", "r")) != NULL) {
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
		    &v[7]) == 8) {
			s->cpu_busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
			s->cpu_softirq = v[6];
		}
		fclose(f);
	}
	if ((f = fopen("/proc/loadavg", "r")) != NULL) {
		if (fscanf(f, "%lf", &s->load1) != 1)
			s->load1 = 0;
		fclose(f);
	}
}

int
proc_snap(struct mb *mb, struct mb_proc *s)
{
	struct rusage	ru;
	char		path[64];
	long long	t;

	memset(s, 0, sizeof(*s));
	s->mono_ns = mb_mono_ns();
	getrusage(RUSAGE_SELF, &ru);
	s->self_us = (uint64_t)ru.ru_utime.tv_sec * 1000000 +
	    (uint64_t)ru.ru_utime.tv_usec +
	    (uint64_t)ru.ru_stime.tv_sec * 1000000 +
	    (uint64_t)ru.ru_stime.tv_usec;
	udp_drops(mb, &s->sbc_drops, &s->gen_drops);
	machine(s);
	if (mb->o.sbc_pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)mb->o.sbc_pid);
	if ((t = stat_ticks(path, NULL, 0)) < 0)
		return -1;
	s->sbc_ticks = (uint64_t)t;
	s->sbc_rss_kb = rss_kb(mb->o.sbc_pid);
	return 0;
}

/* CPU ticks of each thread of pid (name from its stat); count. */
int
proc_threads(pid_t pid, struct mb_thread_cpu *out, int max)
{
	char		 path[300];
	struct dirent	*de;
	DIR		*d;
	long long	 t;
	int		 n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while (n < max && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat",
		    (int)pid, de->d_name);
		if ((t = stat_ticks(path, out[n].name,
		    sizeof(out[n].name))) < 0)
			continue;
		out[n++].ticks = (uint64_t)t;
	}
	closedir(d);
	return n;
}

/* ------------------------------------------------------------ histogram */

void
hist_add(struct mb_hist *h, int64_t ns)
{
	int64_t	us;

	if (ns < 0)
		ns = 0;
	us = ns / 1000;
	h->n++;
	if ((uint64_t)ns > h->max_ns)
		h->max_ns = (uint64_t)ns;
	if (us >= MB_HIST_MAX_US)
		h->over++;
	else if (us < MB_HIST_FINE)
		h->b[us]++;
	else
		h->b[MB_HIST_FINE + (us - MB_HIST_FINE) / 100]++;
}

void
hist_merge(struct mb_hist *to, const struct mb_hist *from)
{
	int	i;

	to->n += from->n;
	to->over += from->over;
	if (from->max_ns > to->max_ns)
		to->max_ns = from->max_ns;
	for (i = 0; i < MB_HIST_N; i++)
		to->b[i] += from->b[i];
}

/* The pct-th percentile in ns (bucket upper bound), 0 if empty. */
uint64_t
hist_pct(const struct mb_hist *h, double pct)
{
	uint64_t	want, seen = 0;
	int		i;

	if (h->n == 0)
		return 0;
	want = (uint64_t)((double)h->n * pct / 100.0 + 0.999999);
	if (want == 0)
		want = 1;
	for (i = 0; i < MB_HIST_N; i++) {
		seen += h->b[i];
		if (seen < want)
			continue;
		if (i < MB_HIST_FINE)
			return (uint64_t)(i + 1) * 1000;
		return ((uint64_t)MB_HIST_FINE +
		    (uint64_t)(i - MB_HIST_FINE + 1) * 100) * 1000;
	}
	return h->max_ns;
}
