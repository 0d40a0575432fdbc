/* The file plan (Aktenplan): hierarchical nodes "32", "32.10", "32.10.05"
 * with a retention period and an archive decision. The default plan comes
 * from data/aktenplan.csv (embedded); imports of CSV or JSON are all or
 * nothing and name the bad line ("Zeile 7: …"); nodes are never deleted,
 * only deactivated, because files keep pointing to them. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "records_int.h"
#include "store/journal.h"
#include "web/web.h"

/* Nodes one import may hold. */
#define REC_PLAN_MAX_NODES 10000
/* Fields of one CSV line. */
#define PLAN_CSV_FIELDS 5

/* One node of an import, with where it came from. */
struct plan_item {
    struct rec_plan_node node; /* the node; node.code is set again after items move */
    char code[REC_MAX_CODE];   /* code */
    char *title;               /* title (malloc) */
    int line;                  /* CSV line or JSON entry number, 1-based */
    int depth;                 /* parts of the code minus one */
};

struct plan_items {
    struct plan_item *v; /* items (malloc) */
    size_t n;            /* used */
    size_t alloc;        /* allocated */
};

static void items_release(struct plan_items *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].title);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int code_depth(const char *code)
{
    int d = 0;
    for (; *code; code++)
        d += *code == '.';
    return d;
}

/* Writes the parent code of code into out ("" for a top-level node). */
static void parent_code(const char *code, char out[REC_MAX_CODE])
{
    const char *dot = strrchr(code, '.');
    size_t n = dot ? (size_t)(dot - code) : 0;
    memcpy(out, code, n);
    out[n] = '\0';
}

/* Checks a node; a German reason goes to why. */
static int node_check(const struct rec_plan_node *n, struct str *why)
{
    if (!n->code || !rec__code_valid(n->code)) {
        if (why)
            str_addf(why,
                     "Das Kennzeichen „%s“ ist ungültig (Ziffern, durch Punkte getrennt, "
                     "z. B. 32.10.05).",
                     n->code ? n->code : "");
        return ERR_INVALID;
    }
    if (rec__check_text(n->title, REC_MAX_TITLE, REC__TEXT_REQUIRED, "Der Titel", why))
        return ERR_INVALID;
    if (n->retention_years < 0 || n->retention_years > 200) {
        if (why)
            str_addf(why, "Die Aufbewahrungsfrist %d liegt nicht zwischen 0 und 200 Jahren.",
                     n->retention_years);
        return ERR_INVALID;
    }
    if (n->archive_decision != 'A' && n->archive_decision != 'B' && n->archive_decision != 'V') {
        if (why)
            str_addf(why, "Die Archivierungsentscheidung muss A, B oder V sein.");
        return ERR_INVALID;
    }
    return 0;
}

/* Creates or updates n (checked) in c's write transaction. ERR_NOTFOUND when
 * its parent does not exist. *ret_created tells which. */
static int node_upsert(struct store_conn *c, const struct rec_plan_node *n, bool *ret_created)
{
    char parent[REC_MAX_CODE];
    parent_code(n->code, parent);
    int64_t parent_id = 0, have = 0;
    int rc;
    if (*parent) {
        rc =
            store_query_int(c, &parent_id, "SELECT id FROM plan_nodes WHERE code = ?", "t", parent);
        if (rc)
            return rc;
    }
    if ((rc = store_query_int(c, &have, "SELECT count(*) FROM plan_nodes WHERE code = ?", "t",
                              n->code)))
        return rc;
    char decision[2] = {n->archive_decision, '\0'};
    rc = store_run(c,
                   "INSERT INTO plan_nodes (code, parent_id, title, retention_years,"
                   " archive_decision, active) VALUES (?, nullif(?, 0), ?, ?, ?, ?)"
                   " ON CONFLICT (code) DO UPDATE SET title = excluded.title,"
                   " retention_years = excluded.retention_years,"
                   " archive_decision = excluded.archive_decision, active = excluded.active",
                   "tititi", n->code, parent_id, n->title, (int64_t)n->retention_years, decision,
                   (int64_t)n->active);
    if (!rc)
        *ret_created = !have;
    return rc;
}

int rec_plan_save(struct store *s, const struct rec_actor *a, const struct rec_plan_node *n,
                  struct str *why)
{
    if (!rec__is_manager(a)) {
        if (why)
            str_adds(why, "Den Aktenplan pflegen nur die Registratur und die Administration.");
        return ERR_DENIED;
    }
    int rc = node_check(n, why);
    if (rc)
        return rc;
    struct store_conn *c;
    if ((rc = store_get(s, &c)))
        return rc;
    bool created = false;
    if ((rc = store_begin(c, true)))
        goto done;
    rc = node_upsert(c, n, &created);
    if (rc == ERR_NOTFOUND && why) {
        char parent[REC_MAX_CODE];
        parent_code(n->code, parent);
        str_addf(why, "Die übergeordnete Aktenplaneinheit „%s“ gibt es nicht.", parent);
    }
    if (rc)
        goto fail;
    char decision[2] = {n->archive_decision, '\0'};
    json_t *d = json_pack("{s:s, s:s, s:i, s:s, s:b, s:b}", "code", n->code, "title", n->title,
                          "retention_years", n->retention_years, "archive_decision", decision,
                          "active", n->active, "created", created);
    char obj[48];
    snprintf(obj, sizeof obj, "plan:%s", n->code);
    rc = d ? journal_append(c, a->login, "plan.save", obj, d, NULL) : ERR_NOMEM;
    json_decref(d);
    if (rc)
        goto fail;
    rc = store_commit(c);
    goto done;
fail:
    store_rollback(c);
done:
    store_put(s, c);
    return rc;
}

/* ---- parsing ----------------------------------------------------------- */

static int items_push(struct plan_items *l, struct plan_item **ret)
{
    if (l->n >= REC_PLAN_MAX_NODES)
        return ERR_TOOBIG;
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 64;
        void *p = realloc(l->v, na * sizeof *l->v);
        if (!p)
            return ERR_NOMEM;
        l->v = p;
        l->alloc = na;
    }
    struct plan_item *it = &l->v[l->n++];
    memset(it, 0, sizeof *it);
    *ret = it;
    return 0;
}

/* Fills item it from its fields (strings) and checks it; why gets the reason
 * prefixed with where ("Zeile 7" or "Eintrag 3"). */
static int item_fill(struct plan_item *it, const char *where, const char *code, const char *title,
                     const char *retention, const char *decision, const char *active,
                     struct str *why)
{
    long years;
    if (str_to_long(retention, 0, 200, &years)) {
        str_addf(why, "%s: Aufbewahrungsfrist „%s“ ist keine Zahl von 0 bis 200.", where,
                 retention);
        return ERR_INVALID;
    }
    if (strlen(decision) != 1 || !strchr("ABVabv", decision[0])) {
        str_addf(why, "%s: Archivierungsentscheidung „%s“ muss A, B oder V sein.", where, decision);
        return ERR_INVALID;
    }
    bool on;
    if (!*active || !strcmp(active, "1") || !strcasecmp(active, "ja") ||
        !strcasecmp(active, "true"))
        on = true;
    else if (!strcmp(active, "0") || !strcasecmp(active, "nein") || !strcasecmp(active, "false"))
        on = false;
    else {
        str_addf(why, "%s: aktiv „%s“ muss 1 oder 0 sein.", where, active);
        return ERR_INVALID;
    }
    if (strlen(code) >= sizeof it->code || !rec__code_valid(code)) {
        str_addf(why,
                 "%s: Kennzeichen „%.40s“ ist ungültig (Ziffern, durch Punkte getrennt, "
                 "z. B. 32.10.05).",
                 where, code);
        return ERR_INVALID;
    }
    snprintf(it->code, sizeof it->code, "%s", code);
    it->title = strdup(title);
    if (!it->title)
        return ERR_NOMEM;
    it->depth = code_depth(code);
    it->node.code = it->code;
    it->node.title = it->title;
    it->node.retention_years = (int)years;
    it->node.archive_decision = (char)(decision[0] & ~0x20); /* upper case */
    it->node.active = on;
    struct str reason;
    str_init(&reason, 512);
    int rc = node_check(&it->node, &reason);
    if (rc)
        str_addf(why, "%s: %s", where, reason.buf);
    str_release(&reason);
    return rc;
}

/* Splits one CSV line (without its line end) into fields: ';' separates,
 * double quotes enclose a field, "" inside stands for one quote. */
static int csv_split(const char *p, size_t n, struct str *buf, size_t starts[PLAN_CSV_FIELDS + 1],
                     int *ret_count)
{
    int count = 0;
    size_t i = 0;
    str_reset(buf);
    for (;;) {
        if (count == PLAN_CSV_FIELDS + 1)
            return ERR_INVALID;
        starts[count++] = buf->len;
        if (i < n && p[i] == '"') {
            i++;
            for (;;) {
                if (i >= n)
                    return ERR_INVALID; /* unterminated quote */
                if (p[i] == '"' && i + 1 < n && p[i + 1] == '"') {
                    str_addc(buf, '"');
                    i += 2;
                } else if (p[i] == '"') {
                    i++;
                    break;
                } else {
                    str_addc(buf, p[i++]);
                }
            }
            if (i < n && p[i] != ';')
                return ERR_INVALID;
        } else {
            while (i < n && p[i] != ';')
                str_addc(buf, p[i++]);
        }
        str_addc(buf, '\0');
        if (i >= n)
            break;
        i++; /* the ';' */
    }
    *ret_count = count;
    return buf->err;
}

/* Trims spaces at both ends of z in place. */
static char *trim(char *z)
{
    while (*z == ' ' || *z == '\t')
        z++;
    size_t n = strlen(z);
    while (n && (z[n - 1] == ' ' || z[n - 1] == '\t'))
        z[--n] = '\0';
    return z;
}

static int parse_csv(const char *p, size_t n, struct plan_items *out, struct str *why)
{
    static const char *const header[] = {"code", "title", "retention_years", "archive_decision",
                                         "active"};
    struct str buf;
    str_init(&buf, 64 * 1024);
    int rc = 0, line = 0;
    bool seen_header = false;
    if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) { /* byte order mark */
        p += 3;
        n -= 3;
    }
    const char *end = p + n;
    while (p < end && !rc) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        size_t len = (size_t)(le - p);
        if (len && p[len - 1] == '\r')
            len--;
        const char *lp = p;
        p = nl ? nl + 1 : end;
        bool blank = true;
        for (size_t i = 0; i < len; i++)
            if (lp[i] != ' ' && lp[i] != '\t' && lp[i] != ';')
                blank = false;
        if (blank)
            continue;
        size_t starts[PLAN_CSV_FIELDS + 1];
        int count = 0;
        char where[32];
        snprintf(where, sizeof where, "Zeile %d", line);
        if (csv_split(lp, len, &buf, starts, &count)) {
            str_addf(why,
                     "%s: die Zeile ist kein gültiger Eintrag (Felder durch „;“ getrennt, "
                     "höchstens %d Felder, Anführungszeichen geschlossen).",
                     where, PLAN_CSV_FIELDS);
            rc = ERR_INVALID;
            break;
        }
        char *f[PLAN_CSV_FIELDS] = {0};
        for (int i = 0; i < count; i++)
            f[i] = trim(buf.buf + starts[i]);
        if (!seen_header) {
            seen_header = true;
            bool ok = count >= 4;
            for (int i = 0; ok && i < count; i++)
                ok = strcasecmp(f[i], header[i]) == 0;
            if (!ok) {
                str_addf(why,
                         "%s: die erste Zeile muss die Spaltenköpfe "
                         "„code;title;retention_years;archive_decision;active“ enthalten.",
                         where);
                rc = ERR_INVALID;
            }
            continue;
        }
        if (count < 4) {
            str_addf(why,
                     "%s: zu wenige Felder (%d); erwartet: Kennzeichen;Titel;Frist;"
                     "Entscheidung;aktiv.",
                     where, count);
            rc = ERR_INVALID;
            break;
        }
        struct plan_item *it;
        if ((rc = items_push(out, &it))) {
            str_addf(why, "%s: mehr als %d Einträge.", where, REC_PLAN_MAX_NODES);
            break;
        }
        it->line = line;
        rc = item_fill(it, where, f[0], f[1], f[2], f[3], count > 4 ? f[4] : "", why);
        if (rc == ERR_NOMEM)
            break;
    }
    if (!rc && !seen_header) {
        str_adds(why, "Die Datei ist leer.");
        rc = ERR_INVALID;
    }
    str_release(&buf);
    return rc;
}

static int parse_json(const char *p, size_t n, struct plan_items *out, struct str *why)
{
    json_error_t je;
    json_t *root = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
    if (!root || !json_is_array(root)) {
        if (root)
            str_adds(why, "Erwartet wird eine JSON-Liste von Aktenplaneinheiten.");
        else
            str_addf(why, "Zeile %d: kein gültiges JSON (%s).", je.line, je.text);
        json_decref(root);
        return ERR_INVALID;
    }
    int rc = 0;
    size_t i;
    json_t *e;
    json_array_foreach(root, i, e)
    {
        char where[32];
        snprintf(where, sizeof where, "Eintrag %zu", i + 1);
        json_t *code = json_object_get(e, "code"), *title = json_object_get(e, "title");
        json_t *ret = json_object_get(e, "retention_years");
        json_t *dec = json_object_get(e, "archive_decision"), *act = json_object_get(e, "active");
        if (!json_is_object(e) || !json_is_string(code) || !json_is_string(title) ||
            !json_is_integer(ret) || !json_is_string(dec) ||
            (act && !json_is_boolean(act) && !json_is_integer(act))) {
            str_addf(why,
                     "%s: erwartet wird ein Objekt mit code (Text), title (Text), "
                     "retention_years (Zahl), archive_decision (Text) und active (ja/nein).",
                     where);
            rc = ERR_INVALID;
            break;
        }
        char years[24];
        snprintf(years, sizeof years, "%lld", (long long)json_integer_value(ret));
        const char *on =
            !act || json_is_true(act) || (json_is_integer(act) && json_integer_value(act) == 1)
                ? "1"
            : (json_is_false(act) || json_integer_value(act) == 0) ? "0"
                                                                   : "?";
        struct plan_item *it;
        if ((rc = items_push(out, &it))) {
            str_addf(why, "%s: mehr als %d Einträge.", where, REC_PLAN_MAX_NODES);
            break;
        }
        it->line = (int)i + 1;
        if ((rc = item_fill(it, where, json_string_value(code), json_string_value(title), years,
                            json_string_value(dec), on, why)))
            break;
    }
    json_decref(root);
    return rc;
}

/* Orders items by depth, then by input position: parents before children. */
static int cmp_depth(const void *x, const void *y)
{
    const struct plan_item *a = x, *b = y;
    if (a->depth != b->depth)
        return a->depth - b->depth;
    return a->line - b->line;
}

/* Writes items (sorted) into c's write transaction; counts created ones. */
static int items_store(struct store_conn *c, struct plan_items *l, bool csv, int *ret_created,
                       struct str *why)
{
    qsort(l->v, l->n, sizeof *l->v, cmp_depth);
    for (size_t i = 0; i < l->n; i++) /* items moved (realloc, qsort): point at their own code */
        l->v[i].node.code = l->v[i].code;
    int created = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct plan_item *it = &l->v[i];
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(l->v[j].code, it->code)) {
                str_addf(why, "%s %d: Kennzeichen „%s“ kommt doppelt vor (%s %d).",
                         csv ? "Zeile" : "Eintrag", it->line, it->code, csv ? "Zeile" : "Eintrag",
                         l->v[j].line);
                return ERR_INVALID;
            }
        }
        bool was_created = false;
        int rc = node_upsert(c, &it->node, &was_created);
        if (rc == ERR_NOTFOUND) {
            char parent[REC_MAX_CODE];
            parent_code(it->code, parent);
            str_addf(why, "%s %d: die übergeordnete Aktenplaneinheit „%s“ fehlt.",
                     csv ? "Zeile" : "Eintrag", it->line, parent);
            return ERR_INVALID;
        }
        if (rc)
            return rc;
        created += was_created;
    }
    *ret_created = created;
    return 0;
}

int rec_plan_seed(struct store_conn *c, const char *actor)
{
    int64_t have = 0;
    int rc = store_query_int(c, &have, "SELECT count(*) FROM plan_nodes", "");
    if (rc || have)
        return rc;
    const struct embed_file *f = NULL;
    for (size_t i = 0; i < rathaus_data_count; i++)
        if (strcmp(rathaus_data[i].name, "aktenplan.csv") == 0)
            f = &rathaus_data[i];
    if (!f)
        return ERR_INTERNAL;
    struct plan_items l = {0};
    struct str why;
    str_init(&why, 1024);
    int created = 0;
    rc = parse_csv((const char *)f->data, f->len, &l, &why);
    if (!rc)
        rc = items_store(c, &l, true, &created, &why);
    if (rc == ERR_INVALID)
        rc = ERR_INTERNAL; /* the bundled plan is broken: a bug */
    if (!rc) {
        json_t *d = json_pack("{s:s, s:i}", "source", "aktenplan.csv", "count", (int)l.n);
        rc = d ? journal_append(c, actor, "plan.seed", "plan", d, NULL) : ERR_NOMEM;
        json_decref(d);
    }
    items_release(&l);
    str_release(&why);
    return rc;
}

int rec_plan_import(struct store *s, const struct rec_actor *a, const char *p, size_t n, bool json,
                    int *ret_count, struct str *why)
{
    struct str reason;
    str_init(&reason, 2048);
    struct plan_items l = {0};
    int rc = 0, created = 0;
    if (!rec__is_manager(a)) {
        str_adds(&reason, "Den Aktenplan pflegen nur die Registratur und die Administration.");
        rc = ERR_DENIED;
        goto out;
    }
    if ((rc = json ? parse_json(p, n, &l, &reason) : parse_csv(p, n, &l, &reason)))
        goto out;
    if (!l.n) {
        str_adds(&reason, "Die Datei enthält keine Aktenplaneinheiten.");
        rc = ERR_INVALID;
        goto out;
    }
    struct store_conn *c;
    if ((rc = store_get(s, &c)))
        goto out;
    if (!(rc = store_begin(c, true)))
        rc = items_store(c, &l, !json, &created, &reason);
    if (!rc) {
        unsigned char md[crypto_hash_sha256_BYTES];
        char hex[crypto_hash_sha256_BYTES * 2 + 1];
        crypto_hash_sha256(md, (const unsigned char *)p, n);
        sodium_bin2hex(hex, sizeof hex, md, sizeof md);
        json_t *d =
            json_pack("{s:s, s:i, s:i, s:i, s:s}", "format", json ? "json" : "csv", "count",
                      (int)l.n, "created", created, "updated", (int)l.n - created, "sha256", hex);
        rc = d ? journal_append(c, a->login, "plan.import", "plan", d, NULL) : ERR_NOMEM;
        json_decref(d);
    }
    if (!rc)
        rc = store_commit(c);
    else
        store_rollback(c);
    store_put(s, c);
out:
    if (!rc && ret_count)
        *ret_count = (int)l.n;
    if (rc && why)
        str_add(why, reason.buf, reason.len);
    str_release(&reason);
    items_release(&l);
    return rc;
}

/* ---- listing and export ------------------------------------------------ */

/* Compares codes part by part as numbers ("32.9" before "32.10"). */
static int code_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        char *ea, *eb;
        unsigned long x = strtoul(a, &ea, 10), y = strtoul(b, &eb, 10);
        if (x != y)
            return x < y ? -1 : 1;
        if ((ea - a) != (eb - b)) /* "01" and "1": shorter first */
            return (ea - a) < (eb - b) ? -1 : 1;
        a = *ea == '.' ? ea + 1 : ea;
        b = *eb == '.' ? eb + 1 : eb;
    }
    return (*a != 0) - (*b != 0);
}

static int cmp_node_json(const void *x, const void *y)
{
    const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    return code_cmp(json_string_value(json_object_get(a, "code")),
                    json_string_value(json_object_get(b, "code")));
}

int rec_plan_list(struct store *s, json_t **ret)
{
    struct store_conn *c;
    int rc = store_get(s, &c);
    if (rc)
        return rc;
    json_t **v = NULL;
    size_t n = 0, alloc = 0;
    struct store_stmt *st;
    if ((rc = store_prepare(c,
                            "SELECT id, code, title, retention_years, archive_decision, active"
                            " FROM plan_nodes",
                            &st)))
        goto done;
    while ((rc = store_step(st)) == STORE_ROW) {
        if (n == alloc) {
            size_t na = alloc ? alloc * 2 : 256;
            json_t **p = realloc(v, na * sizeof *v);
            if (!p) {
                rc = ERR_NOMEM;
                break;
            }
            v = p;
            alloc = na;
        }
        const char *code = store_col_text(st, 1);
        char parent[REC_MAX_CODE];
        parent_code(code, parent);
        json_t *o = json_pack(
            "{s:I, s:s, s:s?, s:s, s:i, s:s, s:b, s:i}", "id", (json_int_t)store_col_int(st, 0),
            "code", code, "parent_code", *parent ? parent : NULL, "title", store_col_text(st, 2),
            "retention_years", (int)store_col_int(st, 3), "archive_decision", store_col_text(st, 4),
            "active", (int)store_col_int(st, 5), "depth", code_depth(code));
        if (!o) {
            rc = ERR_NOMEM;
            break;
        }
        v[n++] = o;
    }
    store_done(st);
    if (rc == STORE_DONE)
        rc = 0;
    json_t *arr = NULL;
    if (!rc) {
        if (n > 1)
            qsort(v, n, sizeof *v, cmp_node_json);
        arr = json_array();
        if (!arr)
            rc = ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (!rc && json_array_append(arr, v[i]))
            rc = ERR_NOMEM;
        json_decref(v[i]);
    }
    if (rc)
        json_decref(arr);
    else
        *ret = arr;
done:
    free(v);
    store_put(s, c);
    return rc;
}

/* Appends a CSV field, quoted when it holds ';', '"' or a line break. */
static void csv_field(struct str *out, const char *z)
{
    str_add_csv(out, z, ';', 0); /* read back by the import: no formula guard */
}

int rec_plan_export(struct store *s, bool json, struct str *out)
{
    json_t *list;
    int rc = rec_plan_list(s, &list);
    if (rc)
        return rc;
    size_t i;
    json_t *o;
    if (json) {
        json_t *arr = json_array();
        json_array_foreach(list, i, o)
        {
            json_t *e = json_pack("{s:O, s:O, s:O, s:O, s:O}", "code", json_object_get(o, "code"),
                                  "title", json_object_get(o, "title"), "retention_years",
                                  json_object_get(o, "retention_years"), "archive_decision",
                                  json_object_get(o, "archive_decision"), "active",
                                  json_object_get(o, "active"));
            if (!arr || !e || json_array_append_new(arr, e))
                rc = ERR_NOMEM;
        }
        char *dump = rc ? NULL : json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (dump) {
            str_adds(out, dump);
            str_addc(out, '\n');
            free(dump);
        } else {
            rc = ERR_NOMEM;
        }
        json_decref(arr);
    } else {
        str_adds(out, "code;title;retention_years;archive_decision;active\n");
        json_array_foreach(list, i, o)
        {
            csv_field(out, json_string_value(json_object_get(o, "code")));
            str_addc(out, ';');
            csv_field(out, json_string_value(json_object_get(o, "title")));
            str_addf(out, ";%d;%s;%d\n",
                     (int)json_integer_value(json_object_get(o, "retention_years")),
                     json_string_value(json_object_get(o, "archive_decision")),
                     json_is_true(json_object_get(o, "active")) ? 1 : 0);
        }
    }
    json_decref(list);
    if (!rc)
        rc = out->err;
    return rc;
}
