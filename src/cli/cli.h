/* Shared helpers of the subcommands: the data directory option, opening the
 * store with all migrations, and the command entry points (one file each). */
#ifndef RATHAUS_CLI_CLI_H
#define RATHAUS_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "store/store.h"

#ifndef RATHAUS_VERSION
#define RATHAUS_VERSION "0.0.0"
#endif

/* Returns the data directory: the --data value if given, else $RATHAUS_DATA,
 * else "./data". */
const char *cli_data_dir(const char *opt);

/* Opens the store of dir and applies pending migrations. Prints a German
 * message naming dir on failure and returns non-zero. */
int cli_open(const char *dir, struct store **ret);

/* Applies all of rathaus' migrations to s. */
int cli_migrate(struct store *s, int *ret_applied);

/* Reads one line (without newline) from stdin into buf; 0 or ERR_INVALID. */
int cli_read_line(char *buf, size_t n);

/* Prints "rathaus <cmd>: <message>" to stderr and returns 1 (for return). */
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The subcommands: each takes the arguments after the command name
 * (argv[0] is the command) and returns the process exit status. */
int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_file(int argc, char **argv);
int cmd_case(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_bpmn(int argc, char **argv);
int cmd_services(int argc, char **argv);
int cmd_forms(int argc, char **argv);

#endif
