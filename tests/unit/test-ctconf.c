/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of CTID.conf files (policies/ctconf.c): what an OpenVZ user
 * moving /etc/vz/conf/CTID.conf over expects.  ctid.conf(5): lines are
 * KEY="value", unrecognized lines are kept (accountd keeps them through a
 * --save), old spellings (DCACHE, IPTENTRIES) still read; a value accountd
 * cannot parse is an error naming file and line.
 */
#include "config.h"

#include <stdlib.h>

#include "ctconf.h"
#include "xalloc.h"
#include "../tap.h"

/* A real-world CTID.conf: comments, blank lines, keys outside scope. */
static const char openvz_conf[] =
    "# Copyright (C) 2000-2011, Parallels, Inc. All rights reserved.\n"
    "ONBOOT=\"yes\"\n"
    "\n"
    "# RAM\n"
    "PHYSPAGES=\"0:256M\"\n"
    "# Swap\n"
    "SWAPPAGES=\"0:512M\"\n"
    "DISKSPACE=\"2G:2.2G\"\n"
    "DISKINODES=\"131072:144179\"\n"
    "QUOTATIME=\"0\"\n"
    "CPUUNITS=\"1000\"\n"
    "NETFILTER=\"stateless\"\n"
    "VE_ROOT=\"/vz/root/$VEID\"\n"
    "VE_PRIVATE=\"/vz/private/$VEID\"\n"
    "OSTEMPLATE=\"centos-6-x86_64\"\n"
    "ORIGIN_SAMPLE=\"vswap-256m\"\n"
    "HOSTNAME=\"ct101.example.org\"\n"
    "IP_ADDRESS=\"192.0.2.10 192.0.2.11\"\n"
    "NAMESERVER=\"192.0.2.1\"\n"
    "   # indented comment\n"
    "DCACHE=\"3409920:3624960\"\n"
    "IPTENTRIES=\"128\"\n";

static int
parse(const char *text, struct ctconf *cf, struct sbuf *warn,
    struct aerr *err)
{
	return ctconf_parse("101.conf", text, cf, warn, err);
}

static void
test_round_trip(void)
{
	struct sbuf warn = SBUF_INIT;
	struct aerr err = { 0 };
	struct ctconf cf;
	char *out;

	ok(parse(openvz_conf, &cf, &warn, &err) == 0, "an OpenVZ CTID.conf "
	    "parses (%s)", err.msg);
	is_str(sbuf_str(&warn), "", "keys outside accountd's scope give no "
	    "warning");
	out = ctconf_render(&cf);
	is_str(out, openvz_conf, "render gives the file back byte for byte");
	free(out);
	is_u64(cf.params.v[P_PHYSPAGES].lim, 65536, "PHYSPAGES 0:256M = 65536 "
	    "pages");
	is_u64(cf.params.v[P_SWAPPAGES].lim, 131072, "SWAPPAGES 0:512M");
	is_u64(cf.params.v[P_DCACHESIZE].bar, 3409920, "alias DCACHE read "
	    "as dcachesize (barrier)");
	is_u64(cf.params.v[P_DCACHESIZE].lim, 3624960, "alias DCACHE read "
	    "as dcachesize (limit)");
	is_u64(cf.params.v[P_NUMIPTENT].lim, 128, "alias IPTENTRIES read as "
	    "numiptent");
	ok(!cf.params.v[P_NUMPROC].set, "a key not in the file is unset");
	ctconf_free(&cf);
	sbuf_free(&warn);

	/* no newline at the end: the content survives, one is added */
	ok(parse("# x\nNUMPROC=\"100\"", &cf, NULL, &err) == 0 &&
	    cf.params.v[P_NUMPROC].lim == 100, "last line without a newline "
	    "is read");
	out = ctconf_render(&cf);
	is_str(out, "# x\nNUMPROC=\"100\"\n", "render ends it with a newline");
	free(out);
	ctconf_free(&cf);

	/* CRLF line ends (a file edited on another system) */
	ok(parse("NUMPROC=\"100\"\r\nCPUUNITS=\"2000\"\r\n", &cf, NULL,
	    &err) == 0 && cf.params.v[P_NUMPROC].lim == 100 &&
	    cf.params.v[P_CPUUNITS].lim == 2000, "CRLF line ends read (%s)",
	    err.msg);
	out = ctconf_render(&cf);
	is_str(out, "NUMPROC=\"100\"\r\nCPUUNITS=\"2000\"\r\n",
	    "CRLF file rendered back unchanged");
	free(out);
	ctconf_free(&cf);

	ok(parse("", &cf, NULL, &err) == 0 && cf.nlines == 0,
	    "an empty file is an empty config");
	out = ctconf_render(&cf);
	is_str(out ? out : "", "", "an empty config renders empty");
	free(out);
	ctconf_free(&cf);
}

static void
test_quoting(void)
{
	static const char *const forms[] = {
		"NUMPROC=\"240:260\"", "NUMPROC=240:260", "NUMPROC='240:260'",
		"NUMPROC = \"240:260\"", "  NUMPROC=\"240:260\"  ",
		"NUMPROC=\"240:260\"\t",
	};
	static const char *const bad[] = {
		"NUMPROC=\"240", "NUMPROC='240\"", "just some words",
		"=\"240\"", "NUM PROC=\"240\"", "NUMPROC-X=\"1\"",
	};

	for (size_t i = 0; i < nitems(forms); i++) {
		struct aerr err = { 0 };
		struct ctconf cf;
		int r = parse(forms[i], &cf, NULL, &err);

		ok(r == 0 && cf.params.v[P_NUMPROC].bar == 240 &&
		    cf.params.v[P_NUMPROC].lim == 260, "quoting form [%s] reads "
		    "240:260 %s", forms[i], r < 0 ? err.msg : "");
		if (r == 0)
			ctconf_free(&cf);
	}
	for (size_t i = 0; i < nitems(bad); i++) {
		struct aerr err = { 0 };
		struct ctconf cf;
		char text[128];
		int r;

		/* two good lines first: the error names line 3 */
		snprintf(text, sizeof(text), "# ok\nCPUUNITS=\"1000\"\n%s\n",
		    bad[i]);
		r = parse(text, &cf, NULL, &err);
		ok(r < 0 && strncmp(err.msg, "101.conf:3: ", 12) == 0,
		    "bad line [%s] refused, naming 101.conf:3: %s", bad[i],
		    err.msg);
		if (r == 0)
			ctconf_free(&cf);
	}
	/* a bad value of a known key names the file, line and parameter */
	{
		struct aerr err = { 0 };
		struct ctconf cf;
		int r = parse("\n\nNUMPROC=\"lots\"\n", &cf, NULL, &err);

		ok(r < 0 && strncmp(err.msg, "101.conf:3: ", 12) == 0 &&
		    strstr(err.msg, "numproc") && strstr(err.msg, "lots"),
		    "bad value refused with file:line and the parameter: %s",
		    err.msg);
		if (r == 0)
			ctconf_free(&cf);
	}
	/* the value of a key outside the scope is not judged */
	{
		struct aerr err = { 0 };
		struct ctconf cf;
		int r = parse("HOSTNAME=\"a b c\"\nFEATURES=\"nfs:on\"\n", &cf,
		    NULL, &err);

		ok(r == 0, "values of keys outside the scope are kept as they are "
		    "(%s)", err.msg);
		if (r == 0)
			ctconf_free(&cf);
	}
	/*
	 * Long values of keys accountd does not use (a CT with many IPv6
	 * addresses) must not make the whole file unreadable.
	 */
	{
		struct aerr err = { 0 };
		struct ctconf cf;
		char text[4096], *out;
		size_t n = 0;
		int r;

		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "IP_ADDRESS=\"");
		for (int i = 0; i < 40; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
			    "%s2001:db8:1234:5678:9abc:def0:1234:%04x",
			    i ? " " : "", i);
		snprintf(text + n, sizeof(text) - n, "\"\nNUMPROC=\"100\"\n");
		r = parse(text, &cf, NULL, &err);
		ok(r == 0 && cf.params.v[P_NUMPROC].lim == 100, "a %zu-character "
		    "IP_ADDRESS line is kept and the file read (%s)", n,
		    r < 0 ? err.msg : "");
		if (r == 0) {
			out = ctconf_render(&cf);
			is_str(out, text, "the long line survives a round trip");
			free(out);
			ctconf_free(&cf);
		}
	}
}

static void
test_warnings(void)
{
	struct sbuf warn = SBUF_INIT;
	struct aerr err = { 0 };
	struct ctconf cf;
	const char *w;

	ok(parse("FOO=\"1\"\nNUMPROC=\"5\"\nBAR_BAZ=\"x\"\nnumproc=\"7\"\n",
	    &cf, &warn, &err) == 0, "unknown keys are not an error");
	w = sbuf_str(&warn);
	ok(strchr(w, '\n') == strrchr(w, '\n') && strchr(w, '\n') != NULL,
	    "one warning line for all unknown keys: %s", w);
	ok(strstr(w, "101.conf") && strstr(w, "FOO") && strstr(w, "BAR_BAZ") &&
	    strstr(w, "numproc"), "the warning names the file and every "
	    "unknown key (keys are case-sensitive)");
	is_u64(cf.params.v[P_NUMPROC].lim, 5, "lower-case numproc is not "
	    "NUMPROC");
	ok(ctconf_get_raw(&cf, "FOO", (char[32]){ 0 }, 32) != NULL,
	    "unknown key kept");
	ctconf_free(&cf);
	sbuf_free(&warn);

	ok(parse("NUMPROC=\"5\"\n# FOO=\"1\"\n", &cf, &warn, &err) == 0 &&
	    warn.len == 0, "a commented-out key is no warning");
	ctconf_free(&cf);
	sbuf_free(&warn);
}

static void
test_duplicates(void)
{
	struct aerr err = { 0 };
	struct ctconf cf;
	struct ct_params chg = { 0 };
	char buf[64], *out;

	ok(parse("NUMPROC=\"100\"\nCPUUNITS=\"1000\"\nNUMPROC=\"200\"\n", &cf,
	    NULL, &err) == 0, "duplicate keys read");
	is_u64(cf.params.v[P_NUMPROC].lim, 200, "duplicate key: the last "
	    "wins (as a shell sourcing the file would)");
	is_str(ctconf_get_raw(&cf, "NUMPROC", buf, sizeof(buf)), "200",
	    "ctconf_get_raw agrees: the last");
	param_parse(param_by_name("numproc"), "300", &chg, NULL);
	ctconf_update(&cf, &chg);
	out = ctconf_render(&cf);
	is_str(out, "NUMPROC=\"300\"\nCPUUNITS=\"1000\"\n", "an update leaves "
	    "one line for the key, where it first was");
	free(out);
	ctconf_free(&cf);
}

static void
test_update(void)
{
	static const char text[] =
	    "# my container\n"
	    "PHYSPAGES=\"0:256M\"\n"
	    "ONBOOT=\"yes\"\n"
	    "SWAPPAGES=\"0:512M\"\n"
	    "# cpu\n"
	    "CPUUNITS=\"1000\"\n"
	    "XYZ=\"kept\"\n";
	struct ct_params chg = { 0 };
	struct aerr err = { 0 };
	struct ctconf cf;
	char *out;

	parse(text, &cf, NULL, &err);
	param_parse(param_by_name("ram"), "1G", &chg, NULL);
	param_parse(param_by_name("cpulimit"), "50", &chg, NULL);
	param_parse(param_by_name("numproc"), "100:120", &chg, NULL);
	ctconf_update(&cf, &chg);
	out = ctconf_render(&cf);
	is_str(out,
	    "# my container\n"
	    "PHYSPAGES=\"0:262144\"\n"
	    "ONBOOT=\"yes\"\n"
	    "SWAPPAGES=\"0:512M\"\n"
	    "# cpu\n"
	    "CPUUNITS=\"1000\"\n"
	    "XYZ=\"kept\"\n"
	    "NUMPROC=\"100:120\"\n"
	    "CPULIMIT=\"50\"\n",
	    "update rewrites PHYSPAGES in place, keeps every other line, "
	    "appends new keys");
	free(out);
	is_u64(cf.params.v[P_PHYSPAGES].lim, 262144, "update records the new "
	    "ram in the params");
	is_u64(cf.params.v[P_SWAPPAGES].lim, 131072, "update keeps the swap "
	    "read from the file");
	ctconf_free(&cf);

	/* aliases: DCACHE/IPTENTRIES replaced by the current key */
	parse("# a\nDCACHE=\"100:200\"\n# b\nIPTENTRIES=\"64\"\n# c\n", &cf,
	    NULL, &err);
	memset(&chg, 0, sizeof(chg));
	param_parse(param_by_name("dcachesize"), "300:400", &chg, NULL);
	param_parse(param_by_name("numiptent"), "128", &chg, NULL);
	ctconf_update(&cf, &chg);
	out = ctconf_render(&cf);
	ok(strstr(out, "DCACHE=") == NULL && strstr(out, "IPTENTRIES") == NULL,
	    "update drops the old spellings");
	is_str(out, "# a\nDCACHESIZE=\"300:400\"\n# b\nNUMIPTENT=\"128\"\n"
	    "# c\n", "the current keys take the old lines' places");
	free(out);
	ctconf_free(&cf);

	/* set_raw: replace, add, remove */
	parse("CGROUP=\"/a\"\nNUMPROC=\"1\"\n", &cf, NULL, &err);
	ctconf_set_raw(&cf, "CGROUP", "/b");
	ctconf_set_raw(&cf, "ORIGIN_SAMPLE", "vswap-1g");
	ctconf_set_raw(&cf, "NUMPROC", NULL);
	out = ctconf_render(&cf);
	is_str(out, "CGROUP=\"/b\"\nORIGIN_SAMPLE=\"vswap-1g\"\n",
	    "set_raw replaces, appends and removes raw keys");
	free(out);
	ctconf_free(&cf);
}

/* What --save writes reads back as the same parameters, for every row. */
static void
test_save_reads_back(void)
{
	static const struct { const char *name, *value; } v[] = {
		{ "ram", "1G" }, { "swap", "2.5G" }, { "vm_overcommit", "1.5" },
		{ "memguarantee", "25%" }, { "kmemsize", "14372700:14790164" },
		{ "lockedpages", "2048" }, { "privvmpages", "65536:69632" },
		{ "shmpages", "unlimited" }, { "numproc", "240" },
		{ "vmguarpages", "33792:unlimited" },
		{ "oomguarpages", "26112:unlimited" }, { "numtcpsock", "360" },
		{ "numflock", "188:206" }, { "numpty", "16" },
		{ "numsiginfo", "256" }, { "tcpsndbuf", "1720320:2703360" },
		{ "tcprcvbuf", "1720320:2703360" },
		{ "othersockbuf", "1126080:2097152" },
		{ "dgramrcvbuf", "262144" }, { "numothersock", "360" },
		{ "dcachesize", "3409920:3624960" }, { "numfile", "9312" },
		{ "numiptent", "128" }, { "avnumproc", "180" },
		{ "cpuunits", "1000" }, { "cpulimit", "150" }, { "cpus", "2" },
		{ "cpumask", "0-3,7" }, { "nodemask", "all" }, { "ioprio", "7" },
		{ "iolimit", "10M" }, { "iopslimit", "300" },
		{ "diskspace", "2G:2.2G" }, { "diskinodes", "131072:144179" },
		{ "quotatime", "0" }, { "quotaugidlimit", "100" },
		{ "iodevices", "8:0,254:0" },
	};
	struct ct_params chg = { 0 };
	struct aerr err = { 0 };
	struct ctconf cf, back;
	unsigned bad = 0;
	char *out;

	for (size_t i = 0; i < nitems(v); i++)
		if (param_parse(param_by_name(v[i].name), v[i].value, &chg,
		    &err) < 0)
			ok(0, "--%s %s: %s", v[i].name, v[i].value, err.msg);
	parse("# new\n", &cf, NULL, &err);
	ctconf_update(&cf, &chg);
	out = ctconf_render(&cf);
	ok(parse(out, &back, NULL, &err) == 0, "the saved file parses (%s)",
	    err.msg);
	for (unsigned i = 0; i < P_COUNT; i++) {
		const struct pval *a = &chg.v[i], *b = &back.params.v[i];

		if (a->set != b->set || a->bar != b->bar || a->lim != b->lim ||
		    a->kind != b->kind) {
			bad++;
			printf("#   %s differs\n", param_table[i].name);
		}
	}
	bad += strcmp(params_text(&chg, P_CPUMASK),
	    params_text(&back.params, P_CPUMASK)) != 0;
	bad += strcmp(params_text(&chg, P_NODEMASK),
	    params_text(&back.params, P_NODEMASK)) != 0;
	bad += strcmp(params_text(&chg, P_IODEVICES),
	    params_text(&back.params, P_IODEVICES)) != 0;
	ok(bad == 0, "every parameter saved by an update reads back the same "
	    "(%u differ)", bad);
	free(out);
	ctconf_free(&cf);
	ctconf_free(&back);
}

int
main(void)
{
	test_round_trip();
	test_quoting();
	test_warnings();
	test_duplicates();
	test_update();
	test_save_reads_back();
	return done_testing();
}
