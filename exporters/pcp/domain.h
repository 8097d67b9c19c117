/*
 * The PCP metrics domain of accountd's PMDA (pmdaaccountd).  432 is free
 * in PCP's stdpmid (256..510 are unassigned); a site where another local
 * PMDA uses it changes the number here (and pmdaaccountd -d N).
 */
#define ACCOUNTD 432
