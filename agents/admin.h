/* admin: what dx-admin's files share (dx-admin.c: the command table, the
 * usage and the broker's commands; admin_keys.c: member keys, backups
 * and master key files; admin_content.c: the store and its content pool checked; admin_journal.c: a broker
 * group's journal). Each command takes the arguments from its last word on. */
#ifndef DX_ADMIN_H
#define DX_ADMIN_H

#include <stdio.h>

extern const char *admin_prog;
int admin_usage(FILE *out, int status);

/* admin_keys.c */
int admin_keygen(int argc, char **argv);
int admin_backup(int argc, char **argv);
int admin_backup_check(int argc, char **argv);
int admin_master_new(int argc, char **argv);
int admin_master_retire(int argc, char **argv);
int admin_master_move(int argc, char **argv);
int admin_content_check(int argc, char **argv);
/* admin_keys.c: dx-admin pkcs11 key URI */
int admin_pkcs11_key(int argc, char **argv);
/* admin_opendata.c: dx-admin opendata export */
int admin_opendata(int argc, char **argv);
/* admin_journal.c: dx-admin journal status | trim */
int admin_journal(int argc, char **argv);
/* Sets --rados-conf ('c'), --rados-pool ('p'), --rados-user ('u') or
 * --timeout ('t') from getopt's opt; -1 for any other option. */
struct pool_config;
int admin_rados_option(int opt, const char *arg, struct pool_config *pc);

#endif
