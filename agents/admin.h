/* admin: what dx-admin's files share (dx-admin.c: the command table, the
 * usage and the broker's commands; admin_keys.c: backups and master key
 * files; admin_content.c: the store and its content pool checked). Each command takes the arguments from its last word on. */
#ifndef DX_ADMIN_H
#define DX_ADMIN_H

#include <stdio.h>

extern const char *admin_prog;
int admin_usage(FILE *out, int status);

int admin_backup(int argc, char **argv);
int admin_backup_check(int argc, char **argv);
int admin_master_new(int argc, char **argv);
int admin_master_retire(int argc, char **argv);
int admin_content_check(int argc, char **argv);

#endif
