/* `rathaus search`: the full-text search of the E-Akte from the command line,
 * with the eyes of one staff account (--as LOGIN: its office and roles decide
 * what it may see, exactly as on the web). Prints one hit per line, or the
 * JSON of the API with --json. It searches what is indexed; texts still
 * waiting for extraction are found once the server (or an import) has
 * extracted them. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "records/records.h"
#include "web/web.h"

/* Hits shown when --limit is not given. */
#define SEARCH_LIMIT_DEFAULT 20
/* Bytes of the query joined from the arguments. */
#define SEARCH_MAX_QUERY 1000

static void help(void)
{
    printf("Aufruf: rathaus search --data DIR --as ANMELDENAME [--limit N] [--page N] [--json]\n"
           "                      [--office NR] [--plan KENNZEICHEN] [--year JAHR]\n"
           "                      [--status open|closed|offered] [--direction in|out|internal]\n"
           "                      SUCHBEGRIFFE…\n\n"
           "Durchsucht Titel, Aktenzeichen, Beteiligte und Texte der Dokumente, die das\n"
           "Konto ANMELDENAME sehen darf. Alle Wörter müssen vorkommen; Beugungen werden\n"
           "gefunden („Antrag“ findet „Anträge“), „Straße“ findet „Strasse“. Wort* sucht\n"
           "nach Wortanfängen, \"…\" nach einer Wortfolge, -Wort schließt aus.\n"
           "Ausgabe: je Treffer eine Zeile mit Vorgang, Titel und Textausschnitt (durch\n"
           "Tabulatoren getrennt); --json gibt {\"total\", \"items\": […]} aus (höchstens %d je\n"
           "Seite, Vorgabe %d).\n",
           REC_PAGE_MAX, SEARCH_LIMIT_DEFAULT);
}

/* Finds the account login and fills the actor with its office and roles.
 * Returns 0, or 1 after printing why not. */
static int actor_for(struct store *s, const char *login, struct rec_actor *a)
{
    json_t *users;
    int rc = web_user_list(s, &users);
    if (rc)
        return cli_fail("search", "Konten nicht lesbar: %s", err_message(rc));
    json_t *found = NULL, *u;
    size_t i;
    json_array_foreach(users, i, u)
    {
        const char *l = json_string_value(json_object_get(u, "login"));
        if (l && strcmp(l, login) == 0)
            found = u;
    }
    int status = 0;
    unsigned roles = 0;
    const char *r = found ? json_string_value(json_object_get(found, "roles")) : NULL;
    if (!found) {
        status = cli_fail("search", "--as: ein Konto „%s“ gibt es nicht", login);
    } else if (json_is_true(json_object_get(found, "disabled"))) {
        status = cli_fail("search", "--as: das Konto „%s“ ist gesperrt", login);
    } else if (!r || web_roles_parse(r, &roles)) {
        status = cli_fail("search", "--as: das Konto „%s“ hat keine gültigen Rollen", login);
    } else {
        *a = (struct rec_actor){
            .login = login,
            .unit_nr = (int)json_integer_value(json_object_get(found, "office")),
            .roles = roles,
            .system = false,
        };
    }
    json_decref(users);
    return status;
}

/* Writes an HTML snippet as plain text: entities decoded, <mark> shown bold
 * on a terminal and dropped otherwise. */
static void print_snippet(const char *z, bool tty)
{
    static const struct {
        const char *from, *to;
    } map[] = {
        {"<mark>", NULL}, {"</mark>", NULL}, {"&amp;", "&"}, {"&lt;", "<"},
        {"&gt;", ">"},    {"&quot;", "\""},  {"&#39;", "'"},
    };
    while (*z) {
        bool done = false;
        for (size_t i = 0; i < sizeof map / sizeof map[0] && !done; i++) {
            size_t n = strlen(map[i].from);
            if (strncmp(z, map[i].from, n) != 0)
                continue;
            if (map[i].to)
                fputs(map[i].to, stdout);
            else if (tty)
                fputs(i == 0 ? "\033[1m" : "\033[0m", stdout);
            z += n;
            done = true;
        }
        if (!done)
            putchar(*z++ == '\t' ? ' ' : z[-1]);
    }
}

int cmd_search(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},   {"as", required_argument, NULL, 'a'},
        {"limit", required_argument, NULL, 'l'},  {"page", required_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},         {"office", required_argument, NULL, 'o'},
        {"plan", required_argument, NULL, 'P'},   {"year", required_argument, NULL, 'y'},
        {"status", required_argument, NULL, 's'}, {"direction", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},         {0, 0, 0, 0},
    };
    const char *data = NULL, *as = NULL;
    bool json = false;
    long limit = SEARCH_LIMIT_DEFAULT, page = 1, office = 0, year = 0;
    struct rec_search_query q = {0};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': data = optarg; break;
        case 'a': as = optarg; break;
        case 'j': json = true; break;
        case 'P': q.plan_code = optarg; break;
        case 's': q.status = optarg; break;
        case 'r': q.direction = optarg; break;
        case 'l':
            if (str_to_long(optarg, 1, REC_PAGE_MAX, &limit))
                return cli_fail("search", "--limit: „%s“ ist keine Zahl von 1 bis %d", optarg,
                                REC_PAGE_MAX);
            break;
        case 'p':
            if (str_to_long(optarg, 1, 10000, &page))
                return cli_fail("search", "--page: „%s“ ist keine Seitenzahl", optarg);
            break;
        case 'o':
            if (str_to_long(optarg, 1, 9999, &office))
                return cli_fail("search", "--office: „%s“ ist keine Amtsnummer", optarg);
            break;
        case 'y':
            if (str_to_long(optarg, 1900, 9999, &year))
                return cli_fail("search", "--year: „%s“ ist kein Jahr", optarg);
            break;
        case 'h': help(); return 0;
        default: help(); return 2;
        }
    }
    if (!as)
        return cli_fail("search", "--as ANMELDENAME ist nötig: es bestimmt, was sichtbar ist");
    if (optind >= argc)
        return cli_fail("search", "kein Suchbegriff angegeben (siehe --help)");
    char text[SEARCH_MAX_QUERY + 1];
    size_t len = 0;
    for (int i = optind; i < argc; i++) {
        size_t n = strlen(argv[i]);
        if (len + n + 1 > SEARCH_MAX_QUERY)
            return cli_fail("search", "die Suchanfrage ist zu lang (höchstens %d Zeichen)",
                            SEARCH_MAX_QUERY);
        if (len)
            text[len++] = ' ';
        memcpy(text + len, argv[i], n);
        len += n;
    }
    text[len] = '\0';
    q.q = text;
    q.page = (int)page;
    q.per_page = (int)limit;
    q.unit_nr = (int)office;
    q.year = (int)year;
    struct store *s;
    if (cli_open(cli_data_dir(data), &s))
        return 1;
    struct rec_actor a;
    int status = actor_for(s, as, &a);
    json_t *res = NULL;
    int rc = status ? 0 : rec_search(s, &a, &q, &res);
    store_close(s);
    if (status)
        return status;
    if (rc == ERR_INVALID && rec_search_short_prefix(q.q))
        return cli_fail("search", "%s", REC_SEARCH_MSG_SHORT_PREFIX);
    if (rc == ERR_INVALID)
        return cli_fail("search", "ungültiger Filter: --plan ist ein Kennzeichen wie 32.10, "
                                  "--status open/closed/offered, --direction in/out/internal");
    if (rc)
        return cli_fail("search", "%s", err_message(rc));
    if (json) {
        json_dumpf(res, stdout, JSON_INDENT(2));
        putchar('\n');
    } else {
        bool tty = isatty(STDOUT_FILENO);
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(res, "items"), i, it)
        {
            printf("%s\t%s\t", json_string_value(json_object_get(it, "case_reference")),
                   json_string_value(json_object_get(it, "title")));
            print_snippet(json_string_value(json_object_get(it, "snippet")), tty);
            putchar('\n');
        }
        json_int_t total = json_integer_value(json_object_get(res, "total"));
        fprintf(stderr, "%lld Treffer%s\n", (long long)total,
                total > (json_int_t)json_array_size(json_object_get(res, "items"))
                    ? " (weitere mit --page)"
                    : "");
    }
    json_decref(res);
    return fflush(stdout) == 0 ? 0 : 1;
}
