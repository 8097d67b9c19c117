-- The fixture ledger of tests/ledger/bill-golden.sh, with the bill worked
-- out by hand for tests/ledger/rates.conf (EUR, ram_basis = limit):
--
--   cpu_hour 0.04, ram_gib_hour 0.01, swap_gib_hour 0.002,
--   disk_gib_hour 0.0005, io_gib 0.05, io_mops 0.2
--
-- GiB = 1073741824 bytes; a GiB-hour = 3865470566400 byte-seconds.
--
-- web: two hourly records on 2026-11-01 (one on 2026-10-31 and one on
--   2026-12-01 fall outside the period).
--   cpu  1800000000 + 5400000000 usec = 2 CPU-hours    x 0.04  = 0.08
--   ram  limit 4 GiB for 2 h = 8 GiB-hours             x 0.01  = 0.08
--        (held 2 GiB: average basis would be 4 GiB-hours)
--   swap 0.5 GiB for 2 h = 1 GiB-hour                  x 0.002 = 0.002
--   io   4 GiB read and written                        x 0.05  = 0.20
--        2,000,000 operations = 2 Mops                 x 0.2   = 0.40
--   failcnt 2 + 1 = 3                                   total  = 0.762
-- db: one record on 2026-11-15, no limits, a disk quota.
--   cpu  1 CPU-hour                                    x 0.04  = 0.04
--   ram  no limit: held, 1 GiB for 1 h = 1 GiB-hour    x 0.01  = 0.01
--   disk 10 GiB for 1 h = 10 GiB-hours                 x 0.0005= 0.005
--                                                       total  = 0.055
-- old: destroyed on 2026-11-02 after half an hour; still billed.
--   cpu  0.25 CPU-hours                                x 0.04  = 0.01
--   ram  limit 2 GiB for 0.5 h = 1 GiB-hour            x 0.01  = 0.01
--   io   0.5 GiB                                       x 0.05  = 0.025
--        100,000 operations = 0.1 Mops                 x 0.2   = 0.02
--                                                       total  = 0.065
-- Total of the period: 0.762 + 0.055 + 0.065 = 0.882 EUR.
--
-- With tests/ledger/rates-reserved.conf (the same prices, cpu_basis = max,
-- ram_basis = max: max(limit, usage) record by record):
-- web: cpulimit 200 % = 2 CPUs for each hour: max(2, 0.5) + max(2, 1.5)
--        = 4 CPU-hours                              x 0.04  = 0.16
--      ram max(4 GiB limit, 2 GiB held) for 2 h = 8 GiB-hours = 0.08
--      swap 0.002, io 0.20 + 0.40                    total  = 0.842
-- db:  no limits: the usage, as above                total  = 0.055
-- old: no cpulimit: 0.25 CPU-hours = 0.01; ram max(2 GiB, 1 GiB) for
--      0.5 h = 1 GiB-hour = 0.01; io 0.025 + 0.02    total  = 0.065
-- Total: 0.842 + 0.055 + 0.065 = 0.962 EUR.
INSERT INTO container VALUES (1, 'web', 'lxc.payload.web', 1793487600, 1793498400);
INSERT INTO container VALUES (2, 'db', 'lxc.payload.db', 1794700800, 1794704400);
INSERT INTO container VALUES (3, 'old', 'accountd/old', 1793577600, 1793579400);
-- columns: ct, start, end, kind, covered_ms, cpu_usec, ram_bs,
--   ram_limit_bs, ram_alloc_bs, ram_peak, swap_bs, swap_peak, disk_bs,
--   disk_peak, io_rbytes, io_wbytes, io_rios, io_wios, failcnt,
--   ram_limit, swap_limit, cpulimit, cpus, numproc, disk_soft, disk_hard
INSERT INTO usage VALUES (1, 1793487600, 1793491200, 'interval', 3600000,
  3600000000, 7730941132800, 15461882265600, 15461882265600, 3221225472,
  0, 0, NULL, NULL, 0, 0, 0, 0, 9, 4294967296, NULL, 200, NULL, NULL,
  NULL, NULL);
INSERT INTO usage VALUES (1, 1793491200, 1793494800, 'interval', 3600000,
  1800000000, 7730941132800, 15461882265600, 15461882265600, 3221225472,
  1932735283200, 536870912, NULL, NULL, 1073741824, 1073741824, 600000,
  400000, 2, 4294967296, 1073741824, 200, NULL, 100, NULL, NULL);
INSERT INTO usage VALUES (1, 1793494800, 1793498400, 'interval', 3600000,
  5400000000, 7730941132800, 15461882265600, 15461882265600, 2147483648,
  1932735283200, 536870912, NULL, NULL, 1073741824, 1073741824, 600000,
  400000, 1, 4294967296, 1073741824, 200, NULL, 100, NULL, NULL);
INSERT INTO usage VALUES (1, 1796083200, 1796086800, 'interval', 3600000,
  3600000000, 7730941132800, 15461882265600, 15461882265600, 2147483648,
  0, 0, NULL, NULL, 0, 0, 0, 0, 5, 4294967296, NULL, 200, NULL, NULL,
  NULL, NULL);
INSERT INTO usage VALUES (2, 1794700800, 1794704400, 'interval', 3600000,
  3600000000, 3865470566400, 3865470566400, 3865470566400, 1073741824,
  0, 0, 38654705664000, 10737418240, 0, 0, 0, 0, 0, NULL, NULL, NULL,
  NULL, NULL, 21474836480, 32212254720);
INSERT INTO usage VALUES (3, 1793577600, 1793579400, 'interval', 1800000,
  900000000, 1932735283200, 3865470566400, 3865470566400, 1073741824,
  0, 0, NULL, NULL, 536870912, 0, 100000, 0, 0, 2147483648, NULL, NULL,
  NULL, NULL, NULL, NULL);
