/* `rathaus user add|list|passwd|disable`: staff accounts from the command
 * line. Passwords come from stdin (--password-stdin) or are generated and
 * printed once. Every change is journaled with the actor "cli". */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "web/web.h"

static void help(void)
{
    printf("Aufruf:\n"
           "  rathaus user add --data DIR --login L --name NAME --office NR --role ROLLE\n"
           "                   [--password-stdin]\n"
           "  rathaus user list --data DIR [--json]\n"
           "  rathaus user passwd --data DIR --login L [--password-stdin]\n"
           "  rathaus user disable --data DIR --login L\n\n"
           "ROLLE: Sachbearbeitung, Leitung, Registratur, Admin, Digitalisierung\n"
           "(mehrere mit Komma).\n"
           "Ohne --password-stdin wird ein Zufallspasswort erzeugt und einmal angezeigt.\n");
}

struct user_opts {
    const char *data, *login, *name, *office, *role;
    bool pw_stdin, json;
};

static int parse(int argc, char **argv, struct user_opts *o)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"login", required_argument, NULL, 'l'},
        {"name", required_argument, NULL, 'n'},
        {"office", required_argument, NULL, 'o'},
        {"role", required_argument, NULL, 'r'},
        {"roles", required_argument, NULL, 'r'}, /* same as --role */
        {"password-stdin", no_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': o->data = optarg; break;
        case 'l': o->login = optarg; break;
        case 'n': o->name = optarg; break;
        case 'o': o->office = optarg; break;
        case 'r': o->role = optarg; break;
        case 'p': o->pw_stdin = true; break;
        case 'j': o->json = true; break;
        case 'h': help(); return 1;
        default: help(); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "rathaus user: unerwartetes Argument „%s“\n", argv[optind]);
        return 2;
    }
    return 0;
}

/* Gets the password from stdin or makes one (then *generated is true). */
static int get_password(bool from_stdin, char *buf, size_t n, bool *generated)
{
    if (from_stdin) {
        *generated = false;
        if (cli_read_line(buf, n))
            return cli_fail("user", "kein Passwort auf der Standardeingabe");
        return 0;
    }
    char pw[17];
    web_password_random(pw);
    snprintf(buf, n, "%s", pw);
    *generated = true;
    return 0;
}

static int do_add(struct store *s, const struct user_opts *o)
{
    if (!o->login || !o->name || !o->office || !o->role)
        return cli_fail("user add", "--login, --name, --office und --role sind nötig");
    long office;
    if (str_to_long(o->office, 1, 9999, &office))
        return cli_fail("user add", "--office: „%s“ ist keine Amtsnummer", o->office);
    unsigned roles;
    if (web_roles_parse(o->role, &roles))
        return cli_fail("user add",
                        "--role: „%s“ ist unbekannt (Sachbearbeitung, Leitung, Registratur, "
                        "Admin, Digitalisierung)",
                        o->role);
    char pw[WEB_MAX_PASSWORD + 2];
    bool gen;
    if (get_password(o->pw_stdin, pw, sizeof pw, &gen))
        return 1;
    struct web_user_new u = {o->login, o->name, (int)office, roles, pw};
    struct str why;
    str_init(&why, 512);
    int rc = web_user_add(s, "cli", &u, NULL, &why);
    if (rc) {
        cli_fail("user add", "%s", why.len ? why.buf : err_message(rc));
        str_release(&why);
        return 1;
    }
    str_release(&why);
    printf("Konto „%s“ angelegt.\n", o->login);
    if (gen)
        printf("Passwort (wird nur jetzt angezeigt): %s\n", pw);
    return 0;
}

static int do_list(struct store *s, const struct user_opts *o)
{
    json_t *arr;
    int rc = web_user_list(s, &arr);
    if (rc)
        return cli_fail("user list", "%s", err_message(rc));
    if (o->json) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        putchar('\n');
    } else {
        printf("%-16s %-30s %-5s %-28s %s\n", "Anmeldename", "Name", "Amt", "Rollen", "Status");
        size_t i;
        json_t *u;
        json_array_foreach(arr, i, u)
        {
            printf("%-16s %-30s %-5lld %-28s %s\n", json_string_value(json_object_get(u, "login")),
                   json_string_value(json_object_get(u, "name")),
                   (long long)json_integer_value(json_object_get(u, "office")),
                   json_string_value(json_object_get(u, "roles")),
                   json_is_true(json_object_get(u, "disabled")) ? "gesperrt" : "aktiv");
        }
    }
    json_decref(arr);
    return 0;
}

static int do_passwd(struct store *s, const struct user_opts *o)
{
    if (!o->login)
        return cli_fail("user passwd", "--login ist nötig");
    char pw[WEB_MAX_PASSWORD + 2];
    bool gen;
    if (get_password(o->pw_stdin, pw, sizeof pw, &gen))
        return 1;
    int rc = web_user_passwd(s, "cli", o->login, pw);
    if (rc == ERR_NOTFOUND)
        return cli_fail("user passwd", "ein Konto „%s“ gibt es nicht", o->login);
    if (rc == ERR_INVALID)
        return cli_fail("user passwd", "das Passwort muss mindestens %d Zeichen lang sein",
                        WEB_MIN_PASSWORD);
    if (rc)
        return cli_fail("user passwd", "%s", err_message(rc));
    printf("Passwort für „%s“ geändert; offene Sitzungen wurden beendet.\n", o->login);
    if (gen)
        printf("Neues Passwort (wird nur jetzt angezeigt): %s\n", pw);
    return 0;
}

static int do_disable(struct store *s, const struct user_opts *o)
{
    if (!o->login)
        return cli_fail("user disable", "--login ist nötig");
    int rc = web_user_disable(s, "cli", o->login);
    if (rc == ERR_NOTFOUND)
        return cli_fail("user disable", "ein Konto „%s“ gibt es nicht", o->login);
    if (rc)
        return cli_fail("user disable", "%s", err_message(rc));
    printf("Konto „%s“ gesperrt; offene Sitzungen wurden beendet.\n", o->login);
    return 0;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        help();
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    struct user_opts o = {0};
    int rc = parse(argc - 1, argv + 1, &o);
    if (rc)
        return rc == 1 ? 0 : rc;
    int (*fn)(struct store *, const struct user_opts *) = NULL;
    if (strcmp(sub, "add") == 0)
        fn = do_add;
    else if (strcmp(sub, "list") == 0)
        fn = do_list;
    else if (strcmp(sub, "passwd") == 0)
        fn = do_passwd;
    else if (strcmp(sub, "disable") == 0)
        fn = do_disable;
    else
        return cli_fail("user", "unbekannter Unterbefehl „%s“ (add, list, passwd, disable)", sub);
    struct store *s;
    if (cli_open(cli_data_dir(o.data), &s))
        return 1;
    rc = fn(s, &o);
    store_close(s);
    return rc;
}
